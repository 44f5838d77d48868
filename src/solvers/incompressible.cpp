#include "solvers/incompressible.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/timer.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/mac_grid.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

static_assert(std::is_same<PetscScalar, double>::value,
              "the incompressible solver needs a real, double-precision PETSc build");

namespace {

using mac::Block;
using mac::for_each_cell;
using mac::ghosted_block;
using mac::GhostedRead;
using mac::owned_block;
using mac::VelocityDifferences;

// Collective over comm.
double allreduce_max(MPI_Comm comm, double value) {
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, comm));
  return value;
}

// Collective over comm.
double allreduce_sum(MPI_Comm comm, double value) {
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, comm));
  return value;
}

// Levels of the geometric multigrid: halve the grid while it stays even in every direction, the
// coarser one keeps at least 4 cells per direction and every process at least one cell per
// direction (a DMDA's minimum). That depends on the process grid only where a process would own
// less than a cell, so in the usual case every process grid runs the same hierarchy and agrees with
// the others to round-off. 1 (no multigrid) where the coarsest grid would be too large for a dense
// SVD (more than kMaxCoarseUnknowns cells, e.g. n = 2 x an odd number).
constexpr int kMaxCoarseUnknowns = 1024;
int multigrid_levels(const BoxCells& n, int dim, const std::array<int, 3>& procs) {
  int levels = 1;
  BoxCells m = n;
  for (;; ++levels) {
    bool halves = true;
    for (int d = 0; d < dim; ++d)
      halves = halves && m[d] % 2 == 0 && m[d] / 2 >= 4 && m[d] / 2 >= procs[size_t(d)];
    if (!halves) break;
    for (int d = 0; d < dim; ++d) m.n[size_t(d)] /= 2;
  }
  return double(m.total(dim)) <= kMaxCoarseUnknowns ? levels : 1;
}

// Jacobi-Richardson smoothing: the point Jacobi is the same on every process grid (SOR, PETSc's
// default, works per process), and 2/3 damps the upper half of the spectrum of D^-1 A of the
// Laplacian (in [0, 2]) by 3 per sweep.
constexpr double kSmootherDamping = 2.0 / 3.0;

// Sets ksp up as CG preconditioned by a V-cycle on the DMDA hierarchy of dm, for the operator
// already set on ksp: Galerkin coarse operators (the interpolation's transpose restricts; the
// coarse operators stay singular with the constants as null space), Jacobi-Richardson smoothers
// and the pseudo-inverse (SVD) on the coarsest level, where LU would meet the zero pivot. Not
// collective by itself; the set-up that follows is.
void use_geometric_multigrid(KSP ksp, DM dm, int levels) {
  TESSERA_PETSC_CALL(KSPSetDM(ksp, dm));
  TESSERA_PETSC_CALL(KSPSetDMActive(ksp, PETSC_FALSE));  // the assembled operator, not the DM's
  PC pc;
  TESSERA_PETSC_CALL(KSPGetPC(ksp, &pc));
  TESSERA_PETSC_CALL(PCSetType(pc, PCMG));
  TESSERA_PETSC_CALL(PCMGSetLevels(pc, levels, nullptr));
  TESSERA_PETSC_CALL(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH));
  for (int l = 1; l < levels; ++l) {
    KSP smoother;
    PC jacobi;
    TESSERA_PETSC_CALL(PCMGGetSmoother(pc, l, &smoother));
    TESSERA_PETSC_CALL(KSPSetType(smoother, KSPRICHARDSON));
    TESSERA_PETSC_CALL(KSPRichardsonSetScale(smoother, kSmootherDamping));
    TESSERA_PETSC_CALL(KSPGetPC(smoother, &jacobi));
    TESSERA_PETSC_CALL(PCSetType(jacobi, PCJACOBI));
  }
  KSP coarse;
  PC svd;
  TESSERA_PETSC_CALL(PCMGGetCoarseSolve(pc, &coarse));
  TESSERA_PETSC_CALL(KSPSetType(coarse, KSPPREONLY));
  TESSERA_PETSC_CALL(KSPGetPC(coarse, &svd));
  TESSERA_PETSC_CALL(PCSetType(svd, PCSVD));
}

// Williamson (1980) low-storage RK3: dU = A_s dU + dt F(u); u += B_s dU.
constexpr double kRkA[3] = {0.0, -5.0 / 9.0, -153.0 / 128.0};
constexpr double kRkB[3] = {1.0 / 3.0, 15.0 / 16.0, 8.0 / 15.0};

}  // namespace

