// PETSc reference solver for 2D Poisson: second-order accuracy, resolution-independent multigrid
// iteration counts, the same answer on any process grid, and options that reach PETSc.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "physics/poisson.hpp"
#include "reference_test_support.hpp"
#include "solvers/poisson_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Poisson2D;
using tessera::solvers::PoissonReference;
using tessera::solvers::PoissonReferenceConfig;

using tessera::testing::ScopedOption;

struct Result {
  int n = 0;
  double h = 0, max_error = 0, l2_error = 0;
  int iterations = 0;
};

// Max-norm and discrete L2 norm (sqrt(h^2 sum e^2)) of the error over the whole grid. Collective.
void error_norms(const Decomposition& decomp, const PoissonReference& solver,
                 const Poisson2D& problem, double& max_error, double& l2_error) {
  const auto u = solver.local_solution();
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  const double h = solver.h();
  double local_max = 0, local_sum = 0;
  for (int j = 0; j < count[1]; ++j) {
    for (int i = 0; i < count[0]; ++i) {
      const double x = (start[0] + i) * h, y = (start[1] + j) * h;
      const double e = std::abs(u[j * count[0] + i] - problem.exact(x, y));
      local_max = std::max(local_max, e);
      local_sum += e * e;
    }
  }
  double sum = 0;
  MPI_Allreduce(&local_max, &max_error, 1, MPI_DOUBLE, MPI_MAX, decomp.comm());
  MPI_Allreduce(&local_sum, &sum, 1, MPI_DOUBLE, MPI_SUM, decomp.comm());
  l2_error = std::sqrt(h * h * sum);
}

Result solve(int n, const Poisson2D& problem, double rtol = 1e-10) {
  PoissonReferenceConfig config;
  config.points = n;
  config.krylov.rtol = rtol;
  Decomposition decomp(MPI_COMM_WORLD, 2, {n, n, 1});
  PoissonReference solver(decomp, problem, config);
  solver.solve();
  Result r;
  r.n = n;
  r.h = solver.h();
  r.iterations = solver.iterations();
  error_norms(decomp, solver, problem, r.max_error, r.l2_error);
  return r;
}

// sin(k pi x) sin(k pi y) is an eigenvector of the 5-point Laplacian with eigenvalue
// lambda_h = 8 sin^2(k pi h / 2) / h^2, so the discrete solution is exactly (2 k^2 pi^2 / lambda_h)
// times the exact one, and the max-norm error is |2 k^2 pi^2 / lambda_h - 1| (the grid contains
// a point where |u| = 1 for the n used here).
double predicted_max_error(double frequency, double h) {
  const double s = std::sin(frequency * M_PI * h / 2);
  return std::abs(2 * frequency * frequency * M_PI * M_PI * h * h / (8 * s * s) - 1);
}

struct Orders {
  std::vector<double> l2, max;  // log(e_{k-1}/e_k) / log(h_{k-1}/h_k); first entries 0
};

// Solves on each n, prints the table on rank 0, checks each max-norm error against its
// prediction, and returns the observed orders.
Orders convergence_study(const std::vector<int>& points, double frequency) {
  std::vector<Result> results;
  for (int n : points) results.push_back(solve(n, Poisson2D{frequency}));
  Orders orders{std::vector<double>(results.size(), 0.0), std::vector<double>(results.size(), 0.0)};
  std::ostringstream table;
  table << "Poisson reference, k = " << frequency << "\n"
        << "     n          h       max error        L2 error  order(L2)  order(max)  its\n";
  for (size_t k = 0; k < results.size(); ++k) {
    const auto& r = results[k];
    if (k > 0) {
      const auto& p = results[k - 1];
      orders.l2[k] = std::log(p.l2_error / r.l2_error) / std::log(p.h / r.h);
      orders.max[k] = std::log(p.max_error / r.max_error) / std::log(p.h / r.h);
    }
    table << std::setw(6) << r.n << std::scientific << std::setprecision(3) << std::setw(11) << r.h
          << std::setprecision(6) << std::setw(16) << r.max_error << std::setw(16) << r.l2_error
          << std::fixed << std::setprecision(3) << std::setw(11) << orders.l2[k] << std::setw(12)
          << orders.max[k] << std::setw(5) << r.iterations << "\n";
    const double predicted = predicted_max_error(frequency, r.h);
    EXPECT_NEAR(r.max_error, predicted, 1e-4 * predicted) << "n = " << r.n;
  }
  tessera::print_root(table.str());
  return orders;
}

