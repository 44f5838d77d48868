#include "solvers/darcy_reference.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/timer.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

namespace {

// The flux between two nodes goes through the face between them; of the face averages of a, the
// harmonic one is what a 1D series of two half-cells conducts, exact for a piecewise constant a
// and second order for a smooth one.
double harmonic_mean(double a, double b) { return 2.0 * a * b / (a + b); }

// Solves G c = r for the small symmetric positive semi-definite Gram matrix G (row-major, k x k)
// by Cholesky, leaving out directions whose pivot shows them (numerically) dependent on earlier
// ones: their coefficient is zero. Pure; every rank computes the same c from the same G and r.
std::vector<double> solve_gram_system(std::vector<double> g, const std::vector<double>& r, int k) {
  std::vector<bool> kept(k, false);
  for (int j = 0; j < k; ++j) {
    const double scale = g[j * k + j];
    double pivot = scale;
    for (int p = 0; p < j; ++p)
      if (kept[p]) pivot -= g[j * k + p] * g[j * k + p];
    if (!(pivot > 1e-10 * scale)) continue;
    kept[j] = true;
    g[j * k + j] = std::sqrt(pivot);
    for (int i = j + 1; i < k; ++i) {
      double v = g[i * k + j];
      for (int p = 0; p < j; ++p)
        if (kept[p]) v -= g[i * k + p] * g[j * k + p];
      g[i * k + j] = v / g[j * k + j];
    }
  }
  std::vector<double> c(k, 0.0);
  for (int i = 0; i < k; ++i) {  // L y = r
    if (!kept[i]) continue;
    double v = r[i];
    for (int p = 0; p < i; ++p)
      if (kept[p]) v -= g[i * k + p] * c[p];
    c[i] = v / g[i * k + i];
  }
  for (int i = k - 1; i >= 0; --i) {  // L^T c = y
    if (!kept[i]) continue;
    double v = c[i];
    for (int p = i + 1; p < k; ++p)
      if (kept[p]) v -= g[p * k + i] * c[p];
    c[i] = v / g[i * k + i];
  }
  return c;
}

}  // namespace

const char* initial_guess_name(InitialGuess guess) {
  switch (guess) {
    case InitialGuess::zero:
      return "zero";
    case InitialGuess::previous:
      return "previous";
    case InitialGuess::fischer:
      return "fischer";
    case InitialGuess::projection:
      return "projection";
  }
  return "?";
}

DarcyReferenceConfig DarcyReferenceConfig::from_options(Options& options) {
  DarcyReferenceConfig c;
  c.points = options.integer("dataset_points", c.points, 3, 1 << 20,
                             "grid points per direction, boundary included; 2^k + 1 with the "
                             "default geometric multigrid (-dataset_pc_type mg)");
  // Geometric multigrid halves the grid; GAMG, hypre and the other preconditioners take any size.
  const std::string pc = petsc_option_value("dataset_pc_type", "mg");
  if (pc == "mg" && !is_power_of_two_plus_one(c.points))
    options.report("-dataset_points = " + std::to_string(c.points) +
                   " is not 2^k + 1 (e.g. 33, 65, 129, 257), which the geometric multigrid "
                   "preconditioner (-dataset_pc_type mg, the default) needs to coarsen it; other "
                   "sizes (e.g. 421) need an algebraic one: -dataset_pc_type gamg or hypre");
  report_beyond_petsc_indices(options, "-dataset_points = " + std::to_string(c.points), c.points, 2,
                              1);
  c.krylov.read(options, kDarcyDatasetPrefix, "each Darcy solve");
  c.guess_space = options.integer("dataset_guess_space", c.guess_space, 1, 64,
                                  "earlier solutions kept by the fischer and projection guesses");
  return c;
}

DarcyReference::DarcyReference(const Decomposition& decomp, const DarcyReferenceConfig& config,
                               InitialGuess guess)
    : guess_(guess), guess_space_(config.guess_space), h_(1.0 / (config.points - 1)) {
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  const int n = config.points;
  const int i0 = std::max(start[0] - 1, 0), j0 = std::max(start[1] - 1, 0);
  box_ = {i0, std::min(start[0] + count[0] + 1, n) - i0, j0,
          std::min(start[1] + count[1] + 1, n) - j0};
  try {
    dm_ = create_decomposition_dmda(decomp, n, "DarcyReference");
    TESSERA_PETSC_CALL(DMCreateMatrix(dm_, &a_));
    TESSERA_PETSC_CALL(DMCreateGlobalVector(dm_, &b_));
    TESSERA_PETSC_CALL(VecDuplicate(b_, &x_));
    set_coefficient([](double, double) { return 1.0; });

    ksp_ = create_multigrid_solver(dm_, a_, kDarcyDatasetPrefix, config.krylov,
                                   multigrid_levels(n, decomp.process_grid()));
    if (guess_ == InitialGuess::fischer) {
      KSPGuess fischer;
      TESSERA_PETSC_CALL(KSPGetGuess(ksp_, &fischer));
      TESSERA_PETSC_CALL(KSPGuessSetType(fischer, KSPGUESSFISCHER));
      TESSERA_PETSC_CALL(KSPGuessFischerSetModel(fischer, 2, guess_space_));
    }
    TESSERA_PETSC_CALL(KSPSetFromOptions(ksp_));
    TESSERA_PETSC_CALL(KSPSetInitialGuessNonzero(
        ksp_, guess_ == InitialGuess::previous || guess_ == InitialGuess::projection
                  ? PETSC_TRUE
                  : PETSC_FALSE));
    TESSERA_PETSC_CALL(KSPSetUp(ksp_));
    mark_solve_time_options_used(ksp_);
  } catch (...) {
    destroy();
    throw;
  }
}