IncompressibleConfig IncompressibleConfig::from_options(Options& options) {
  IncompressibleConfig c;
  c.dim = options.integer("les_dim", c.dim, 2, 3, "space dimension of the box");
  const std::vector<int> cells = options.integers(
      "les_cells", std::to_string(c.cells[0]), 4, 1 << 14,
      "cells per direction, one count (a cube) or one per direction (x,y or x,y,z) at one "
      "spacing h = les_length / n_x (3D cube: at most 892 with PETSc's 32-bit indices)");
  if (cells.size() == 1)
    c.cells = cells[0];
  else if (int(cells.size()) == c.dim)
    c.cells = BoxCells(cells[0], cells[1], c.dim == 3 ? cells[2] : cells[0]);
  else if (!cells.empty())
    options.report("-les_cells gives " + std::to_string(cells.size()) +
                   " counts; give one (a cube) or one per direction (" + std::to_string(c.dim) +
                   " for -les_dim " + std::to_string(c.dim) + ")");
  // The velocity grid, dim values per cell, is the largest the solver numbers; a box of the same
  // number of cells as a cube needs as many indices.
  report_beyond_petsc_indices(
      options, "-les_cells = " + c.cells.text(c.dim) + " with -les_dim " + std::to_string(c.dim),
      std::llround(std::pow(double(c.cells.total(c.dim)), 1.0 / c.dim)), c.dim, c.dim);
  c.length = options.real("les_length", c.length, 1e-12, 1e12,
                          "side L of the box along x: [0, L]^dim for a cube, L n_d / n_x along "
                          "direction d otherwise");
  c.viscosity = options.real("les_viscosity", c.viscosity, 0.0, 1e12, "kinematic viscosity");
  c.cfl = options.real("les_cfl", c.cfl, 1e-6, 1.5,
                       "convective limit: dt <= cfl h / max|u_a|; RK3 with central differences "
                       "is stable up to about 1.7 / dim");
  c.viscous_factor = options.real("les_viscous_factor", c.viscous_factor, 1e-6, 0.6,
                                  "viscous limit: dt <= viscous_factor h^2 / viscosity; RK3 is "
                                  "stable up to about 2.5 / (4 dim)");
  c.dt = options.real("les_dt", c.dt, 0.0, 1e12,
                      "fixed time step; 0 takes it from the CFL and viscous limits");
  c.krylov.read(options, kLesPressurePrefix, "a pressure solve");
  c.subgrid_model = subgrid_model_from_name(options.choice(
      "les_subgrid_model", subgrid_model_name(c.subgrid_model), {"none", "smagorinsky", "dynamic"},
      "eddy-viscosity subgrid model: none, Smagorinsky (fixed C_s) or dynamic "
      "(Germano-Lilly, C_s from a test filter, averaged over the box)"));
  c.smagorinsky_constant = options.real("les_smagorinsky_constant", c.smagorinsky_constant, 0.0,
                                        1.0, "C_s of the Smagorinsky model: nu_t = (C_s h)^2 |S|");
  c.test_filter_ratio = options.real(
      "les_test_filter_ratio", c.test_filter_ratio, 1.01, 4.0,
      "dynamic model: width of the [1, 2, 1]/4 test filter over the grid filter's; sqrt(6) "
      "matches its second moment, 2 counts it as a box of width 2h");
  const std::string boundary = options.choice(
      "les_boundary", c.boundary == Boundary::cavity ? "cavity" : "periodic",
      {"periodic", "cavity"},
      "periodic box, or lid-driven cavity (no-slip walls, the wall y = L moving along x)");
  c.boundary = boundary == "cavity" ? Boundary::cavity : Boundary::periodic;
  c.lid_velocity = options.real("les_lid_velocity", c.lid_velocity, -1e12, 1e12,
                                "cavity: velocity of the wall y = L along x");
  if (c.viscosity == 0 && c.dt == 0)
    options.report(
        "-les_viscosity = 0 with -les_dt = 0: only the CFL limit bounds the step, "
        "which a flow at rest leaves unbounded; set -les_dt");
  return c;
}