void expect_second_order(const Orders& orders) {
  for (size_t k = orders.l2.size() - 2; k < orders.l2.size(); ++k) {
    EXPECT_GE(orders.l2[k], 1.9) << "L2, refinement " << k;
    EXPECT_LE(orders.l2[k], 2.1) << "L2, refinement " << k;
    EXPECT_GE(orders.max[k], 1.9) << "max, refinement " << k;
    EXPECT_LE(orders.max[k], 2.1) << "max, refinement " << k;
  }
}

TEST(PoissonReference, SecondOrderConvergence) {
  expect_second_order(convergence_study({17, 33, 65, 129}, 1.0));
}

TEST(PoissonReference, HighFrequencySecondOrderConvergence) {
  expect_second_order(convergence_study({33, 65, 129, 257}, 4.0));
}

// sin(πx) sin(πy) + 0.1 sin(8πx) sin(8πy): each mode is scaled by its own discrete factor, so the
// error is the sum of two predicted mode errors; second order once the fine mode is resolved.
TEST(PoissonReference, MultiscaleSecondOrderConvergence) {
  const Poisson2D problem{1.0, 0.1, 8.0};
  std::vector<Result> results;
  for (int n : {33, 65, 129}) results.push_back(solve(n, problem));
  std::ostringstream table;
  table << "Poisson reference, multiscale a = 0.1, m = 8\n     n       L2 error  order\n";
  for (size_t k = 0; k < results.size(); ++k) {
    const auto& r = results[k];
    const double order =
        k == 0 ? 0
               : std::log(results[k - 1].l2_error / r.l2_error) / std::log(results[k - 1].h / r.h);
    table << std::setw(6) << r.n << std::scientific << std::setprecision(3) << std::setw(15)
          << r.l2_error << std::fixed << std::setprecision(2) << std::setw(7) << order << "\n";
    if (k + 1 == results.size()) {
      EXPECT_NEAR(order, 2.0, 0.1);
    }
  }
  tessera::print_root(table.str());
}

// The source is an eigenvector of the discrete operator, so CG alone (or with Jacobi) would
// converge in one step whatever the resolution; the CG + MG count measures how much the V-cycle
// mixes in other modes. The Richardson count (plain V-cycles) measures the multigrid contraction
// factor itself, which without a working hierarchy would grow like 1/h^2.
TEST(PoissonReference, MultigridIterationsDoNotGrowWithResolution) {
  for (const char* ksp : {"cg", "richardson"}) {
    ScopedOption type("-reference_ksp_type", ksp);
    std::vector<int> iterations;
    std::ostringstream line;
    line << ksp << " + mg iterations to rtol 1e-10:";
    for (int n : {33, 65, 129, 257}) {
      iterations.push_back(solve(n, Poisson2D{1.0}).iterations);
      line << "  n = " << n << ": " << iterations.back();
    }
    tessera::print_root(line.str());
    const auto [lo, hi] = std::minmax_element(iterations.begin(), iterations.end());
    EXPECT_LE(*hi - *lo, 2) << ksp;
    EXPECT_LE(*hi, std::string(ksp) == "cg" ? 15 : 25) << ksp;
    EXPECT_LE(iterations.back(), iterations.front() + 1) << ksp << ": count grows with n";
  }
}

