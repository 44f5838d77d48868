#pragma once
// The PETSc reference solver for incompressible Navier–Stokes on a periodic box [0, L]^d, d = 2
// or 3: the core of the LES solver (DESIGN.md section 6), without a subgrid model yet.
//
//   du/dt + (u·∇)u = -∇p + ν Δu,   ∇·u = 0.
//
// Space: n^d cells of size h = L/n on a staggered (MAC) grid. Velocity component a of cell
// p = (i, j, k) sits on the cell's lower face in direction a (at (p + 1/2 - e_a/2) h), pressure at
// the cell centre. Second-order central differences; the convective term in the skew-symmetric
// form (half divergence form, half advective form, Morinishi et al. 1998), which adds nothing to
// the discrete kinetic energy for any velocity field, divergence-free or not.
// Time: Williamson's low-storage three-stage RK3 with a projection after every stage. The
// projection is linear and the projected stages stay divergence-free, so the scheme is RK3 for
// du/dt = P F(u) (P the discrete Leray projector): third order in time for the velocity.
// Projecting only once per step, with no pressure gradient in the stages, measures first order.
// Projection: solve -h² Δ_h φ = -h² ∇_h·u* (the periodic 2d+1-point Laplacian, which is exactly
// div_h grad_h on the MAC grid, singular with the constants as null space) and set
// u = u* - ∇_h φ, so that ∇_h·u = 0 up to the KSP tolerance. φ is a stage increment, not the
// pressure; a pressure (for output or a pressure-gradient forcing) is not computed yet.
//
// Velocity (d components interleaved) and pressure live on two periodic DMDAs with stencil width
// 1, both built from the Decomposition's ownership ranges. The pressure KSP (default CG with
// Jacobi) reads its PETSc options under the prefix "les_" (deck `les: {ksp_type: ..., pc_type:
// gamg}` or -les_ksp_monitor).
#include <petscdmda.h>
#include <petscksp.h>

#include <array>
#include <functional>
#include <vector>

#include "core/decomposition.hpp"
#include "core/options.hpp"
#include "solvers/krylov.hpp"

namespace tessera::solvers {

struct IncompressibleConfig {
  int dim = 2;                   // 2 or 3
  int cells = 32;                // cells per direction (the decomposition's global points)
  double length = 2 * M_PI;      // box side L
  double viscosity = 0.01;       // kinematic viscosity ν
  double cfl = 0.5;              // dt <= cfl h / max|u_a|
  double viscous_factor = 0.15;  // dt <= viscous_factor h² / ν; RK3 is stable up to 2.5/(4d)
  double dt = 0;                 // fixed time step; 0: from the CFL and viscous limits
  KrylovTolerances krylov{1e-10, 2000};  // pressure solve: -les_rtol, -les_max_iterations

  /// Declares and reads the les_* options; problems go to options.report(), so call
  /// options.check() afterwards. Not collective, but every rank must call it (same database).
  static IncompressibleConfig from_options(Options& options);
};

class IncompressibleSolver {
public:
  /// Collective over decomp.comm(). decomp must have config.dim dimensions and config.cells
  /// points (here: cells) per direction. Creates the grids, assembles the pressure operator and
  /// sets the KSP up with the options under "les_". The velocity starts at zero.
  IncompressibleSolver(const Decomposition& decomp, const IncompressibleConfig& config);
  ~IncompressibleSolver();
  IncompressibleSolver(const IncompressibleSolver&) = delete;
  IncompressibleSolver& operator=(const IncompressibleSolver&) = delete;

  /// Sets every velocity component at its face positions from velocity(c, x) and the time to t.
  /// Does not project: call project() if the field is not discretely divergence-free. Not
  /// collective in itself (each rank sets its own block).
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
  /// Collective. (1/V) ∫ u·F(u) with F(u) = -C(u) + ν Δ_h u the unprojected right-hand side:
  /// dE/dt of the semi-discrete equations when u is divergence-free (the projector is
  /// self-adjoint). The skew-symmetric C contributes nothing for any u, so this is
  /// -ν (1/V) ∫ |∇_h u|², the dissipation rate that Taylor–Green references tabulate as -dE/dt.
  double energy_change_rate() const;
  /// Collective. max over cells of |∇_h·u|.
  double max_divergence() const;
  /// Collective. max over faces and components of |u_a|.
  double max_velocity() const;

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

private:
  void rhs(Vec velocity, Vec out) const;
  void destroy() noexcept;

  int dim_;
  int n_;
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
  double time_ = 0;
  int steps_ = 0;
  int last_iterations_ = 0;
  long total_iterations_ = 0;
};

}  // namespace tessera::solvers
