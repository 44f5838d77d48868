#pragma once
// The PETSc reference solver for incompressible Navier–Stokes on the box [0, L]^d, d = 2 or 3,
// periodic or a lid-driven cavity: the LES solver of DESIGN.md section 6.
//
//   du/dt + (u·∇)u = -∇p + ν Δu + ∇·(2 ν_t S),   ∇·u = 0,
//
// ν_t the eddy viscosity of a subgrid model (subgrid_model.hpp; none by default), its stress
// discretised conservatively on the MAC grid (normal stresses at cell centres, shear stresses at
// cell edges with ν_t interpolated there), so that it only ever removes kinetic energy. The
// molecular term stays ν Δ_h u, which equals ∇_h·(2ν S_h) on discretely divergence-free fields.
//
// Space: n_x x n_y (x n_z) cells of one size h = L/n_x on a staggered (MAC) grid (a cube of n^d
// cells unless -les_cells gives one count per direction). Velocity component a of cell
// p = (i, j, k) sits on the cell's lower face in direction a (at (p + 1/2 - e_a/2) h), pressure at
// the cell centre. Second-order central differences; the convective term in the skew-symmetric
// form (half divergence form, half advective form, Morinishi et al. 1998), which adds nothing to
// the discrete kinetic energy for any velocity field, divergence-free or not.
// Time: Williamson's low-storage three-stage RK3 with a projection after every stage. The
// projection is linear and the projected stages stay divergence-free, so the scheme is RK3 for
// du/dt = P F(u) (P the discrete Leray projector): third order in time for the velocity.
// Projecting only once per step, with no pressure gradient in the stages, measures first order.
// Projection: solve -h² Δ_h φ = -h² ∇_h·u* (the 2d+1-point Laplacian, which is exactly
// div_h grad_h on the MAC grid, singular with the constants as null space) and set
// u = u* - ∇_h φ, so that ∇_h·u = 0 up to the KSP tolerance. φ is a stage increment, not the
// pressure; a pressure (for output or a pressure-gradient forcing) is not computed yet.
//
// The physical pressure, when asked for, comes from one more solve: -h² Δ_h p = -h² ∇_h·F(u) with
// F the unprojected right-hand side, so that du/dt = F - ∇_h p stays divergence-free.
//
// Walls (Boundary::cavity): the velocity faces on a wall hold zero normal velocity; ghost cells
// outside carry the tangential components mirrored about the wall's velocity (u_ghost =
// 2 u_wall - u_inside); ∇_h φ on wall faces is zero, which makes the pressure operator the
// homogeneous Neumann one.
//
// Velocity (d components interleaved) and pressure live on two DMDAs with stencil width 1, both
// built from the Decomposition's ownership ranges. The pressure KSP reads its PETSc
// options under the prefix "les_" (deck `les: {ksp_type: ..., pc_type: gamg}` or
// -les_ksp_monitor). Its default is CG with geometric multigrid on the DMDA hierarchy (Galerkin
// coarse operators, Jacobi-Richardson smoothers, SVD on the singular coarsest level), which needs
// a bounded number of iterations at any n; where the grid cannot be halved at least once, CG with
// Jacobi. Every solve starts from a zero guess, so a restart from set_state() reproduces an
// uninterrupted run to round-off.
#include <petscdmda.h>
#include <petscksp.h>

#include <array>
#include <cmath>
#include <functional>
#include <vector>

#include "core/box_cells.hpp"
#include "core/decomposition.hpp"
#include "core/options.hpp"
#include "solvers/krylov.hpp"
#include "solvers/subgrid_model.hpp"

namespace tessera::solvers {

namespace mac {
struct Block;
class GhostedRead;
struct VelocityDifferences;
}  // namespace mac

enum class Boundary {
  periodic,  // the periodic box
  cavity,    // no-slip walls on every face, the wall y = L sliding at (lid_velocity, 0, 0)
};

struct IncompressibleConfig {
  int dim = 2;                   // 2 or 3
  BoxCells cells = 32;           // cells per direction (the decomposition's global points)
  double length = 2 * M_PI;      // box side L along x; along d it is L n_d / n_x
  double viscosity = 0.01;       // kinematic viscosity ν
  double cfl = 0.5;              // dt <= cfl h / max|u_a|
  double viscous_factor = 0.15;  // dt <= viscous_factor h² / ν; RK3 is stable up to 2.5/(4d)
  double dt = 0;                 // fixed time step; 0: from the CFL and viscous limits
  KrylovTolerances krylov{1e-10, 2000};  // pressure solve: -les_rtol, -les_max_iterations
  SubgridModel subgrid_model = SubgridModel::none;
  double smagorinsky_constant = 0.16;  // C_s of the Smagorinsky model
  // Dynamic model: width of the [1, 2, 1]/4 test filter over the grid filter's. sqrt(6) matches
  // the filter's second moment (Lund 1997; Najjar & Tafti 1996); 2 reads it as a box of width 2h
  // and gives a larger coefficient (measured: the 64³ Taylor–Green dissipation peak 11% low with
  // 2, 7% low with sqrt(6)).
  double test_filter_ratio = 2.449489742783178;
  Boundary boundary = Boundary::periodic;
  double lid_velocity = 1.0;  // cavity: speed of the wall y = L along x
  // Cavity: the lid moves at lid_velocity 16 s² (1 - s)², s = x / L, which vanishes at the
  // corners (physics/lid_driven_cavity.hpp), instead of uniformly. Set by the PINN cavity deck.
  bool regularised_lid = false;