IncompressibleSolver::IncompressibleSolver(const Decomposition& decomp,
                                           const IncompressibleConfig& config)
    : dim_(config.dim), n_(config.cells), config_(config), comm_(decomp.comm()) {
  TESSERA_CHECK(dim_ == 2 || dim_ == 3,
                "IncompressibleSolver: dimension " << dim_ << " is not 2 or 3");
  TESSERA_CHECK(decomp.dim() == dim_, "IncompressibleSolver: needs a "
                                          << dim_ << "D decomposition, got " << decomp.dim()
                                          << "D");
  const auto& global = decomp.global_points();
  for (int d = 0; d < dim_; ++d)
    TESSERA_CHECK(global[d] == n_[d], "IncompressibleSolver: decomposition has "
                                          << global[d] << " cells along direction " << d
                                          << ", configuration asks for " << n_[d]);
  // With fewer cells a cell's two neighbours in a direction coincide.
  TESSERA_CHECK(n_.fewest(dim_) >= 4,
                "IncompressibleSolver: " << n_.text(dim_) << " cells; need >= 4 per direction");
  h_ = config.length / n_[0];

  try {
    const auto& procs = decomp.process_grid();
    std::vector<PetscInt> own[3];
    for (int d = 0; d < dim_; ++d)
      own[d].assign(decomp.ownership(d).begin(), decomp.ownership(d).end());
    // In the cavity the cell-centred fields read past the walls through ghost cells that the
    // boundary conditions fill (GHOSTED); the pressure reads no further than the walls (NONE).
    const bool walls = config_.boundary == Boundary::cavity;
    auto create = [&](PetscInt dof, DMDAStencilType stencil, DMBoundaryType wall, DM* dm) {
      const DMBoundaryType bt = walls ? wall : DM_BOUNDARY_PERIODIC;
      if (dim_ == 2)
        TESSERA_PETSC_CALL(DMDACreate2d(comm_, bt, bt, stencil, n_[0], n_[1], procs[0], procs[1],
                                        dof, 1, own[0].data(), own[1].data(), dm));
      else
        TESSERA_PETSC_CALL(DMDACreate3d(comm_, bt, bt, bt, stencil, n_[0], n_[1], n_[2], procs[0],
                                        procs[1], procs[2], dof, 1, own[0].data(), own[1].data(),
                                        own[2].data(), dm));
      TESSERA_PETSC_CALL(DMSetUp(*dm));
    };
    create(dim_, DMDA_STENCIL_BOX, DM_BOUNDARY_GHOSTED, &vdm_);
    create(1, DMDA_STENCIL_STAR, DM_BOUNDARY_NONE, &pdm_);
    // Multigrid on cells rather than vertices: a bounded grid of n cells coarsens to n/2
    // (vertex-centred coarsening would need n - 1 even), with piecewise constant interpolation.
    if (walls) TESSERA_PETSC_CALL(DMDASetInterpolationType(pdm_, DMDA_Q0));
    const Block owned = owned_block(pdm_);
    const auto& start = decomp.local_start();
    const auto& count = decomp.local_count();
    for (int d = 0; d < 3; ++d)
      TESSERA_CHECK(owned.start[d] == start[d] && owned.count[d] == count[d],
                    "IncompressibleSolver: rank " << decomp.rank() << " DMDA block along " << d
                                                  << " differs from its decomposition block");

    TESSERA_PETSC_CALL(DMCreateGlobalVector(vdm_, &u_));
    TESSERA_PETSC_CALL(VecDuplicate(u_, &du_));
    TESSERA_PETSC_CALL(VecDuplicate(u_, &f_));
    TESSERA_PETSC_CALL(VecSet(u_, 0.0));
    TESSERA_PETSC_CALL(DMCreateGlobalVector(pdm_, &phi_));
    TESSERA_PETSC_CALL(VecDuplicate(phi_, &b_));

    // -h² Δ_h: 2d on the diagonal, -1 for each neighbour. Symmetric positive semi-definite, so CG
    // applies once the right-hand side is made consistent (mean zero). At a wall ∇_h φ on the
    // wall face is zero (the normal velocity stays zero): the neighbour across it drops out, and
    // with it its share of the diagonal (homogeneous Neumann; the null space is still the
    // constants).
    TESSERA_PETSC_CALL(DMCreateMatrix(pdm_, &a_));
    for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
      MatStencil row{}, col[7]{};
      PetscScalar v[7];
      row.i = i;
      row.j = j;
      row.k = k;
      col[0] = row;
      v[0] = 0;
      int m = 1;
      const PetscInt index[3] = {i, j, k};
      for (int d = 0; d < dim_; ++d) {
        for (int s : {-1, 1}) {
          if (walls && (index[d] + s < 0 || index[d] + s >= n_[d])) continue;
          col[m] = row;
          (d == 0 ? col[m].i : d == 1 ? col[m].j : col[m].k) += s;
          v[m++] = -1.0;
          v[0] += 1.0;
        }
      }
      TESSERA_PETSC_CALL(MatSetValuesStencil(a_, 1, &row, m, col, v, INSERT_VALUES));
    });
    TESSERA_PETSC_CALL(MatAssemblyBegin(a_, MAT_FINAL_ASSEMBLY));
    TESSERA_PETSC_CALL(MatAssemblyEnd(a_, MAT_FINAL_ASSEMBLY));
    TESSERA_PETSC_CALL(MatNullSpaceCreate(comm_, PETSC_TRUE, 0, nullptr, &null_));
    TESSERA_PETSC_CALL(MatSetNullSpace(a_, null_));

    create_pressure_solver(multigrid_levels(n_, dim_, procs));
    if (config_.subgrid_model == SubgridModel::smagorinsky)
      coefficient_ = config_.smagorinsky_constant * config_.smagorinsky_constant;

    if (config_.subgrid_model != SubgridModel::none) {
      create(1, DMDA_STENCIL_BOX, DM_BOUNDARY_GHOSTED, &nutdm_);
      TESSERA_PETSC_CALL(DMCreateGlobalVector(nutdm_, &nut_));
      TESSERA_PETSC_CALL(VecSet(nut_, 0.0));
    }
    if (config_.subgrid_model == SubgridModel::dynamic) {
      create(dynamic_field_count(dim_), DMDA_STENCIL_BOX, DM_BOUNDARY_GHOSTED, &filterdm_);
      TESSERA_PETSC_CALL(DMCreateGlobalVector(filterdm_, &filter_fields_));
    }
  } catch (...) {
    destroy();
    throw;
  }
}

void IncompressibleSolver::create_pressure_solver(int levels) {
  TESSERA_PETSC_CALL(KSPCreate(comm_, &ksp_));
  TESSERA_PETSC_CALL(KSPSetOptionsPrefix(ksp_, kLesPressurePrefix));
  TESSERA_PETSC_CALL(KSPSetOperators(ksp_, a_, a_));
  // Defaults first, options after, so that the deck and the command line override them. Both
  // preconditioners do the same arithmetic on every process grid (point Jacobi, Galerkin
  // products), unlike block ILU or SOR, so results agree across rank counts to round-off rather
  // than to the tolerance.
  TESSERA_PETSC_CALL(KSPSetType(ksp_, KSPCG));
  if (levels > 1) {
    use_geometric_multigrid(ksp_, pdm_, levels);
  } else {
    PC pc;
    TESSERA_PETSC_CALL(KSPGetPC(ksp_, &pc));
    TESSERA_PETSC_CALL(PCSetType(pc, PCJACOBI));
  }
  config_.krylov.apply(ksp_);
  TESSERA_PETSC_CALL(KSPSetFromOptions(ksp_));
  // CG stops on the true residual unless the deck says otherwise: then rtol bounds the remaining
  // divergence, |div u|_2 <= rtol |div u*|_2, whatever the preconditioner.
  PetscBool is_cg = PETSC_FALSE, norm_given = PETSC_FALSE;
  TESSERA_PETSC_CALL(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(ksp_), KSPCG, &is_cg));
  TESSERA_PETSC_CALL(
      PetscOptionsHasName(nullptr, kLesPressurePrefix, "-ksp_norm_type", &norm_given));
  if (is_cg && !norm_given) TESSERA_PETSC_CALL(KSPSetNormType(ksp_, KSP_NORM_UNPRECONDITIONED));
  TESSERA_PETSC_CALL(KSPSetUp(ksp_));
  mark_solve_time_options_used(ksp_);
}

