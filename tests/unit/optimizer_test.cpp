// Adam and L-BFGS minimise functions with known minimisers.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/adam.hpp"
#include "nn/lbfgs.hpp"

namespace {

using namespace tessera::nn;

/// Extended Rosenbrock: sum over pairs of 100 (x_2i+1 - x_2i^2)^2 + (1 - x_2i)^2; minimum 0 at 1.
class Rosenbrock : public Objective {
public:
  double value_and_gradient(const Vector& x, const Vector& g) override {
    auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
    auto hg = Kokkos::create_mirror_view(g);
    double f = 0;
    for (size_t i = 0; i + 1 < hx.extent(0); i += 2) {
      const double a = hx(i + 1) - hx(i) * hx(i), b = 1 - hx(i);
      f += 100 * a * a + b * b;
      hg(i) = -400 * a * hx(i) - 2 * b;
      hg(i + 1) = 200 * a;
    }
    Kokkos::deep_copy(g, hg);
    ++evaluations;
    return f;
  }
  int evaluations = 0;
};

/// Ill-conditioned quadratic sum_i c_i (x_i - t_i)^2 with c_i from 1 to 100.
class Quadratic : public Objective {
public:
  double value_and_gradient(const Vector& x, const Vector& g) override {
    auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
    auto hg = Kokkos::create_mirror_view(g);
    double f = 0;
    for (size_t i = 0; i < hx.extent(0); ++i) {
      const double c = 1.0 + 99.0 * i / (hx.extent(0) - 1), t = 0.5 * i - 1.0;
      f += c * (hx(i) - t) * (hx(i) - t);
      hg(i) = 2 * c * (hx(i) - t);
    }
    Kokkos::deep_copy(g, hg);
    return f;
  }
};

TEST(Lbfgs, MinimisesExtendedRosenbrock) {
  const int n = 10;
  Vector x("x", n);
  auto hx = Kokkos::create_mirror_view(x);
  for (int i = 0; i < n; ++i) hx(i) = (i % 2 == 0) ? -1.2 : 1.0;  // the classic start
  Kokkos::deep_copy(x, hx);
  Rosenbrock f;
  LbfgsConfig config;
  config.max_iterations = 500;
  config.history = 10;
  config.gradient_tolerance = 1e-9;
  config.function_tolerance = 0;  // stop on the gradient alone
  int monitored = 0;
  Lbfgs lbfgs(config, n);
  const auto r = lbfgs.minimize(f, x, [&](int, double, int) { ++monitored; });
  Kokkos::deep_copy(hx, x);
  EXPECT_EQ(r.reason, LbfgsStop::GradientTolerance) << stop_reason(r.reason);
  EXPECT_LT(r.value, 1e-16);
  for (int i = 0; i < n; ++i) EXPECT_NEAR(hx(i), 1.0, 1e-7);
  EXPECT_LT(r.iterations, 200);
  EXPECT_EQ(monitored, r.iterations);
  EXPECT_EQ(f.evaluations, r.evaluations);
}

TEST(Lbfgs, ReportsIterationLimit) {
  Vector x("x", 2);
  Kokkos::deep_copy(x, -1.0);
  Rosenbrock f;
  LbfgsConfig config;
  config.max_iterations = 3;
  Lbfgs lbfgs(config, 2);
  const auto r = lbfgs.minimize(f, x);
  EXPECT_EQ(r.reason, LbfgsStop::MaxIterations);
  EXPECT_EQ(r.iterations, 3);
  EXPECT_GT(r.value, 1e-3);
}

TEST(Adam, MinimisesIllConditionedQuadratic) {
  const int n = 20;
  Vector x("x", n), g("g", n);
  Quadratic f;
  Adam adam({0.05}, n);
  double value = 0;
  for (int k = 0; k < 3000; ++k) {
    value = f.value_and_gradient(x, g);
    adam.step(x, g);
  }
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  EXPECT_LT(value, 1e-8);
  for (int i = 0; i < n; ++i) EXPECT_NEAR(hx(i), 0.5 * i - 1.0, 1e-4);
  EXPECT_EQ(adam.steps(), 3000);
}

TEST(Adam, FirstStepMovesEveryCoordinateByTheLearningRate) {
  // With bias correction, step one is lr * g / (|g| + eps): a known, exact figure.
  Vector x("x", 3), g("g", 3);
  auto hg = Kokkos::create_mirror_view(g);
  hg(0) = 2.0, hg(1) = -0.5, hg(2) = 1e-3;
  Kokkos::deep_copy(g, hg);
  Adam adam({0.01}, 3);
  adam.step(x, g);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  EXPECT_NEAR(hx(0), -0.01 * 2.0 / (2.0 + 1e-8), 1e-15);
  EXPECT_NEAR(hx(1), 0.01 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(hx(2), -0.01 * 1e-3 / (1e-3 + 1e-8), 1e-15);
}

}  // namespace