DarcyReference::~DarcyReference() { destroy(); }

void DarcyReference::destroy() noexcept {
  // A destructor must not throw, and there is nothing to do about a failed destroy anyway.
  for (Vec& v : history_) VecDestroy(&v);
  history_.clear();
  KSPDestroy(&ksp_);
  VecDestroy(&x_);
  VecDestroy(&b_);
  MatDestroy(&a_);
  DMDestroy(&dm_);
}

void DarcyReference::set_coefficient(const std::vector<double>& box_values) {
  TESSERA_CHECK(box_values.size() == static_cast<size_t>(box_.ni) * box_.nj,
                "DarcyReference::set_coefficient: " << box_values.size() << " values for a "
                                                    << box_.ni << " x " << box_.nj << " node box");
  DMDALocalInfo info;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(dm_, &info));
  const PetscInt mx = info.mx, my = info.my;
  auto a = [&](PetscInt i, PetscInt j) {
    return box_values[static_cast<size_t>(j - box_.j0) * box_.ni + (i - box_.i0)];
  };
  // Agreed over the ranks, so that a bad value on one rank stops every rank here rather than
  // leaving the others waiting in the assembly.
  int positive = 1;
  for (double v : box_values) positive = positive && v > 0;
  MPI_Comm comm;
  TESSERA_PETSC_CALL(PetscObjectGetComm(reinterpret_cast<PetscObject>(dm_), &comm));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &positive, 1, MPI_INT, MPI_MIN, comm));
  TESSERA_CHECK(positive, "DarcyReference::set_coefficient: the coefficient must be positive");
  coefficient_ = box_values;

  // Rows are scaled by the cell area h^2 (so on a square grid the face weights are the face
  // coefficients themselves). Interior rows leave out their boundary neighbours (u = 0 there),
  // which keeps the matrix symmetric; boundary rows are the identity times 4 a, inside the
  // interior spectrum, so they spoil neither CG nor the smoothers.
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      MatStencil row{}, col[5]{};
      PetscScalar v[5];
      row.i = i;
      row.j = j;
      if (i == 0 || j == 0 || i == mx - 1 || j == my - 1) {
        v[0] = 4.0 * a(i, j);
        TESSERA_PETSC_CALL(MatSetValuesStencil(a_, 1, &row, 1, &row, v, INSERT_VALUES));
        continue;
      }
      PetscInt k = 1;
      double diagonal = 0;
      const PetscInt neighbours[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
      for (const auto& nb : neighbours) {
        const double w = harmonic_mean(a(i, j), a(nb[0], nb[1]));
        diagonal += w;
        if (nb[0] == 0 || nb[1] == 0 || nb[0] == mx - 1 || nb[1] == my - 1) continue;
        col[k].i = nb[0];
        col[k].j = nb[1];
        v[k++] = -w;
      }
      col[0] = row;
      v[0] = diagonal;
      TESSERA_PETSC_CALL(MatSetValuesStencil(a_, 1, &row, k, col, v, INSERT_VALUES));
    }
  }
  TESSERA_PETSC_CALL(MatAssemblyBegin(a_, MAT_FINAL_ASSEMBLY));
  TESSERA_PETSC_CALL(MatAssemblyEnd(a_, MAT_FINAL_ASSEMBLY));
  // Tells the KSP that the operator changed, so the multigrid hierarchy is rebuilt.
  if (ksp_) TESSERA_PETSC_CALL(KSPSetOperators(ksp_, a_, a_));
}

void DarcyReference::set_coefficient(const std::function<double(double, double)>& a) {
  std::vector<double> values(static_cast<size_t>(box_.ni) * box_.nj);
  for (int j = 0; j < box_.nj; ++j)
    for (int i = 0; i < box_.ni; ++i)
      values[static_cast<size_t>(j) * box_.ni + i] = a((box_.i0 + i) * h_, (box_.j0 + j) * h_);
  set_coefficient(values);
}

void DarcyReference::set_source(const std::function<double(double, double)>& f) {
  DMDALocalInfo info;
  PetscScalar** rhs;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(dm_, &info));
  TESSERA_PETSC_CALL(DMDAVecGetArray(dm_, b_, &rhs));
  // Coordinates as i/(n-1) rather than i*h so that the last point is exactly 1.
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j)
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      const bool boundary = i == 0 || j == 0 || i == info.mx - 1 || j == info.my - 1;
      rhs[j][i] = boundary ? 0.0
                           : h_ * h_ *
                                 f(static_cast<double>(i) / (info.mx - 1),
                                   static_cast<double>(j) / (info.my - 1));
    }
  TESSERA_PETSC_CALL(DMDAVecRestoreArray(dm_, b_, &rhs));
}