IncompressibleSolver::~IncompressibleSolver() { destroy(); }

void IncompressibleSolver::destroy() noexcept {
  // Called from the destructor and from a failed constructor: must not throw, and there is nothing
  // to do about a failed destroy anyway. Null handles are skipped by PETSc.
  VecDestroy(&filter_fields_);
  DMDestroy(&filterdm_);
  VecDestroy(&nut_);
  DMDestroy(&nutdm_);
  KSPDestroy(&ksp_);
  MatNullSpaceDestroy(&null_);
  MatDestroy(&a_);
  VecDestroy(&b_);
  VecDestroy(&phi_);
  VecDestroy(&f_);
  VecDestroy(&du_);
  VecDestroy(&u_);
  DMDestroy(&pdm_);
  DMDestroy(&vdm_);
}

std::array<double, 3> IncompressibleSolver::face_position(int c,
                                                          const std::array<int, 3>& cell) const {
  std::array<double, 3> x{0, 0, 0};
  for (int d = 0; d < dim_; ++d) x[d] = (cell[d] + (d == c ? 0.0 : 0.5)) * h_;
  return x;
}

void IncompressibleSolver::set_velocity(
    const std::function<double(int c, const std::array<double, 3>& x)>& velocity, double t) {
  const Block owned = owned_block(vdm_);
  PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArray(u_, &u));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const std::array<int, 3> cell{int(i), int(j), int(k)};
    for (int c = 0; c < dim_; ++c)
      u[owned.cell(i, j, k) * dim_ + c] =
          on_wall(cell[c]) ? 0.0 : velocity(c, face_position(c, cell));
  });
  TESSERA_PETSC_CALL(VecRestoreArray(u_, &u));
  time_ = t;
}

void IncompressibleSolver::divergence_times_minus_h2(Vec v, Vec b) const {
  // b = -h² ∇_h·v = -h Σ_a (v_a(p + e_a) - v_a(p)). The wall faces of a rate of change are zero.
  const Block owned = owned_block(pdm_);
  GhostedRead vl(vdm_, v);
  fill_wall_ghosts(vl, 0.0);
  const VelocityDifferences diff{vl.data(), ghosted_block(vdm_), dim_, h_};
  PetscScalar* out;
  TESSERA_PETSC_CALL(VecGetArray(b, &out));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    out[owned.cell(i, j, k)] = -h_ * h_ * diff.divergence(diff.ghosted.cell(i, j, k));
  });
  TESSERA_PETSC_CALL(VecRestoreArray(b, &out));
}

void IncompressibleSolver::solve_pressure(Vec b, Vec x, const char* what) {
  // The periodic operator is singular: a right-hand side with a non-zero mean has no solution.
  // The divergence of a periodic field has zero mean exactly, so this removes round-off only.
  TESSERA_PETSC_CALL(MatNullSpaceRemove(null_, b));
  const Timer timer;
  TESSERA_PETSC_CALL(KSPSolve(ksp_, b, x));
  pressure_seconds_ += timer.seconds();
  const KrylovResult result = krylov_result(ksp_);
  last_iterations_ = result.iterations;
  total_iterations_ += result.iterations;
  if (!result.converged)
    throw_unconverged(result, std::string(what) + " at step " + std::to_string(steps_) +
                                  ", t = " + std::to_string(time_));
}

void IncompressibleSolver::project() {
  divergence_times_minus_h2(u_, b_);
  solve_pressure(b_, phi_, "the pressure solve");

  // u = u* - ∇_h φ, ∇_h φ at face a of cell p being (φ(p) - φ(p - e_a)) / h.
  const Block owned = owned_block(pdm_);
  const Block ghosted = ghosted_block(pdm_);
  GhostedRead phi(pdm_, phi_);
  PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArray(u_, &u));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k), o = owned.cell(i, j, k);
    const PetscInt index[3] = {i, j, k};
    for (int a = 0; a < dim_; ++a)
      if (!on_wall(index[a]))
        u[o * dim_ + a] -= (phi.data()[g] - phi.data()[g - ghosted.stride(a)]) / h_;
  });
  TESSERA_PETSC_CALL(VecRestoreArray(u_, &u));
}