// h^2 sum u(x, y) (x + 2 y^2): a moment that no symmetry of the solution hides, so a block
// placed at the wrong position changes it. Collective.
double moment(const Decomposition& decomp, const std::vector<double>& u, double h) {
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  double local = 0, global = 0;
  for (int j = 0; j < count[1]; ++j) {
    for (int i = 0; i < count[0]; ++i) {
      const double x = (start[0] + i) * h, y = (start[1] + j) * h;
      local += u[j * count[0] + i] * (x + 2 * y * y);
    }
  }
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, decomp.comm());
  return h * h * global;
}

// Each rank also solves the whole problem alone and compares its own block of the parallel
// solution with the same block of the serial one: no gather, yet every point is checked.
TEST(PoissonReference, SameSolutionOnEveryProcessGrid) {
  const int n = 65;
  PoissonReferenceConfig config;
  config.points = n;
  config.krylov.rtol = 1e-12;
  const Poisson2D problem{1.0};

  Decomposition serial_decomp(MPI_COMM_SELF, 2, {n, n, 1});
  PoissonReference serial(serial_decomp, problem, config);
  serial.solve();
  const auto whole = serial.local_solution();

  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::array<int, 3> grids[] = {{0, 0, 0}, {size, 1, 1}, {1, size, 1}};
  for (const auto& grid : grids) {
    Decomposition decomp(MPI_COMM_WORLD, 2, {n, n, 1}, grid);
    PoissonReference solver(decomp, problem, config);
    solver.solve();
    const auto u = solver.local_solution();
    const auto& start = decomp.local_start();
    const auto& count = decomp.local_count();
    ASSERT_EQ(u.size(), static_cast<size_t>(decomp.local_size()));
    double local_diff = 0, diff = 0;
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i)
        local_diff = std::max(
            local_diff, std::abs(u[j * count[0] + i] - whole[(start[1] + j) * n + start[0] + i]));
    MPI_Allreduce(&local_diff, &diff, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    const auto& procs = decomp.process_grid();
    EXPECT_LT(diff, 1e-10) << "process grid " << procs[0] << " x " << procs[1];

    // Computed once with this solver on one rank (n = 65, k = 1, rtol 1e-12); process grids
    // agree with it to ~1e-13. The exact solution's moment is 2/pi^2 + 4 (pi^2 - 4)/pi^4 =
    // 0.44367..., the discretisation error moves the 4th digit.
    const double stored = 0.443549303806085;
    const double m = moment(decomp, u, solver.h());
    std::ostringstream line;
    line << std::setprecision(17) << "process grid " << procs[0] << " x " << procs[1] << ": moment "
         << m << ", max |u - u_serial| " << diff << ", iterations " << solver.iterations();
    tessera::print_root(line.str());
    EXPECT_NEAR(m, stored, 1e-10 * std::abs(stored))
        << "process grid " << procs[0] << " x " << procs[1];
  }
}

// Options are set in the global database, as a deck would set them, and removed afterwards.
class PoissonReferenceOptions : public ::testing::Test {
protected:
  void set(const std::string& name, const char* value) { options_.emplace_back(name, value); }
  static bool used(const std::string& name) {
    PetscBool flag = PETSC_FALSE;
    PetscOptionsUsed(nullptr, name.c_str() + 1, &flag);  // the database stores names without '-'
    return flag == PETSC_TRUE;
  }

private:
  std::list<ScopedOption> options_;
};

TEST_F(PoissonReferenceOptions, ConfigReadsItsOptions) {
  set("-reference_points", "65");
  set("-reference_rtol", "1e-8");
  set("-reference_max_iterations", "50");
  tessera::Options options(MPI_COMM_WORLD, 0, nullptr);
  const auto config = PoissonReferenceConfig::from_options(options);
  EXPECT_NO_THROW(options.check());
  EXPECT_EQ(config.points, 65);
  EXPECT_DOUBLE_EQ(config.krylov.rtol, 1e-8);
  EXPECT_EQ(config.krylov.max_iterations, 50);
}

