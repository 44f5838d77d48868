// UCB1 on synthetic problems: it concentrates on the cheapest arm, and it keeps trying an arm
// whose cost it has barely seen.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/bandit.hpp"

namespace {

// Five arms with mean costs 14, 12, 10, 11, 13 (say, iteration counts) and Gaussian noise of
// standard deviation 1: arm 2 is the best, by one unit over the next.
double noisy_cost(int arm, std::mt19937& rng) {
  static const double mean[] = {14, 12, 10, 11, 13};
  std::normal_distribution<double> noise(0.0, 1.0);
  return mean[arm] + noise(rng);
}

TEST(Ucb1Bandit, ConcentratesOnTheCheapestArm) {
  for (const double exploration : {0.3, 0.7}) {
    tessera::Ucb1Bandit bandit(5, exploration);
    std::mt19937 rng(7);
    const int rounds = 400;
    for (int t = 0; t < rounds; ++t) {
      const int arm = bandit.choose();
      bandit.record(arm, noisy_cost(arm, rng));
    }
    const auto& pulls = bandit.pulls();
    EXPECT_EQ(bandit.total_pulls(), rounds);
    EXPECT_EQ(bandit.best_arm(), 2) << "exploration " << exploration;
    EXPECT_GT(pulls[2], rounds * 6 / 10) << "exploration " << exploration;
    // The worst arms cost 3 and 4 units more; each is pulled only a few times.
    EXPECT_LT(pulls[0], rounds / 20) << "exploration " << exploration;
    EXPECT_LT(pulls[4], rounds / 20) << "exploration " << exploration;
  }
}

TEST(Ucb1Bandit, TriesEveryArmOnceInOrderFirst) {
  tessera::Ucb1Bandit bandit(3);
  for (int a = 0; a < 3; ++a) {
    EXPECT_EQ(bandit.choose(), a);
    bandit.record(a, 5.0 - a);
  }
  EXPECT_EQ(bandit.best_arm(), 2);
}

TEST(Ucb1Bandit, ExplorationRevisitsAnUnluckyArm) {
  // Arm 0 is truly best but its first pull was unlucky; with exploration it is tried again,
  // without it (c = 0) the bandit is greedy and never returns.
  for (const double exploration : {0.0, 1.0}) {
    tessera::Ucb1Bandit bandit(2, exploration);
    bandit.record(0, 20.0);
    bandit.record(1, 12.0);
    int pulls_of_0 = 0;
    for (int t = 0; t < 50; ++t) {
      const int arm = bandit.choose();
      pulls_of_0 += arm == 0;
      bandit.record(arm, arm == 0 ? 10.0 : 12.0);
    }
    if (exploration == 0.0)
      EXPECT_EQ(pulls_of_0, 0);
    else
      EXPECT_GT(pulls_of_0, 25);
  }
}

TEST(Ucb1Bandit, RejectsBadArguments) {
  EXPECT_THROW(tessera::Ucb1Bandit(0), tessera::Error);
  EXPECT_THROW(tessera::Ucb1Bandit(2, -1.0), tessera::Error);
  tessera::Ucb1Bandit bandit(2);
  EXPECT_THROW(bandit.record(2, 1.0), tessera::Error);
}

}  // namespace