void DarcyReference::set_smoother_omega(double omega) {
  PC pc;
  PetscInt levels = 0;
  TESSERA_PETSC_CALL(KSPGetPC(ksp_, &pc));
  TESSERA_PETSC_CALL(PCMGGetLevels(pc, &levels));
  TESSERA_CHECK(levels > 1,
                "DarcyReference::set_smoother_omega: the preconditioner is not a "
                "multigrid with smoothed levels (-dataset_pc_type mg)");
  for (PetscInt l = 1; l < levels; ++l) {  // level 0 is the coarse solve
    KSP smoother;
    PC smoother_pc;
    PetscBool is_sor = PETSC_FALSE;
    TESSERA_PETSC_CALL(PCMGGetSmoother(pc, l, &smoother));
    TESSERA_PETSC_CALL(KSPGetPC(smoother, &smoother_pc));
    TESSERA_PETSC_CALL(
        PetscObjectTypeCompare(reinterpret_cast<PetscObject>(smoother_pc), PCSOR, &is_sor));
    TESSERA_CHECK(is_sor, "DarcyReference::set_smoother_omega: level " << l
                                                                       << "'s smoother is not "
                                                                          "preconditioned by SOR");
    TESSERA_PETSC_CALL(PCSORSetOmega(smoother_pc, omega));
  }
}

void DarcyReference::set_reuse_preconditioner(bool keep) {
  TESSERA_PETSC_CALL(KSPSetReusePreconditioner(ksp_, keep ? PETSC_TRUE : PETSC_FALSE));
}

void DarcyReference::solve(const std::string& what) {
  ProfilingRegion stage(Stage::ReferenceSolve);
  Timer timer;
  if (guess_ == InitialGuess::projection) form_projection_guess();
  TESSERA_PETSC_CALL(KSPSolve(ksp_, b_, x_));
  seconds_ = timer.seconds();
  const KrylovResult result = krylov_result(ksp_);
  iterations_ = result.iterations;
  residual_norm_ = result.residual_norm;
  solved_ = result.converged;
  if (!result.converged) throw_unconverged(result, what);
  if (guess_ == InitialGuess::projection) remember_solution();
}

// x0 = X c with (X^T A X) c = X^T b: the combination of the kept solutions X closest to the new
// solution in the A-norm of the current operator. PETSc's Fischer guess builds the same space
// but A-orthonormalises it once, under the operator of the solve that added each vector, and
// starts afresh when the operator changes; recomputing the small Gram matrix keeps the space
// useful across a sequence whose operator changes every solve. Cost: k MatMults and k + 1
// multi-dot reductions for k kept solutions.
void DarcyReference::form_projection_guess() {
  const int k = static_cast<int>(history_.size());
  if (k == 0) {
    TESSERA_PETSC_CALL(VecZeroEntries(x_));
    return;
  }
  std::vector<double> gram(static_cast<size_t>(k) * k), rhs(k);
  TESSERA_PETSC_CALL(VecMDot(b_, k, history_.data(), rhs.data()));
  for (int i = 0; i < k; ++i) {
    TESSERA_PETSC_CALL(MatMult(a_, history_[i], x_));  // x_ as scratch: A x_i
    TESSERA_PETSC_CALL(VecMDot(x_, k, history_.data(), &gram[static_cast<size_t>(i) * k]));
  }
  const std::vector<double> c = solve_gram_system(gram, rhs, k);
  TESSERA_PETSC_CALL(VecZeroEntries(x_));
  TESSERA_PETSC_CALL(VecMAXPY(x_, k, c.data(), history_.data()));
}

void DarcyReference::remember_solution() {
  Vec kept;
  if (static_cast<int>(history_.size()) < guess_space_) {
    TESSERA_PETSC_CALL(VecDuplicate(x_, &kept));
  } else {
    kept = history_.front();
    history_.erase(history_.begin());
  }
  history_.push_back(kept);
  TESSERA_PETSC_CALL(VecCopy(x_, kept));
}

std::vector<double> DarcyReference::local_solution() const {
  TESSERA_CHECK(solved_, "DarcyReference::local_solution() called before a successful solve()");
  return local_block(dm_, x_);
}

std::string DarcyReference::solver_name() const {
  KSPType ksp_type = nullptr;
  PCType pc_type = nullptr;
  PC pc = nullptr;
  TESSERA_PETSC_CALL(KSPGetType(ksp_, &ksp_type));
  TESSERA_PETSC_CALL(KSPGetPC(ksp_, &pc));
  TESSERA_PETSC_CALL(PCGetType(pc, &pc_type));
  return std::string(ksp_type ? ksp_type : "?") + " + " + (pc_type ? pc_type : "?");
}

}  // namespace tessera::solvers