// out = -C(u) + ν Δ_h u. With U_b^± the velocity u_b interpolated to the faces of the control
// volume of u_a(p) in direction b, the skew-symmetric convective term is
//   C_a(p) = Σ_b (U_b^+(p) u_a(p + e_b) - U_b^-(p) u_a(p - e_b)) / (2h),
// the mean of the divergence form Σ_b (U_b^+ (u_a(p) + u_a(p + e_b)) - U_b^- (u_a(p) +
// u_a(p - e_b))) / (2h) and the advective form Σ_b (U_b^+ δ^+ u_a + U_b^- δ^- u_a) / (2h). Since
// U_b^-(p) = U_b^+(p - e_b), Σ_p u_a(p) C_a(p) telescopes to zero: energy conservation.
void IncompressibleSolver::rhs(Vec velocity, Vec out) const {
  const Block owned = owned_block(vdm_);
  const Block ghosted = ghosted_block(vdm_);
  GhostedRead ul(vdm_, velocity);
  fill_wall_ghosts(ul, config_.lid_velocity);
  const PetscScalar* u = ul.data();
  PetscScalar* f;
  TESSERA_PETSC_CALL(VecGetArray(out, &f));
  const double nu = config_.viscosity, inv2h = 0.5 / h_, invh2 = 1.0 / (h_ * h_);
  const int d = dim_;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k), o = owned.cell(i, j, k);
    const PetscInt index[3] = {i, j, k};
    for (int a = 0; a < d; ++a) {
      if (on_wall(index[a])) {  // a wall's normal velocity stays zero
        f[o * d + a] = 0;
        continue;
      }
      const PetscInt sa = ghosted.stride(a);
      const double ua = u[g * d + a];
      double convection = 0, laplacian = 0;
      for (int b = 0; b < d; ++b) {
        const PetscInt sb = ghosted.stride(b);
        const double plus = 0.5 * (u[(g + sb) * d + b] + u[(g + sb - sa) * d + b]);
        const double minus = 0.5 * (u[g * d + b] + u[(g - sa) * d + b]);
        const double up = u[(g + sb) * d + a], um = u[(g - sb) * d + a];
        convection += plus * up - minus * um;
        laplacian += up - 2.0 * ua + um;
      }
      f[o * d + a] = -inv2h * convection + nu * invh2 * laplacian;
    }
  });
  TESSERA_PETSC_CALL(VecRestoreArray(out, &f));
  if (config_.subgrid_model != SubgridModel::none) {
    update_eddy_viscosity(velocity);
    add_subgrid_stress(velocity, out);
  }
}

double IncompressibleSolver::time_step() const {
  if (config_.dt > 0) return config_.dt;
  const double inf = std::numeric_limits<double>::infinity();
  const double umax = std::max(max_velocity(), wall_speed());
  const double convective = umax > 0 ? config_.cfl * h_ / umax : inf;
  // The eddy viscosity adds to the molecular one in the viscous limit.
  double viscosity = config_.viscosity;
  if (config_.subgrid_model != SubgridModel::none) {
    update_eddy_viscosity(u_);
    PetscReal max_nut;
    TESSERA_PETSC_CALL(VecNorm(nut_, NORM_INFINITY, &max_nut));
    viscosity += max_nut;
  }
  const double viscous = viscosity > 0 ? config_.viscous_factor * h_ * h_ / viscosity : inf;
  const double dt = std::min(convective, viscous);
  TESSERA_CHECK(dt < inf,
                "IncompressibleSolver: a flow at rest without viscosity has no time "
                "step limit; set a fixed time step (-les_dt)");
  return dt;
}

void IncompressibleSolver::step(double dt) {
  ProfilingRegion region(Phase::LesStep);
  TESSERA_CHECK(dt > 0, "IncompressibleSolver::step: dt = " << dt << " is not positive");
  TESSERA_PETSC_CALL(VecSet(du_, 0.0));
  for (int s = 0; s < 3; ++s) {
    rhs(u_, f_);
    TESSERA_PETSC_CALL(VecAXPBY(du_, dt, kRkA[s], f_));  // du = A_s du + dt f
    TESSERA_PETSC_CALL(VecAXPY(u_, kRkB[s], du_));
    project();
  }
  time_ += dt;
  ++steps_;
}

void IncompressibleSolver::advance_to(double t_end, const std::function<void()>& after_step) {
  // Steps shorter than this fraction of the run are round-off in the end time, not steps.
  const double slack = 1e-12 * std::max(1.0, std::abs(t_end));
  while (t_end - time_ > slack) {
    const double remaining = t_end - time_;
    double dt = time_step();
    if (dt > remaining - slack) dt = remaining;
    step(dt);
    if (t_end - time_ <= slack) time_ = t_end;
    if (after_step) after_step();
  }
}

double IncompressibleSolver::kinetic_energy() const {
  PetscReal norm;
  TESSERA_PETSC_CALL(VecNorm(u_, NORM_2, &norm));
  return 0.5 * norm * norm / double(n_.total(dim_));
}

double IncompressibleSolver::energy_change_rate() const {
  // f_ is scratch between steps.
  rhs(u_, f_);
  PetscScalar dot;
  TESSERA_PETSC_CALL(VecDot(u_, f_, &dot));
  return dot / double(n_.total(dim_));
}

double IncompressibleSolver::max_divergence() const {
  const Block owned = owned_block(vdm_);
  GhostedRead u(vdm_, u_);
  fill_wall_ghosts(u, config_.lid_velocity);
  const VelocityDifferences diff{u.data(), ghosted_block(vdm_), dim_, h_};
  double local = 0;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    local = std::max(local, std::abs(diff.divergence(diff.ghosted.cell(i, j, k))));
  });
  return allreduce_max(comm_, local);
}

double IncompressibleSolver::max_velocity() const {
  PetscReal norm;
  TESSERA_PETSC_CALL(VecNorm(u_, NORM_INFINITY, &norm));
  return norm;
}

