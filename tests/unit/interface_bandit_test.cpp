// The Gaussian-process reward surrogate against a posterior computed by hand, its joint posterior
// draws against the posterior's mean and covariance, and the bandit (GP-UCB and Thompson sampling)
// concentrating on the best arm of a synthetic, noisy reward whose best arm depends on the context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

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

/// The synthetic reward of the bandit tests: 1 - 0.5 |a - c| + N(0, 0.05²), so arm c is best at
/// context c (c = 0, 1, 2) and arm 3 never. Plays rounds, contexts in turn; prints and checks that
/// the bandit settles on the best arm and that its regret falls.
void expect_bandit_learns(dd::InterfaceBandit& bandit, const char* name) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.05);
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
      "%s: best arm in %d of the last %d rounds; regret %.2f in the first third, "
      "%.2f in the last two\n",
      name, best_late, late, regret_early, regret_late);
  EXPECT_GE(best_late, late * 9 / 10);
  EXPECT_LT(regret_late, regret_early);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(bandit.recommend({double(c)}), c) << "context " << c;
}

TEST(InterfaceBandit, ConcentratesOnTheBestArmOfEachContext) {
  dd::InterfaceBandit bandit(4, {1.0, 1.0, 0.2}, 0.05 * 0.05, 2.0);
  EXPECT_EQ(bandit.policy(), dd::BanditPolicy::Ucb);
  expect_bandit_learns(bandit, "GP-UCB");
}

TEST(InterfaceBandit, ThompsonSamplingConcentratesOnTheBestArmOfEachContext) {
  dd::InterfaceBandit bandit(4, {1.0, 1.0, 0.2}, 0.05 * 0.05, {{0.0}, {1.0}, {2.0}}, 7);
  EXPECT_EQ(bandit.policy(), dd::BanditPolicy::Thompson);
  expect_bandit_learns(bandit, "Thompson sampling");
}

TEST(InterfaceBandit, ThompsonSamplingIsDeterministicGivenItsSeed) {
  // The same seed and rewards give the same choices; the draws are what chooses, so another
  // seed gives another sequence while the posterior is still wide.
  std::vector<int> runs[3];
  const std::uint64_t seeds[3] = {3, 3, 4};
  for (int r = 0; r < 3; ++r) {
    dd::InterfaceBandit bandit(5, {1.0, 1.0, 0.3}, 0.01, {{1.0}, {2.0}}, seeds[r]);
    for (int t = 0; t < 12; ++t) {
      const double c = 1.0 + t % 2;
      const int a = bandit.choose({c});
      runs[r].push_back(a);
      bandit.observe({c}, a, 0.1 * a - 0.2 * c);
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_NE(runs[0], runs[2]);
}

TEST(GaussianProcess, JointDrawsHaveThePosteriorMeanAndCovariance) {
  // Three observations; six points over two contexts and three arms, one of them an observed
  // pair. The joint prediction's diagonal is predict()'s; 20000 draws (fixed seed) reproduce the
  // posterior mean within 5 standard errors and the covariance within 5 standard errors of a
  // sample covariance, sqrt((C_ij² + C_ii C_jj) / N).
  GaussianProcess gp({1.0, 1.0, 0.3}, 0.01);
  gp.add({1.0}, 0, 0.5);
  gp.add({2.0}, 1, -0.2);
  gp.add({1.5}, 2, 0.3);
  std::vector<GaussianProcess::Point> points;
  for (double c : {1.0, 3.0})
    for (int a = 0; a < 3; ++a) points.push_back({{c}, a});
  const auto joint = gp.predict_joint(points);
  const int m = static_cast<int>(points.size());
  for (int i = 0; i < m; ++i) {
    const auto p = gp.predict(points[i].context, points[i].arm);
    EXPECT_NEAR(joint.mean[i], p.mean, 1e-12) << i;
    EXPECT_NEAR(joint.covariance[i * m + i], p.variance, 1e-12) << i;
  }
  const int n = 20000;
  std::uint64_t state = 2024;
  std::vector<double> mean(m, 0.0), second(m * m, 0.0);
  for (int s = 0; s < n; ++s) {
    const auto f = gp.sample(points, state);
    for (int i = 0; i < m; ++i) {
      mean[i] += f[i] / n;
      for (int j = 0; j < m; ++j) second[i * m + j] += f[i] * f[j] / n;
    }
  }
  double worst_mean = 0, worst_covariance = 0;  // in standard errors
  for (int i = 0; i < m; ++i) {
    const double cii = joint.covariance[i * m + i];
    const double se = std::sqrt(cii / n);
    EXPECT_NEAR(mean[i], joint.mean[i], 5 * se + 1e-12) << "mean " << i;
    if (se > 0) worst_mean = std::max(worst_mean, std::abs(mean[i] - joint.mean[i]) / se);
    for (int j = 0; j < m; ++j) {
      const double cij = joint.covariance[i * m + j], cjj = joint.covariance[j * m + j];
      const double sample = second[i * m + j] - mean[i] * mean[j];
      const double se_c = std::sqrt((cij * cij + cii * cjj) / n);
      EXPECT_NEAR(sample, cij, 5 * se_c + 1e-12) << "covariance " << i << ", " << j;
      if (se_c > 0) worst_covariance = std::max(worst_covariance, std::abs(sample - cij) / se_c);
    }
  }
  std::printf("joint draws: worst mean error %.2f, worst covariance error %.2f standard errors\n",
              worst_mean, worst_covariance);
  // The observed pair's variance is below the noise; an unobserved context keeps most of the prior.
  EXPECT_LT(joint.covariance[0], 0.01);
  EXPECT_GT(joint.covariance[3 * m + 3], 0.5);
}

}  // namespace
