// Adam and L-BFGS minimise functions with known minimisers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "nn/adam.hpp"
#include "nn/lbfgs.hpp"
#include "nn/schedule.hpp"

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

TEST(Adam, WeightDecayAddsTheL2TermToTheGradientAsTorchAdam) {
  // torch.optim.Adam(weight_decay=w): g <- g + w x before the moments (not AdamW). Two steps by
  // hand from x0 = (1, -2), g = (0.5, 0) both times, lr 0.1, w 0.01 (the second coordinate moves
  // only through the decay term).
  const double lr = 0.1, w = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  Vector x("x", 2), g("g", 2);
  auto hx0 = Kokkos::create_mirror_view(x);
  hx0(0) = 1.0, hx0(1) = -2.0;
  Kokkos::deep_copy(x, hx0);
  auto hg = Kokkos::create_mirror_view(g);
  hg(0) = 0.5, hg(1) = 0.0;
  Kokkos::deep_copy(g, hg);
  AdamConfig config;
  config.learning_rate = lr;
  config.weight_decay = w;
  Adam adam(config, 2);
  adam.step(x, g);
  adam.step(x, g);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  auto hgrad = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g);
  EXPECT_EQ(hgrad(0), 0.5);  // the caller's gradient is not modified
  const double start[2] = {1.0, -2.0}, grad[2] = {0.5, 0.0};
  for (int i = 0; i < 2; ++i) {
    double xi = start[i], m = 0, v = 0;
    for (int t = 1; t <= 2; ++t) {
      const double gi = grad[i] + w * xi;
      m = b1 * m + (1 - b1) * gi;
      v = b2 * v + (1 - b2) * gi * gi;
      xi -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
    }
    EXPECT_NEAR(hx(i), xi, 1e-14) << "coordinate " << i;
  }
  // The decay alone moves the second coordinate towards 0 by about lr per step.
  EXPECT_NEAR(hx(1), -2.0 + 2 * lr, 1e-3);
}

TEST(LearningRateSchedule, ValuesAtKnownIterations) {
  LearningRateSchedule s;
  s.initial = 1e-2;
  s.final = 1e-4;
  s.iterations = 101;
  s.step_every = 30;
  s.step_factor = 0.1;
  s.decay = LearningRateDecay::Exponential;  // geometric: the midpoint is the geometric mean
  EXPECT_DOUBLE_EQ(s.at(0), 1e-2);
  EXPECT_NEAR(s.at(50), 1e-3, 1e-15);
  EXPECT_NEAR(s.at(100), 1e-4, 1e-17);
  s.decay = LearningRateDecay::Cosine;  // the midpoint is the arithmetic mean, the ends are flat
  EXPECT_DOUBLE_EQ(s.at(0), 1e-2);
  EXPECT_NEAR(s.at(50), 0.5 * (1e-2 + 1e-4), 1e-15);
  EXPECT_NEAR(s.at(100), 1e-4, 1e-17);
  EXPECT_NEAR(s.at(1), 1e-2 - 0.5 * (1e-2 - 1e-4) * (1 - std::cos(M_PI / 100)), 1e-17);
  EXPECT_LT(s.at(1) - s.at(0), 0.0);
  s.decay = LearningRateDecay::Step;
  EXPECT_DOUBLE_EQ(s.at(29), 1e-2);
  EXPECT_DOUBLE_EQ(s.at(30), 1e-3);
  EXPECT_NEAR(s.at(95), 1e-5, 1e-19);
  s.decay = LearningRateDecay::Constant;
  EXPECT_DOUBLE_EQ(s.at(77), 1e-2);
  for (auto d : {LearningRateDecay::Exponential, LearningRateDecay::Cosine, LearningRateDecay::Step,
                 LearningRateDecay::Constant})
    EXPECT_EQ(learning_rate_decay_from_name(learning_rate_decay_name(d)), d);
}

/// Adam on the ill-conditioned quadratic with noisy gradients (seeded N(0, 1) added to every
/// component, as minibatch noise); returns the exact final value.
double adam_with_schedule(LearningRateDecay decay, int iterations) {
  const int n = 20;
  Vector x("x", n), g("g", n);
  Quadratic f;
  LearningRateSchedule s;
  s.decay = decay;
  s.initial = 0.1;
  s.final = 1e-4;
  s.iterations = iterations;
  s.step_every = iterations / 4;
  s.step_factor = 0.1;
  Adam adam({s.initial}, n);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (int k = 0; k < iterations; ++k) {
    f.value_and_gradient(x, g);
    auto hg = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g);
    for (int i = 0; i < n; ++i) hg(i) += noise(rng);
    Kokkos::deep_copy(g, hg);
    adam.step(x, g, s.at(k));
  }
  return f.value_and_gradient(x, g);
}

TEST(LearningRateSchedule, DecayLetsAdamSettleWhereAConstantRateCannot) {
  // With noisy gradients a constant rate leaves Adam bouncing around the minimiser with steps of
  // about the rate; a decaying schedule from the same start shrinks the steps and settles.
  const int iterations = 2000;
  const double constant = adam_with_schedule(LearningRateDecay::Constant, iterations);
  const double cosine = adam_with_schedule(LearningRateDecay::Cosine, iterations);
  const double exponential = adam_with_schedule(LearningRateDecay::Exponential, iterations);
  const double step = adam_with_schedule(LearningRateDecay::Step, iterations);
  std::printf(
      "noisy quadratic after %d Adam steps from lr 0.1: constant %.3e, cosine %.3e, "
      "exponential %.3e, step %.3e\n",
      iterations, constant, cosine, exponential, step);
  EXPECT_LT(cosine, 0.05 * constant);
  EXPECT_LT(exponential, 0.05 * constant);
  EXPECT_LT(step, 0.05 * constant);
}

}  // namespace
