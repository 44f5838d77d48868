// The Gaussian-process reward surrogate against a posterior computed by hand, and the bandit
// concentrating on the best arm of a synthetic, noisy reward whose best arm depends on the context.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.hpp"
#include "core/gaussian_process.hpp"
#include "dd/interface_bandit.hpp"

namespace {

using namespace tessera;

TEST(GaussianProcess, TwoPointPosteriorMatchesTheHandComputedOne) {
  // σ² = 2, ℓ = 0.5, ρ = 0.25, s² = 0.1; data (c = 0, arm 0, y = 1) and (c = 1, arm 1, y = 3),
  // prior mean (1 + 3) / 2 = 2. At (c = 0.5, arm 0): k* = (2 e^-0.5, 0.5 e^-0.5),
  // K = [[2.1, 0.5 e^-2], [0.5 e^-2, 2.1]], mean = 2 + k*ᵀ K⁻¹ (-1, 1), var = 2 - k*ᵀ K⁻¹ k*,
  // evaluated by hand (2 x 2 inverse) to 1.5523389735853033 and 1.2660095646195437.
  GaussianProcess gp({2.0, 0.5, 0.25}, 0.1);
  const auto prior = gp.predict({0.5}, 0);
  EXPECT_DOUBLE_EQ(prior.mean, 0.0);
  EXPECT_DOUBLE_EQ(prior.variance, 2.0);
  gp.add({0.0}, 0, 1.0);
  gp.add({1.0}, 1, 3.0);
  EXPECT_DOUBLE_EQ(gp.prior_mean(), 2.0);
  const auto p = gp.predict({0.5}, 0);
  EXPECT_NEAR(p.mean, 1.5523389735853033, 1e-14);
  EXPECT_NEAR(p.variance, 1.2660095646195437, 1e-14);
  // At a data point the posterior shrinks towards the observation, variance below the noise.
  const auto q = gp.predict({0.0}, 0);
  EXPECT_NEAR(q.mean, 1.0, 0.1);
  EXPECT_LT(q.variance, 0.1);
}

TEST(GaussianProcess, RejectsBadHyperparameters) {
  EXPECT_THROW(GaussianProcess({1.0, 0.0, 0.0}, 0.1), Error);
  EXPECT_THROW(GaussianProcess({1.0, 1.0, 1.0}, 0.1), Error);
  EXPECT_THROW(GaussianProcess({1.0, 1.0, 0.0}, 0.0), Error);
}

TEST(InterfaceBandit, ConcentratesOnTheBestArmOfEachContext) {
  // Reward 1 - 0.5 |a - c| + N(0, 0.05²): arm c is best at context c (c = 0, 1, 2), arm 3 never.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.05);
  dd::InterfaceBandit bandit(4, {1.0, 1.0, 0.2}, 0.05 * 0.05, 2.0);
  const int rounds = 90;
  int best_late = 0, late = 0;
  double regret_early = 0, regret_late = 0;
  for (int t = 0; t < rounds; ++t) {
    const int c = t % 3;
    const int a = bandit.choose({double(c)});
    const double mean = 1.0 - 0.5 * std::abs(a - c);
    bandit.observe({double(c)}, a, mean + noise(rng));
    (t < rounds / 3 ? regret_early : regret_late) += 1.0 - mean;
    if (t >= 2 * rounds / 3) {
      ++late;
      best_late += a == c ? 1 : 0;
    }
  }
  std::printf(
      "bandit: best arm in %d of the last %d rounds; regret %.2f in the first third, "
      "%.2f in the last two\n",
      best_late, late, regret_early, regret_late);
  EXPECT_GE(best_late, late * 9 / 10);
  EXPECT_LT(regret_late, regret_early);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(bandit.recommend({double(c)}), c) << "context " << c;
}

}  // namespace
