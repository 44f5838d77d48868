// PETSc reference for the 3D heat equation (7-point Laplacian, Crank–Nicolson, CG + multigrid):
// the solution equals its fully discrete closed form on every process grid, and converges at
// second order in space and in time.
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
#include "physics/heat.hpp"
#include "reference_test_support.hpp"
#include "solvers/heat_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Heat3D;
using tessera::solvers::HeatReference;
using tessera::solvers::HeatReferenceConfig;

// The sine mode is an eigenvector of -Δ_h with eigenvalue λ_h = 12 sin²(mπh/2)/h², so after N
// Crank–Nicolson steps of dt the discrete solution is the initial one times
// g^N, g = (1 - κ dt λ_h / 2) / (1 + κ dt λ_h / 2); the semi-discrete one (dt -> 0) is
// exp(-κ λ_h t).
double eigenvalue(const Heat3D& p, double h) {
  const double s = std::sin(p.mode * M_PI * h / 2);
  return 12 * s * s / (h * h);
}

struct HeatRun {
  double h = 0, dt = 0, seconds = 0;
  int steps = 0, iterations = 0;
  tessera::testing::ErrorNorms to_exact, to_fully_discrete, to_semi_discrete;
};

HeatRun run(const Heat3D& problem, int n, double dt, double t_end,
            std::array<int, 3> grid = {0, 0, 0}) {
  HeatReferenceConfig config;
  config.points = n;
  config.time_step = dt;
  Decomposition decomp(MPI_COMM_WORLD, 3, {n, n, n}, grid);
  tessera::Timer timer;
  HeatReference solver(decomp, problem, config);
  solver.advance_to(t_end / 2);  // two calls: the step size must survive an output time
  solver.advance_to(t_end);
  HeatRun r;
  r.seconds = timer.seconds();
  r.h = solver.h();
  r.dt = dt;
  r.steps = solver.steps();
  r.iterations = solver.iterations();
  const double lambda = eigenvalue(problem, r.h), c = problem.diffusivity * dt * lambda / 2;
  const double fully = std::pow((1 - c) / (1 + c), r.steps);
  const double semi = std::exp(-problem.diffusivity * lambda * t_end);
  const auto u = solver.local_solution();
  const double h = r.h;
  const auto initial = tessera::testing::block_values(
      decomp, [&](int i, int j, int k) { return problem.initial(i * h, j * h, k * h); });
  const auto exact = tessera::testing::block_values(
      decomp, [&](int i, int j, int k) { return problem.exact(i * h, j * h, k * h, t_end); });
  std::vector<double> fully_discrete(initial), semi_discrete(initial);
  for (double& value : fully_discrete) value *= fully;
  for (double& value : semi_discrete) value *= semi;
  r.to_exact = tessera::testing::error_norms(decomp.comm(), u, exact);
  r.to_fully_discrete = tessera::testing::error_norms(decomp.comm(), u, fully_discrete);
  r.to_semi_discrete = tessera::testing::error_norms(decomp.comm(), u, semi_discrete);
  return r;
}

// Prints the table and returns the last observed order of `error(run)` against `spacing(run)`.
template <typename Error, typename Spacing>
double study(const std::vector<HeatRun>& runs, const char* what, Error error, Spacing spacing) {
  std::ostringstream table;
  table << "Heat 3D reference, " << what << "\n"
        << "       h       dt      rel L2   order  steps  its  seconds\n";
  double order = 0;
  for (size_t k = 0; k < runs.size(); ++k) {
    const auto& r = runs[k];
    if (k > 0)
      order = tessera::testing::observed_order(error(runs[k - 1]), spacing(runs[k - 1]), error(r),
                                               spacing(r));
    table << std::fixed << std::setprecision(4) << std::setw(8) << r.h << std::setw(9) << r.dt
          << std::scientific << std::setprecision(3) << std::setw(12) << error(r) << std::fixed
          << std::setprecision(2) << std::setw(8) << order << std::setw(7) << r.steps
          << std::setw(5) << r.iterations << std::setw(9) << r.seconds << "\n";
    EXPECT_LT(r.to_fully_discrete.max, 1e-9) << "h = " << r.h << ", dt = " << r.dt;
  }
  tessera::print_root(table.str());
  return order;
}

TEST(HeatReference, SecondOrderInSpaceAndTime) {
  const Heat3D problem;
  std::vector<HeatRun> runs;
  for (int n : {9, 17, 33}) runs.push_back(run(problem, n, 1.0 / (n - 1), 0.25));
  const double order = study(
      runs, "dt = h, error against the exact solution at t = 0.25",
      [](const HeatRun& r) { return r.to_exact.rms / r.to_exact.ref_rms; },
      [](const HeatRun& r) { return r.h; });
  EXPECT_NEAR(order, 2.0, 0.1);
}

TEST(HeatReference, SecondOrderInTime) {
  const Heat3D problem{0.05, 2};
  std::vector<HeatRun> runs;
  for (double dt : {0.1, 0.05, 0.025}) runs.push_back(run(problem, 17, dt, 1.0));
  const double order = study(
      runs, "m = 2, n = 17, error against the semi-discrete solution at t = 1",
      [](const HeatRun& r) { return r.to_semi_discrete.rms / r.to_semi_discrete.ref_rms; },
      [](const HeatRun& r) { return r.dt; });
  EXPECT_NEAR(order, 2.0, 0.1);
}

TEST(HeatReference, SameSolutionOnEveryProcessGrid) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (const std::array<int, 3>& grid :
       std::vector<std::array<int, 3>>{{size, 1, 1}, {1, size, 1}, {1, 1, size}}) {
    const HeatRun r = run(Heat3D{0.1, 1}, 17, 0.05, 0.5, grid);
    EXPECT_LT(r.to_fully_discrete.max, 1e-9) << grid[0] << " x " << grid[1] << " x " << grid[2];
  }
}

TEST(HeatReference, BadSizesAreReported) {
  tessera::testing::ScopedOption points("-heat_reference_points", "20");
  tessera::Options options(MPI_COMM_WORLD, 0, nullptr);
  HeatReferenceConfig::from_options(options);
  EXPECT_THROW(options.check(), tessera::InputError);
  HeatReferenceConfig config;
  config.points = 17;
  const Decomposition other(MPI_COMM_WORLD, 3, {33, 33, 33});
  EXPECT_THROW(HeatReference(other, Heat3D{}, config), tessera::Error);
}

}  // namespace
