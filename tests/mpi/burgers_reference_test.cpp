// Exact Cole–Hopf reference for viscous Burgers: the Gauss–Hermite rule integrates what it
// should, the quadrature has converged, the shock slope matches the published value, a
// second-order finite-difference solve converges to it, and ranks' blocks tile the (x, t) grid.
#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "physics/burgers.hpp"
#include "reference_test_support.hpp"
#include "solvers/burgers_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Burgers1D;
using tessera::physics::ColeHopfBurgers;
using tessera::physics::gauss_hermite;
using tessera::solvers::BurgersReference;
using tessera::solvers::BurgersReferenceConfig;

TEST(GaussHermite, IntegratesPolynomialsTimesGaussianExactly) {
  for (int n : {1, 2, 7, 40, 201, 600}) {
    const auto rule = gauss_hermite(n);
    ASSERT_EQ(rule.nodes.size(), static_cast<size_t>(n));
    // ∫ z^2k exp(-z²) dz = Γ(k + 1/2); exact for 2k <= 2n - 1.
    for (int k = 0; 2 * k <= std::min(2 * n - 1, 12); ++k) {
      double sum = 0;
      for (int i = 0; i < n; ++i)
        sum += std::exp(rule.log_weights[i]) * std::pow(rule.nodes[i], 2 * k);
      EXPECT_NEAR(sum, std::tgamma(k + 0.5), 1e-12 * std::tgamma(k + 0.5)) << n << ", " << k;
    }
  }
  EXPECT_THROW(gauss_hermite(0), tessera::Error);
}

// ∂u/∂x at x = 0 by a central difference of the exact solution.
double slope_at_origin(const ColeHopfBurgers& u, double t) {
  const double dx = 1e-6;
  return (u(dx, t) - u(-dx, t)) / (2 * dx);
}

// Basdevant et al. (1986): for ν = 0.01/π the steepest gradient, |∂u/∂x| = 152.00516 at x = 0,
// is reached at t = 1.6037/π (the inviscid solution breaks at t = 1/π).
TEST(ColeHopfBurgers, SteepestGradientMatchesBasdevant) {
  const ColeHopfBurgers u(Burgers1D{}, 200);
  double steepest = 0, when = 0;
  for (double t = 0.45; t < 0.57; t += 1e-5) {
    const double slope = -slope_at_origin(u, t);
    if (slope > steepest) {
      steepest = slope;
      when = t;
    }
  }
  std::ostringstream line;
  line << std::setprecision(8) << "Cole-Hopf max |u_x(0, t)| = " << steepest << " at t = " << when
       << " = " << when * M_PI << "/pi (Basdevant et al.: 152.00516 at 1.6037/pi)";
  tessera::print_root(line.str());
  EXPECT_NEAR(steepest, 152.00516, 2e-3);
  EXPECT_NEAR(when * M_PI, 1.6037, 1e-3);
  EXPECT_DOUBLE_EQ(u(0.3, 0.0), -std::sin(M_PI * 0.3));
  EXPECT_NEAR(u(0.3, 1e-9), -std::sin(M_PI * 0.3), 1e-6);
}

TEST(ColeHopfBurgers, QuadratureHasConverged) {
  const ColeHopfBurgers coarse(Burgers1D{}, 100), fine(Burgers1D{}, 200), finest(Burgers1D{}, 400);
  double difference_coarse = 0, difference_fine = 0;
  for (double t : {0.1, 1 / M_PI, 0.5, 1.0})
    for (int i = 0; i <= 400; ++i) {
      const double x = -1 + i / 200.0;
      difference_coarse = std::max(difference_coarse, std::abs(coarse(x, t) - finest(x, t)));
      difference_fine = std::max(difference_fine, std::abs(fine(x, t) - finest(x, t)));
    }
  std::ostringstream line;
  line << "Cole-Hopf quadrature: max |u_100 - u_400| = " << difference_coarse
       << ", max |u_200 - u_400| = " << difference_fine;
  tessera::print_root(line.str());
  EXPECT_LT(difference_fine, 1e-10);
}