double IncompressibleSolver::lid_at(const Block& ghosted, PetscInt g, double lid) const {
  if (!config_.regularised_lid) return lid;
  const PetscInt i = ghosted.start[0] + g % ghosted.count[0];  // u faces sit at x = i h
  const double s = std::clamp(i * h_ / config_.length, 0.0, 1.0);
  return lid * physics::LidDrivenCavity::regularised_profile(s);
}

void IncompressibleSolver::fill_wall_ghosts(mac::GhostedRead& velocity, double lid) const {
  if (config_.boundary != Boundary::cavity) return;
  const Block ghosted = ghosted_block(vdm_);
  PetscScalar* u = velocity.writable();
  for_each_wall_ghost(ghosted, [&](int d, bool upper, PetscInt g, PetscInt inside) {
    for (int c = 0; c < dim_; ++c) {
      if (c == d) {
        // The upper ghost's lower face is the wall itself; the lower ghost's is outside the
        // box, read by no stencil.
        u[g * dim_ + c] = 0;
      } else {
        const double wall = (upper && d == 1 && c == 0) ? lid_at(ghosted, g, lid) : 0.0;
        u[g * dim_ + c] = 2 * wall - u[inside * dim_ + c];
      }
    }
  });
}

void IncompressibleSolver::mirror_wall_ghosts(mac::GhostedRead& field, int dof) const {
  if (config_.boundary != Boundary::cavity) return;
  PetscScalar* f = field.writable();
  for_each_wall_ghost(ghosted_block(vdm_), [&](int, bool, PetscInt g, PetscInt inside) {
    for (int q = 0; q < dof; ++q) f[g * dof + q] = f[inside * dof + q];
  });
}

template <class F>
void IncompressibleSolver::for_each_wall_ghost(const mac::Block& ghosted, F&& f) const {
  // Direction by direction, each layer over the whole ghosted extent of the others, so that a
  // later direction fills the edge and corner ghosts from the earlier ones' ghosts.
  for (int d = 0; d < dim_; ++d) {
    for (bool upper : {false, true}) {
      const PetscInt outside = upper ? n_[d] : -1, inside = upper ? n_[d] - 1 : 0;
      if (outside < ghosted.start[d] || outside >= ghosted.start[d] + ghosted.count[d]) continue;
      Block layer = ghosted;
      layer.start[d] = outside;
      layer.count[d] = 1;
      const PetscInt step = (inside - outside) * ghosted.stride(d);
      for_each_cell(layer, [&](PetscInt i, PetscInt j, PetscInt k) {
        const PetscInt g = ghosted.cell(i, j, k);
        f(d, upper, g, g + step);
      });
    }
  }
}

double IncompressibleSolver::cfl(double dt) const { return dt * max_velocity() / h_; }

int IncompressibleSolver::rank_of_max_velocity() const {
  const PetscScalar* u = nullptr;
  PetscInt n = 0;
  TESSERA_PETSC_CALL(VecGetLocalSize(u_, &n));
  TESSERA_PETSC_CALL(VecGetArrayRead(u_, &u));
  struct {
    double value;
    int rank;
  } local{0.0, 0};
  for (PetscInt i = 0; i < n; ++i) {
    const double a = std::isnan(u[i]) ? std::numeric_limits<double>::infinity() : std::abs(u[i]);
    local.value = std::max(local.value, a);
  }
  TESSERA_PETSC_CALL(VecRestoreArrayRead(u_, &u));
  TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &local.rank));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &local, 1, MPI_DOUBLE_INT, MPI_MAXLOC, comm_));
  return local.rank;
}

double IncompressibleSolver::enstrophy() const {
  const Block owned = owned_block(vdm_);
  GhostedRead u(vdm_, u_);
  fill_wall_ghosts(u, config_.lid_velocity);
  const VelocityDifferences diff{u.data(), ghosted_block(vdm_), dim_, h_};
  double local = 0;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = diff.ghosted.cell(i, j, k);
    // One component of ω per pair a < b, on the edge E_ab that this cell owns.
    for (int a = 0; a < dim_; ++a)
      for (int b = a + 1; b < dim_; ++b) {
        const double w = diff.edge_gradient(g, b, a) - diff.edge_gradient(g, a, b);
        local += 0.5 * w * w;
      }
  });
  return allreduce_sum(comm_, local) / double(n_.total(dim_));
}

namespace {

// The mean of a cell-centred field over the four cells around the edge E_ab(g).
double edge_mean(const PetscScalar* field, const Block& ghosted, PetscInt g, int a, int b) {
  const PetscInt sa = ghosted.stride(a), sb = ghosted.stride(b);
  return 0.25 * (field[g] + field[g - sa] + field[g - sb] + field[g - sa - sb]);
}

}  // namespace