TEST_F(PoissonReferenceOptions, PointsNotTwoToTheKPlusOneAreReported) {
  set("-reference_points", "100");
  tessera::Options options(MPI_COMM_WORLD, 0, nullptr);
  PoissonReferenceConfig::from_options(options);
  try {
    options.check();
    FAIL() << "check() accepted -reference_points 100";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("-reference_points = 100 is not 2^k + 1"), std::string::npos)
        << e.message();
  }
}

// Everything a deck may say to the solver is read by the end of construction, so the app's
// unused-option check can run before the first solve.
TEST_F(PoissonReferenceOptions, PetscOptionsAreReadDuringConstruction) {
  const std::vector<std::string> names = {"-reference_ksp_type",
                                          "-reference_pc_mg_levels",
                                          "-reference_mg_levels_ksp_max_it",
                                          "-reference_ksp_view",
                                          "-reference_ksp_converged_reason",
                                          "-reference_mg_levels_ksp_converged_reason"};
  set(names[0], "cg");
  set(names[1], "3");
  set(names[2], "3");
  for (size_t k = 3; k < names.size(); ++k) set(names[k], "ascii:/dev/null");
  PoissonReferenceConfig config;
  config.points = 33;
  Decomposition decomp(MPI_COMM_WORLD, 2, {33, 33, 1});
  PoissonReference solver(decomp, Poisson2D{}, config);
  for (const auto& name : names) EXPECT_TRUE(used(name)) << name << " was not read";
  solver.solve();
  EXPECT_LE(solver.iterations(), 15);
}

// The source sin(k pi x) sin(k pi y) is an eigenvector of the discrete operator, so CG with any
// constant-diagonal preconditioner converges in one step; Richardson iterations tell the
// preconditioners apart instead.
TEST_F(PoissonReferenceOptions, DeckChoosesTheSolver) {
  PoissonReferenceConfig config;
  config.points = 65;
  Decomposition decomp(MPI_COMM_WORLD, 2, {65, 65, 1});

  set("-reference_ksp_type", "richardson");
  PoissonReference vcycles(decomp, Poisson2D{}, config);
  vcycles.solve();
  EXPECT_GE(vcycles.iterations(), 2);
  EXPECT_LE(vcycles.iterations(), 30);

  // Jacobi damps the smoothest mode by a factor 1 - O(h^2) per iteration: far from 1e-10 in 100.
  set("-reference_pc_type", "jacobi");
  set("-reference_ksp_max_it", "100");
  PoissonReference jacobi(decomp, Poisson2D{}, config);
  try {
    jacobi.solve();
    FAIL() << "Richardson + Jacobi converged in " << jacobi.iterations() << " iterations";
  } catch (const tessera::Error& e) {
    EXPECT_NE(e.message().find("did not converge"), std::string::npos) << e.message();
  }
}

TEST_F(PoissonReferenceOptions, IterationCapIsAFailure) {
  PoissonReferenceConfig config;
  config.points = 65;
  config.krylov.max_iterations = 2;
  Decomposition decomp(MPI_COMM_WORLD, 2, {65, 65, 1});
  PoissonReference capped(decomp, Poisson2D{}, config);
  EXPECT_THROW(capped.solve(), tessera::Error);
}

TEST(PoissonReference, RejectsMismatchedDecomposition) {
  PoissonReferenceConfig config;
  config.points = 65;
  Decomposition decomp(MPI_COMM_WORLD, 2, {33, 33, 1});
  EXPECT_THROW(PoissonReference(decomp, Poisson2D{}, config), tessera::Error);
}

TEST(PoissonReference, NoSolutionBeforeSolve) {
  PoissonReferenceConfig config;
  config.points = 17;
  Decomposition decomp(MPI_COMM_WORLD, 2, {17, 17, 1});
  PoissonReference solver(decomp, Poisson2D{}, config);
  EXPECT_THROW(solver.local_solution(), tessera::Error);
  solver.solve();
  EXPECT_EQ(solver.local_solution().size(), static_cast<size_t>(decomp.local_size()));
}

}  // namespace
