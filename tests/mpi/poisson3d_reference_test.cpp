// PETSc reference solver for 3D Poisson (smooth and multiscale manufactured solutions): the
// discrete solution matches its closed form on every process grid, the error converges at second
// order, multigrid iteration counts stay flat, and bad sizes are reported.
#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "physics/poisson3d.hpp"
#include "reference_test_support.hpp"
#include "solvers/poisson3d_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Poisson3D;
using tessera::solvers::Poisson3DReference;
using tessera::solvers::Poisson3DReferenceConfig;
using tessera::testing::ScopedOption;

// sin(kπx) sin(kπy) sin(kπz) is an eigenvector of the 7-point Laplacian with eigenvalue
// 12 sin²(kπh/2) / h², so the discrete solution of -Δ_h u = f is each mode of u scaled by
// 3k²π² / λ_h(k): known in closed form at every grid point.
double discrete_solution(const Poisson3D& p, double h, double x, double y, double z) {
  auto scale = [h](double k) {
    const double s = std::sin(k * M_PI * h / 2);
    return 3 * k * k * M_PI * M_PI * h * h / (12 * s * s);
  };
  const double m = p.multiscale_frequency;
  return scale(1) * Poisson3D::mode(1, x, y, z) +
         p.multiscale_amplitude * scale(m) * Poisson3D::mode(m, x, y, z);
}

struct Result {
  int n = 0, iterations = 0;
  double h = 0, seconds = 0;
  tessera::testing::ErrorNorms to_exact, to_discrete;
};

// Collective. Solves on n^3 over the process grid `grid` (0: MPI_Dims_create) and compares this
// rank's block with the exact and the closed-form discrete solutions.
Result solve(const Poisson3D& problem, int n, std::array<int, 3> grid = {0, 0, 0}) {
  Poisson3DReferenceConfig config;
  config.points = n;
  config.krylov.rtol = 1e-12;
  Decomposition decomp(MPI_COMM_WORLD, 3, {n, n, n}, grid);
  tessera::Timer timer;
  Poisson3DReference solver(decomp, problem, config);
  solver.solve();
  Result r;
  r.seconds = timer.seconds();
  r.n = n;
  r.h = solver.h();
  r.iterations = solver.iterations();
  const auto u = solver.local_solution();
  const double h = r.h;
  const auto exact = tessera::testing::block_values(
      decomp, [&](int i, int j, int k) { return problem.exact(i * h, j * h, k * h); });
  const auto discrete = tessera::testing::block_values(decomp, [&](int i, int j, int k) {
    return discrete_solution(problem, h, i * h, j * h, k * h);
  });
  r.to_exact = tessera::testing::error_norms(decomp.comm(), u, exact);
  r.to_discrete = tessera::testing::error_norms(decomp.comm(), u, discrete);
  return r;
}

// Prints the table and checks: every solution equals its closed form to the solver tolerance,
// the last refinements are second order, and the iteration count does not grow.
void expect_second_order(const Poisson3D& problem, const std::vector<int>& points,
                         const char* what) {
  std::vector<Result> results;
  for (int n : points) results.push_back(solve(problem, n));
  std::ostringstream table;
  table << "3D Poisson reference, " << what << "\n"
        << "    n    max error     rel L2   order  its  seconds\n";
  for (size_t k = 0; k < results.size(); ++k) {
    const auto& r = results[k];
    const double order =
        k == 0 ? 0
               : tessera::testing::observed_order(results[k - 1].to_exact.rms, results[k - 1].h,
                                                  r.to_exact.rms, r.h);
    table << std::setw(5) << r.n << std::scientific << std::setprecision(3) << std::setw(13)
          << r.to_exact.max << std::setw(11) << r.to_exact.rms / r.to_exact.ref_rms << std::fixed
          << std::setprecision(2) << std::setw(8) << order << std::setw(5) << r.iterations
          << std::setw(9) << r.seconds << "\n";
    EXPECT_LT(r.to_discrete.max, 1e-9) << "n = " << r.n << ": not the discrete solution";
    if (k + 1 == results.size()) {
      EXPECT_GE(order, 1.9) << what;
      EXPECT_LE(order, 2.1) << what;
      EXPECT_LE(r.iterations, results.front().iterations + 2) << what << ": iterations grow";
    }
  }
  tessera::print_root(table.str());
}

TEST(Poisson3DReference, SmoothSecondOrder) {
  expect_second_order(Poisson3D{}, {9, 17, 33}, "smooth");
}

TEST(Poisson3DReference, MultiscaleSecondOrder) {
  expect_second_order(Poisson3D{0.1, 8}, {17, 33, 65}, "multiscale a = 0.1, m = 8");
}

// Slabs along each direction: the same closed-form solution whatever the process grid.
TEST(Poisson3DReference, SameSolutionOnEveryProcessGrid) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (const std::array<int, 3>& grid :
       std::vector<std::array<int, 3>>{{size, 1, 1}, {1, size, 1}, {1, 1, size}}) {
    const Result r = solve(Poisson3D{0.1, 4}, 17, grid);
    EXPECT_LT(r.to_discrete.max, 1e-9) << grid[0] << " x " << grid[1] << " x " << grid[2];
  }
}

TEST(Poisson3DReference, BadSizesAreReported) {
  ScopedOption points("-poisson3d_reference_points", "40");
  tessera::Options options(MPI_COMM_WORLD, 0, nullptr);
  Poisson3DReferenceConfig::from_options(options);
  try {
    options.check();
    FAIL() << "check() accepted -poisson3d_reference_points 40";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("-poisson3d_reference_points = 40 is not 2^k + 1"),
              std::string::npos)
        << e.message();
  }
  Poisson3DReferenceConfig config;
  config.points = 17;
  Decomposition flat(MPI_COMM_WORLD, 2, {17, 17, 1});
  EXPECT_THROW(Poisson3DReference(flat, Poisson3D{}, config), tessera::Error);
  Decomposition other(MPI_COMM_WORLD, 3, {33, 33, 33});
  EXPECT_THROW(Poisson3DReference(other, Poisson3D{}, config), tessera::Error);
}

}  // namespace