IncompressibleSolver::Dissipation IncompressibleSolver::dissipation() const {
  const bool model = config_.subgrid_model != SubgridModel::none;
  if (model) update_eddy_viscosity(u_);
  const Block owned = owned_block(vdm_);
  GhostedRead u(vdm_, u_);
  fill_wall_ghosts(u, config_.lid_velocity);
  const VelocityDifferences diff{u.data(), ghosted_block(vdm_), dim_, h_};
  // nut_ lives on a DMDA with the velocity's layout, so the ghosted offsets are the same.
  std::unique_ptr<GhostedRead> nut;
  if (model) {
    nut = std::make_unique<GhostedRead>(nutdm_, nut_);
    mirror_wall_ghosts(*nut, 1);
  }
  // Σ over cells of Σ_a 2 D_a² (ν_t at the centre), and over edges of Σ_{a<b} 4 S_ab² (ν_t
  // interpolated): the two contractions that the discrete dE/dt is made of.
  double resolved = 0, subgrid = 0;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = diff.ghosted.cell(i, j, k);
    for (int a = 0; a < dim_; ++a) {
      const double normal = diff.normal_strain(g, a);
      resolved += 2 * normal * normal;
      if (model) subgrid += 2 * nut->data()[g] * normal * normal;
      for (int b = a + 1; b < dim_; ++b) {
        const double shear = diff.shear_strain(g, a, b);
        resolved += 4 * shear * shear;
        if (model) subgrid += 4 * edge_mean(nut->data(), diff.ghosted, g, a, b) * shear * shear;
      }
    }
  });
  const double cells = double(n_.total(dim_));
  Dissipation d;
  d.resolved = config_.viscosity * allreduce_sum(comm_, resolved) / cells;
  d.subgrid = allreduce_sum(comm_, subgrid) / cells;
  return d;
}

void IncompressibleSolver::update_eddy_viscosity(Vec velocity) const {
  if (config_.subgrid_model == SubgridModel::none) return;  // no nut_ to fill
  const Block owned = owned_block(vdm_);
  GhostedRead u(vdm_, velocity);
  fill_wall_ghosts(u, config_.lid_velocity);
  const VelocityDifferences diff{u.data(), ghosted_block(vdm_), dim_, h_};
  double cs_delta_squared = 0;
  if (config_.subgrid_model == SubgridModel::smagorinsky) {
    cs_delta_squared = std::pow(config_.smagorinsky_constant * h_, 2);
  } else {
    cs_delta_squared = germano_coefficient(diff);
  }
  coefficient_ = cs_delta_squared / (h_ * h_);
  PetscScalar* nut;
  TESSERA_PETSC_CALL(VecGetArray(nut_, &nut));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    nut[owned.cell(i, j, k)] = smagorinsky_viscosity(
        cs_delta_squared, diff.strain_norm_squared(diff.ghosted.cell(i, j, k)));
  });
  TESSERA_PETSC_CALL(VecRestoreArray(nut_, &nut));
}

// The dynamic procedure's (C_s Δ)²: the cell-centred fields of every owned cell, then their
// [1, 2, 1]/4 test filter along each direction (3^d neighbours, ghosts included), then the
// least-squares average of the Germano identity over the box.
double IncompressibleSolver::germano_coefficient(const mac::VelocityDifferences& diff) const {
  const Block owned = owned_block(vdm_);
  const int nf = dynamic_field_count(dim_);
  {
    PetscScalar* fields;
    TESSERA_PETSC_CALL(VecGetArray(filter_fields_, &fields));
    for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
      const PetscInt g = diff.ghosted.cell(i, j, k);
      double centre[3] = {0, 0, 0}, s[3][3] = {};
      for (int a = 0; a < dim_; ++a) {
        const PetscInt sa = diff.ghosted.stride(a);
        centre[a] = 0.5 * (diff.at(g, a) + diff.at(g + sa, a));
        s[a][a] = diff.normal_strain(g, a);
        for (int b = a + 1; b < dim_; ++b) {
          const PetscInt sb = diff.ghosted.stride(b);
          double mean = 0;
          for (PetscInt e : {g, g + sa, g + sb, g + sa + sb})
            mean += 0.25 * diff.shear_strain(e, a, b);
          s[a][b] = s[b][a] = mean;
        }
      }
      dynamic_fields(dim_, centre, s, fields + owned.cell(i, j, k) * nf);
    });
    TESSERA_PETSC_CALL(VecRestoreArray(filter_fields_, &fields));
  }
  GhostedRead fields(filterdm_, filter_fields_);
  mirror_wall_ghosts(fields, nf);
  const Block ghosted = ghosted_block(filterdm_);
  const double weight[3] = {0.25, 0.5, 0.25};
  std::vector<double> filtered(static_cast<size_t>(nf));
  GermanoSums sums;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    std::fill(filtered.begin(), filtered.end(), 0.0);
    const PetscInt g = ghosted.cell(i, j, k);
    for (int dk = (dim_ == 3 ? -1 : 0); dk <= (dim_ == 3 ? 1 : 0); ++dk)
      for (int dj = -1; dj <= 1; ++dj)
        for (int di = -1; di <= 1; ++di) {
          const double w = weight[di + 1] * weight[dj + 1] * (dim_ == 3 ? weight[dk + 1] : 1.0);
          const PetscScalar* f =
              fields.data() + (g + di + dj * ghosted.stride(1) + dk * ghosted.stride(2)) * nf;
          for (int q = 0; q < nf; ++q) filtered[q] += w * f[q];
        }
    add_germano_terms(dim_, filtered.data(), config_.test_filter_ratio, sums);
  });
  sums.lm = allreduce_sum(comm_, sums.lm);
  sums.mm = allreduce_sum(comm_, sums.mm);
  return sums.cs_delta_squared();
}