  /// Declares and reads the les_* options; problems go to options.report(), so call
  /// options.check() afterwards. Not collective, but every rank must call it (same database).
  static IncompressibleConfig from_options(Options& options);
};

class IncompressibleSolver {
public:
  /// Collective over decomp.comm(). decomp must have config.dim dimensions and config.cells
  /// points (here: cells) along each direction. Creates the grids, assembles the pressure operator
  /// and sets the KSP up with the options under "les_". The velocity starts at zero.
  IncompressibleSolver(const Decomposition& decomp, const IncompressibleConfig& config);
  ~IncompressibleSolver();
  IncompressibleSolver(const IncompressibleSolver&) = delete;
  IncompressibleSolver& operator=(const IncompressibleSolver&) = delete;

  /// Sets every velocity component at its face positions from velocity(c, x) (zero on the wall
  /// faces of the cavity, whatever velocity says) and the time to t. Does not project: call
  /// project() if the field is not discretely divergence-free. Not collective in itself (each rank
  /// sets its own block).
  void set_velocity(const std::function<double(int c, const std::array<double, 3>& x)>& velocity,
                    double t = 0);

  /// Collective. Removes the divergence of the velocity (one pressure solve). Throws
  /// tessera::Error on every rank if the solve does not converge.
  void project();

  /// Collective. The time step the CFL and viscous limits allow for the current velocity, or
  /// config.dt where that is set.
  double time_step() const;

  /// Collective. One RK3 step of size dt (three pressure solves).
  void step(double dt);

  /// Collective. Steps until time() == t_end, the last step shortened to land on it. Calls
  /// after_step() (if given) after every step, on every rank.
  void advance_to(double t_end, const std::function<void()>& after_step = {});

  /// Collective. (1/V) ∫ |u|²/2: the mean over cells of the squared face velocities, halved.
  double kinetic_energy() const;
  /// Collective. (1/V) ∫ u·F(u) with F(u) = -C(u) + ν Δ_h u + ∇_h·(2 ν_t S) the unprojected
  /// right-hand side: dE/dt of the semi-discrete equations when u is divergence-free (the
  /// projector is self-adjoint). The skew-symmetric C contributes nothing for any u, so in the
  /// periodic box this is -ν (1/V) ∫ |∇_h u|² - dissipation().subgrid, the dissipation rate that
  /// Taylor–Green references tabulate as -dE/dt.
  double energy_change_rate() const;
  /// Collective. max over cells of |∇_h·u|.
  double max_divergence() const;
  /// Collective. max over faces and components of |u_a|.
  double max_velocity() const;
  /// Collective. The convective Courant number of a step dt: dt max|u_a| / h.
  double cfl(double dt) const;
  /// Collective. The lowest rank whose block holds the largest |u_a| (a NaN counting as the
  /// largest): where a blow-up shows, for its message.
  int rank_of_max_velocity() const;
  /// Not collective. The largest speed the walls impose (the lid's), 0 in the periodic box.
  double wall_speed() const {
    return config_.boundary == Boundary::cavity ? std::abs(config_.lid_velocity) : 0.0;
  }
  /// Collective. (1/V) ∫ |ω|²/2 with ω from the MAC differences at the cell edges.
  double enstrophy() const;

  /// Mean dissipation rates: resolved = (1/V) ∫ 2ν S_ij S_ij, subgrid = (1/V) ∫ 2ν_t S_ij S_ij
  /// (normal strains at cell centres, shear strains and an interpolated ν_t at the edges). On a
  /// discretely divergence-free periodic field resolved = 2ν enstrophy() to round-off, and
  /// dE/dt = -resolved - subgrid (energy_change_rate()).
  struct Dissipation {
    double resolved = 0, subgrid = 0;
  };
  /// Collective.
  Dissipation dissipation() const;

  /// Collective (one extra pressure solve). The physical pressure at this rank's cell centres,
  /// laid out as local_velocity(), with zero mean: the solution of Δ_h p = ∇_h·F(u).
  std::vector<double> local_pressure();
  /// Collective. The eddy viscosity ν_t at this rank's cell centres for the current velocity,
  /// laid out as local_velocity(); zeros without a subgrid model.
  std::vector<double> local_subgrid_viscosity() const;
  /// Not collective. C_s² of the last eddy-viscosity evaluation ((C_s Δ)² / Δ² of the dynamic
  /// procedure, clipped at 0), or config().smagorinsky_constant² for the Smagorinsky model; 0
  /// without a model.
  double dynamic_coefficient() const { return coefficient_; }