// Method of lines on n points of [-1, 1] (u = 0 at both ends): the conservative central flux
// (u²/2)_x and the 3-point ν u_xx, both second order, and SSP-RK3 with a step small enough
// (ν dt/h² = 0.1) that the time error is far below the space error. Returns u at t = t_end.
std::vector<double> finite_difference_solution(const Burgers1D& p, int n, double t_end) {
  const double h = 2.0 / (n - 1), nu = p.viscosity;
  const int steps = static_cast<int>(std::ceil(t_end / (0.1 * h * h / nu)));
  const double dt = t_end / steps;
  std::vector<double> u(n), stage(n), rate(n, 0.0);
  for (int i = 0; i < n; ++i) u[i] = Burgers1D::initial(-1 + i * h);
  u.front() = u.back() = 0;
  auto rhs = [&](const std::vector<double>& v) {
    for (int i = 1; i < n - 1; ++i)
      rate[i] = -(v[i + 1] * v[i + 1] - v[i - 1] * v[i - 1]) / (4 * h) +
                nu * (v[i + 1] - 2 * v[i] + v[i - 1]) / (h * h);
  };
  for (int s = 0; s < steps; ++s) {
    rhs(u);
    for (int i = 0; i < n; ++i) stage[i] = u[i] + dt * rate[i];
    rhs(stage);
    for (int i = 0; i < n; ++i) stage[i] = 0.75 * u[i] + 0.25 * (stage[i] + dt * rate[i]);
    rhs(stage);
    for (int i = 0; i < n; ++i) u[i] = (u[i] + 2 * (stage[i] + dt * rate[i])) / 3;
  }
  return u;
}

TEST(ColeHopfBurgers, FiniteDifferenceSolveConvergesToItAtSecondOrder) {
  const Burgers1D problem;
  const ColeHopfBurgers exact(problem, 200);
  std::ostringstream table;
  table << "Burgers FD (central flux, SSP-RK3) vs Cole-Hopf at t = 1\n"
        << "     n      rel L2    max error  order  seconds\n";
  double previous = 0, previous_h = 0, order = 0;
  for (int n : {513, 1025, 2049}) {
    tessera::Timer timer;
    const auto u = finite_difference_solution(problem, n, 1.0);
    const double seconds = timer.seconds();
    std::vector<double> reference(n);
    for (int i = 0; i < n; ++i) reference[i] = exact(-1 + 2.0 * i / (n - 1), 1.0);
    const auto e = tessera::testing::error_norms(MPI_COMM_SELF, u, reference);
    const double h = 2.0 / (n - 1), relative = e.rms / e.ref_rms;
    if (previous > 0) order = tessera::testing::observed_order(previous, previous_h, relative, h);
    table << std::setw(6) << n << std::scientific << std::setprecision(3) << std::setw(12)
          << relative << std::setw(13) << e.max << std::fixed << std::setprecision(2)
          << std::setw(7) << order << std::setw(9) << seconds << "\n";
    previous = relative;
    previous_h = h;
  }
  tessera::print_root(table.str());
  EXPECT_GE(order, 1.8);
  EXPECT_LE(order, 2.2);
  EXPECT_LT(previous, 1e-3);
}

// h² Σ u(x, t) (x + 2t²) over the whole grid: a moment no symmetry hides, so a block placed at
// the wrong position changes it. Collective.
double moment(const Decomposition& decomp, const std::vector<double>& u) {
  const auto& s = decomp.local_start();
  const auto& c = decomp.local_count();
  double local = 0, global = 0;
  for (int j = 0; j < c[1]; ++j)
    for (int i = 0; i < c[0]; ++i) {
      const double x = tessera::solvers::space_coordinate(decomp, BurgersReference::box, s[0] + i);
      const double t = tessera::solvers::time_coordinate(decomp, BurgersReference::box, s[1] + j);
      local += u[j * c[0] + i] * (x + 2 * t * t);
    }
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, decomp.comm());
  return global;
}

TEST(BurgersReference, BlocksTileTheSpaceTimeGridOnEveryProcessGrid) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const Decomposition serial(MPI_COMM_SELF, 2, {65, 33, 1});
  const BurgersReference whole(serial, Burgers1D{}, BurgersReferenceConfig{});
  const double expected = moment(serial, whole.local_solution());
  for (const std::array<int, 3>& grid :
       std::vector<std::array<int, 3>>{{size, 1, 1}, {1, size, 1}}) {
    const Decomposition decomp(MPI_COMM_WORLD, 2, {65, 33, 1}, grid);
    const BurgersReference reference(decomp, Burgers1D{}, BurgersReferenceConfig{});
    EXPECT_NEAR(moment(decomp, reference.local_solution()), expected, 1e-10 * std::abs(expected));
  }
  const Decomposition line(MPI_COMM_WORLD, 1, {65, 1, 1});
  EXPECT_THROW(BurgersReference(line, Burgers1D{}, BurgersReferenceConfig{}), tessera::Error);
}

}  // namespace