// Adds ∇_h·τ with τ = 2 ν_t S to out: for u_a at face p, the difference of τ_aa between the
// centres on either side of the face, and for b != a that of τ_ab between the edges E_ab(p + e_b)
// and E_ab(p) above and below it. Summed by parts, Σ u·∇_h·τ = -Σ τ : ∇_h u = -Σ 2 ν_t S : S
// over the same centres and edges as dissipation().
void IncompressibleSolver::add_subgrid_stress(Vec velocity, Vec out) const {
  const Block owned = owned_block(vdm_);
  GhostedRead u(vdm_, velocity);
  GhostedRead nutl(nutdm_, nut_);
  mirror_wall_ghosts(nutl, 1);
  const VelocityDifferences diff{u.data(), ghosted_block(vdm_), dim_, h_};
  const PetscScalar* nut = nutl.data();
  PetscScalar* f;
  TESSERA_PETSC_CALL(VecGetArray(out, &f));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = diff.ghosted.cell(i, j, k), o = owned.cell(i, j, k);
    const PetscInt index[3] = {i, j, k};
    for (int a = 0; a < dim_; ++a) {
      if (on_wall(index[a])) continue;
      const PetscInt sa = diff.ghosted.stride(a);
      double force =
          2 * (nut[g] * diff.normal_strain(g, a) - nut[g - sa] * diff.normal_strain(g - sa, a));
      for (int b = 0; b < dim_; ++b) {
        if (b == a) continue;
        const PetscInt sb = diff.ghosted.stride(b);
        force += 2 * (edge_mean(nut, diff.ghosted, g + sb, a, b) * diff.shear_strain(g + sb, a, b) -
                      edge_mean(nut, diff.ghosted, g, a, b) * diff.shear_strain(g, a, b));
      }
      f[o * dim_ + a] += force / h_;
    }
  });
  TESSERA_PETSC_CALL(VecRestoreArray(out, &f));
}

std::vector<double> IncompressibleSolver::local_subgrid_viscosity() const {
  const Block owned = owned_block(vdm_);
  std::vector<double> local(static_cast<size_t>(owned.cells()), 0.0);
  if (config_.subgrid_model == SubgridModel::none) return local;
  update_eddy_viscosity(u_);
  const PetscScalar* nut;
  TESSERA_PETSC_CALL(VecGetArrayRead(nut_, &nut));
  std::copy(nut, nut + local.size(), local.begin());
  TESSERA_PETSC_CALL(VecRestoreArrayRead(nut_, &nut));
  return local;
}

std::vector<double> IncompressibleSolver::local_pressure() {
  // du/dt = F - ∇_h p stays divergence-free when Δ_h p = ∇_h·F; A = -h² Δ_h.
  rhs(u_, f_);
  divergence_times_minus_h2(f_, b_);
  solve_pressure(b_, phi_, "the pressure solve of local_pressure()");
  TESSERA_PETSC_CALL(MatNullSpaceRemove(null_, phi_));  // mean zero
  const PetscScalar* p;
  TESSERA_PETSC_CALL(VecGetArrayRead(phi_, &p));
  PetscInt size;
  TESSERA_PETSC_CALL(VecGetLocalSize(phi_, &size));
  std::vector<double> local(p, p + size);
  TESSERA_PETSC_CALL(VecRestoreArrayRead(phi_, &p));
  return local;
}

void IncompressibleSolver::set_state(double time, int steps,
                                     const std::vector<std::vector<double>>& velocity) {
  const Block owned = owned_block(vdm_);
  TESSERA_CHECK(int(velocity.size()) == dim_,
                "IncompressibleSolver::set_state: "
                    << velocity.size() << " velocity components for a " << dim_ << "D solver");
  for (int c = 0; c < dim_; ++c)
    TESSERA_CHECK(PetscInt(velocity[c].size()) == owned.cells(),
                  "IncompressibleSolver::set_state: component "
                      << c << " has " << velocity[c].size() << " values, this rank's block "
                      << owned.cells() << " cells");
  PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArray(u_, &u));
  for (PetscInt p = 0; p < owned.cells(); ++p)
    for (int c = 0; c < dim_; ++c) u[p * dim_ + c] = velocity[c][p];
  TESSERA_PETSC_CALL(VecRestoreArray(u_, &u));
  time_ = time;
  steps_ = steps;
}

std::vector<double> IncompressibleSolver::local_velocity(int c) const {
  TESSERA_CHECK(c >= 0 && c < dim_, "IncompressibleSolver::local_velocity: component "
                                        << c << " of a " << dim_ << "D velocity");
  const Block owned = owned_block(vdm_);
  const PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArrayRead(u_, &u));
  std::vector<double> local(static_cast<size_t>(owned.count[0] * owned.count[1] * owned.count[2]));
  for (size_t p = 0; p < local.size(); ++p) local[p] = u[p * dim_ + c];
  TESSERA_PETSC_CALL(VecRestoreArrayRead(u_, &u));
  return local;
}

std::vector<std::vector<double>> IncompressibleSolver::local_cell_centre_velocity() const {
  const Block owned = owned_block(vdm_);
  const Block ghosted = ghosted_block(vdm_);
  GhostedRead u(vdm_, u_);
  fill_wall_ghosts(u, config_.lid_velocity);
  std::vector<std::vector<double>> centres(dim_, std::vector<double>(owned.cells()));
  PetscInt p = 0;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k);
    for (int a = 0; a < dim_; ++a)
      centres[a][p] = 0.5 * (u.data()[g * dim_ + a] + u.data()[(g + ghosted.stride(a)) * dim_ + a]);
    ++p;
  });
  return centres;
}

}  // namespace tessera::solvers