  /// Wall seconds spent in pressure solves so far (projections and local_pressure()). Not
  /// collective.
  double pressure_seconds() const { return pressure_seconds_; }
  const IncompressibleConfig& config() const { return config_; }

  /// Not collective. Restores the time, the step count and every velocity component from blocks
  /// laid out as local_velocity(c) returns them (a checkpoint restart). Throws tessera::Error if
  /// the number of components or a block's size does not match.
  void set_state(double time, int steps, const std::vector<std::vector<double>>& velocity);

  /// Not collective.
  double time() const { return time_; }
  int steps() const { return steps_; }
  double h() const { return h_; }
  /// Iterations of the last pressure solve and of all of them together. Not collective.
  int last_iterations() const { return last_iterations_; }
  long total_iterations() const { return total_iterations_; }

  /// Position of velocity component c of the cell with global index cell (its lower face in c).
  /// Not collective.
  std::array<double, 3> face_position(int c, const std::array<int, 3>& cell) const;

  /// This rank's block of velocity component c, x fastest: the value of cell (i, j, k) is at
  /// ((k - zs) ym + (j - ys)) xm + (i - xs) with the decomposition's local_start() and
  /// local_count(). Not collective.
  std::vector<double> local_velocity(int c) const;
  /// Collective (a ghost exchange). Every velocity component at this rank's cell centres, the
  /// grid of the pressure: component a of a cell is the mean of its two faces in direction a (a
  /// face on a wall holds the wall's zero normal velocity). Laid out as local_velocity(a).
  std::vector<std::vector<double>> local_cell_centre_velocity() const;

private:
  void create_pressure_solver(int multigrid_levels);
  void rhs(Vec velocity, Vec out) const;
  // b = -h² ∇_h·v for a velocity-like vector v. Collective.
  void divergence_times_minus_h2(Vec v, Vec b) const;
  // Solves A x = b (b made consistent first), timed and checked. Collective.
  void solve_pressure(Vec b, Vec x, const char* what);
  // Fills nut_ with ν_t of the velocity and updates coefficient_. Collective.
  void update_eddy_viscosity(Vec velocity) const;
  // The dynamic procedure's (C_s Δ)² for the velocity diff reads. Collective.
  double germano_coefficient(const mac::VelocityDifferences& diff) const;
  // Adds ∇_h·(2 ν_t S) to out, with ν_t from nut_. Collective.
  void add_subgrid_stress(Vec velocity, Vec out) const;
  // Cavity: whether the lower face of a cell with this index along a direction is a wall.
  bool on_wall(PetscInt index) const { return config_.boundary == Boundary::cavity && index == 0; }
  // Cavity: the lid's velocity at the u face of ghosted offset g (lid times the regularised
  // profile, or lid). Not collective.
  double lid_at(const mac::Block& ghosted, PetscInt g, double lid) const;
  // Cavity: sets the ghosts outside the walls of a ghosted velocity-like array: zero normal
  // velocity on the wall faces, tangential components mirrored about the wall's velocity
  // (u_ghost = 2 u_wall - u_inside, lid on the wall y = L). Not collective; nothing in the
  // periodic box.
  void fill_wall_ghosts(mac::GhostedRead& velocity, double lid) const;
  // Cavity: sets the ghosts outside the walls of a cell-centred array with dof values per cell
  // (on the velocity's layout) to their inside neighbours' values. Not collective.
  void mirror_wall_ghosts(mac::GhostedRead& field, int dof) const;
  // Calls f(direction, upper, ghost, inside) for every ghost cell outside a wall, with the
  // offsets of the ghost and of its mirror image inside.
  template <class F>
  void for_each_wall_ghost(const mac::Block& ghosted, F&& f) const;
  void destroy() noexcept;

  int dim_;
  BoxCells n_;
  double h_;
  IncompressibleConfig config_;
  MPI_Comm comm_;
  DM vdm_ = nullptr;  // velocity: dof = dim, box stencil (the convective term reads diagonals)
  DM pdm_ = nullptr;  // pressure: dof = 1
  Vec u_ = nullptr, du_ = nullptr, f_ = nullptr;
  Vec phi_ = nullptr, b_ = nullptr;
  Mat a_ = nullptr;
  MatNullSpace null_ = nullptr;
  KSP ksp_ = nullptr;
  DM nutdm_ = nullptr;  // eddy viscosity at cell centres: dof = 1, box stencil
  Vec nut_ = nullptr;
  DM filterdm_ = nullptr;  // the dynamic procedure's cell-centred fields, box stencil
  Vec filter_fields_ = nullptr;
  mutable double coefficient_ = 0;
  double pressure_seconds_ = 0;
  double time_ = 0;
  int steps_ = 0;
  int last_iterations_ = 0;
  long total_iterations_ = 0;
};

}  // namespace tessera::solvers
