#include "solvers/poisson_reference.hpp"

#include <string>
#include <type_traits>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

static_assert(std::is_same<PetscScalar, double>::value,
              "the Poisson reference solver needs a real, double-precision PETSc build");

namespace {

// The equation is multiplied by the cell area hx*hy. In 2D that is the scaling under which the
// operator rediscretised on a coarse level equals the Galerkin product P^T A P of the fine one
// (restriction = transpose of bilinear interpolation), so coarse corrections come back at the
// right size.
struct Stencil {
  double cx, cy, diagonal, area;
  Stencil(PetscInt mx, PetscInt my) {
    const double hx = 1.0 / (mx - 1), hy = 1.0 / (my - 1);
    cx = hy / hx;
    cy = hx / hy;
    diagonal = 2.0 * (cx + cy);
    area = hx * hy;
  }
};

// Interior rows leave out their boundary neighbours (known values go to the right-hand side),
// which keeps the matrix symmetric, so CG applies. Boundary rows are the identity times the
// interior diagonal on the finest level, so their eigenvalues lie inside the interior spectrum
// and do not spoil the conditioning or an unpreconditioned smoother.
//
// On coarser levels the boundary unknowns are corrections to exact Dirichlet values and should
// stay zero, but the restriction (transpose of interpolation) hands them part of the residual of
// the interior points next to the boundary; solved for, that correction is interpolated back and
// pollutes the fine boundary layer. A much larger diagonal there keeps it negligible, which
// amounts to eliminating the boundary as classical geometric multigrid does: it halves the
// parallel V-cycle count (as a Richardson iteration: 37 -> 18 on 2 x 2 ranks at n = 65) and
// matches the Galerkin coarse operators (-reference_pc_mg_galerkin). The smoothers' SOR or Jacobi
// preconditioning hides the scale of these decoupled rows from them; a level smoother without a
// preconditioner would see it, so use the Galerkin operators with one.
constexpr double kCoarseBoundaryPenalty = 1e4;

// The grid of the multigrid level a callback is called for: global size and this rank's block.
struct Level {
  DM dm;
  PetscInt mx, my;
  DMDALocalInfo info;
};

PetscErrorCode level_of(KSP ksp, Level* level) {
  PetscFunctionBeginUser;
  PetscCall(KSPGetDM(ksp, &level->dm));
  PetscCall(DMDAGetInfo(level->dm, nullptr, &level->mx, &level->my, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  PetscCall(DMDAGetLocalInfo(level->dm, &level->info));
  PetscFunctionReturn(0);
}

// ctx is the finest level's grid spacing.
PetscErrorCode compute_operator(KSP ksp, Mat, Mat B, void* ctx) {
  const double fine_h = *static_cast<const double*>(ctx);
  Level level;

  PetscFunctionBeginUser;
  PetscCall(level_of(ksp, &level));
  const PetscInt mx = level.mx, my = level.my;
  const DMDALocalInfo& info = level.info;
  const Stencil s(mx, my);
  const bool coarse = 1.0 / (mx - 1) > 1.5 * fine_h;
  const double boundary_diagonal = coarse ? kCoarseBoundaryPenalty * s.diagonal : s.diagonal;
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      MatStencil row{}, col[5]{};
      PetscScalar v[5];
      row.i = i;
      row.j = j;
      if (i == 0 || j == 0 || i == mx - 1 || j == my - 1) {
        v[0] = boundary_diagonal;
        PetscCall(MatSetValuesStencil(B, 1, &row, 1, &row, v, INSERT_VALUES));
        continue;
      }
      PetscInt k = 0;
      auto add = [&](PetscInt ci, PetscInt cj, PetscScalar value) {
        col[k].i = ci;
        col[k].j = cj;
        v[k++] = value;
      };
      add(i, j, s.diagonal);
      if (i > 1) add(i - 1, j, -s.cx);
      if (i < mx - 2) add(i + 1, j, -s.cx);
      if (j > 1) add(i, j - 1, -s.cy);
      if (j < my - 2) add(i, j + 1, -s.cy);
      PetscCall(MatSetValuesStencil(B, 1, &row, k, col, v, INSERT_VALUES));
    }
  }
  PetscCall(MatAssemblyBegin(B, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(B, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

// Only ever called on the finest level; ctx is the PoissonReference's Poisson2D. Boundary rows
// carry the boundary values times their diagonal, so the solution takes them exactly.
PetscErrorCode compute_rhs(KSP ksp, Vec b, void* ctx) {
  const auto& problem = *static_cast<const physics::Poisson2D*>(ctx);
  Level level;
  PetscScalar** rhs;

  PetscFunctionBeginUser;
  PetscCall(level_of(ksp, &level));
  const DM dm = level.dm;
  const PetscInt mx = level.mx, my = level.my;
  const DMDALocalInfo& info = level.info;
  const Stencil s(mx, my);
  // Coordinates as i/(n-1) rather than i*h so that the last point is exactly 1.
  auto x = [&](PetscInt i) { return static_cast<double>(i) / (mx - 1); };
  auto y = [&](PetscInt j) { return static_cast<double>(j) / (my - 1); };
  PetscCall(DMDAVecGetArray(dm, b, &rhs));
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      if (i == 0 || j == 0 || i == mx - 1 || j == my - 1) {
        rhs[j][i] = s.diagonal * problem.boundary(x(i), y(j));
        continue;
      }
      double value = s.area * problem.source(x(i), y(j));
      if (i == 1) value += s.cx * problem.boundary(x(0), y(j));
      if (i == mx - 2) value += s.cx * problem.boundary(x(mx - 1), y(j));
      if (j == 1) value += s.cy * problem.boundary(x(i), y(0));
      if (j == my - 2) value += s.cy * problem.boundary(x(i), y(my - 1));
      rhs[j][i] = value;
    }
  }
  PetscCall(DMDAVecRestoreArray(dm, b, &rhs));
  PetscFunctionReturn(0);
}

}  // namespace

PoissonReferenceConfig PoissonReferenceConfig::from_options(Options& options) {
  PoissonReferenceConfig c;
  c.points = read_multigrid_points(options, "reference_points", c.points, "reference grid", 2);
  c.krylov.read(options, kPoissonReferencePrefix, "the reference solve");
  return c;
}

PoissonReference::PoissonReference(const Decomposition& decomp, const physics::Poisson2D& problem,
                                   const PoissonReferenceConfig& config)
    : problem_(problem) {
  const int n = config.points;
  h_ = 1.0 / (n - 1);

  try {
    dm_ = create_decomposition_dmda(decomp, n, "PoissonReference");
    TESSERA_PETSC_CALL(KSPCreate(decomp.comm(), &ksp_));
    TESSERA_PETSC_CALL(KSPSetOptionsPrefix(ksp_, kPoissonReferencePrefix));
    TESSERA_PETSC_CALL(KSPSetDM(ksp_, dm_));
    TESSERA_PETSC_CALL(KSPSetComputeOperators(ksp_, compute_operator, &h_));
    TESSERA_PETSC_CALL(KSPSetComputeRHS(ksp_, compute_rhs, &problem_));
    // Defaults first, options after, so that the deck and the command line override them.
    TESSERA_PETSC_CALL(KSPSetType(ksp_, KSPCG));
    config.krylov.apply(ksp_);
    PC pc;
    TESSERA_PETSC_CALL(KSPGetPC(ksp_, &pc));
    TESSERA_PETSC_CALL(PCSetType(pc, PCMG));
    TESSERA_PETSC_CALL(PCMGSetLevels(pc, multigrid_levels(n, decomp.process_grid()), nullptr));
    TESSERA_PETSC_CALL(KSPSetFromOptions(ksp_));
    // Builds every level (and reads the level solvers' options) now rather than at the first
    // solve.
    TESSERA_PETSC_CALL(KSPSetUp(ksp_));
    mark_solve_time_options_used(ksp_);
  } catch (...) {
    KSPDestroy(&ksp_);
    DMDestroy(&dm_);
    throw;
  }
}

PoissonReference::~PoissonReference() {
  // A destructor must not throw, and there is nothing to do about a failed destroy anyway.
  KSPDestroy(&ksp_);
  DMDestroy(&dm_);
}

void PoissonReference::solve() {
  ProfilingRegion stage(Stage::ReferenceSolve);
  // A null right-hand side and solution make the KSP build both from the DM, through compute_rhs.
  TESSERA_PETSC_CALL(KSPSolve(ksp_, nullptr, nullptr));
  const KrylovResult result = krylov_result(ksp_);
  iterations_ = result.iterations;
  residual_norm_ = result.residual_norm;
  solved_ = result.converged;
  if (!result.converged) throw_unconverged(result, "the reference Poisson solve");
}

std::vector<double> PoissonReference::local_solution() const {
  TESSERA_CHECK(solved_, "PoissonReference::local_solution() called before a successful solve()");
  Vec x;
  TESSERA_PETSC_CALL(KSPGetSolution(ksp_, &x));
  return local_block(dm_, x);
}

}  // namespace tessera::solvers
