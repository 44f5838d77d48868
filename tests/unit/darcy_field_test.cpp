// The random permeability fields of the Darcy data set: standard normal draws, a tabulation that
// equals the pointwise field, reproducible samples, and the AR(1) correlation between samples.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "physics/darcy.hpp"

namespace {

using tessera::physics::counter_normal;
using tessera::physics::PermeabilityFieldConfig;
using tessera::physics::PermeabilitySequence;

TEST(CounterNormal, HasStandardNormalMoments) {
  const int draws = 200000;
  double sum = 0, sum2 = 0, sum4 = 0;
  for (int i = 0; i < draws; ++i) {
    const double z = counter_normal(11, 3, i);
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
  }
  // Standard errors: 1/sqrt(N) = 2.2e-3 for the mean, sqrt(2/N) = 3.2e-3 for the variance,
  // sqrt(96/N) = 2.2e-2 for the fourth moment (3 for a normal law).
  EXPECT_NEAR(sum / draws, 0.0, 0.01);
  EXPECT_NEAR(sum2 / draws, 1.0, 0.015);
  EXPECT_NEAR(sum4 / draws, 3.0, 0.1);
  EXPECT_EQ(counter_normal(11, 3, 5), counter_normal(11, 3, 5));
  EXPECT_NE(counter_normal(11, 3, 5), counter_normal(11, 4, 5));
  EXPECT_NE(counter_normal(11, 3, 5), counter_normal(12, 3, 5));
}

TEST(PermeabilitySequence, TabulationEqualsThePointwiseField) {
  PermeabilitySequence field(PermeabilityFieldConfig{});
  field.advance_to(3);
  const double h = 1.0 / 32;
  const auto values = field.tabulate(5, 7, 2, 4, h);
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 7; ++i)
      EXPECT_NEAR(values[j * 7 + i], field.permeability((5 + i) * h, (2 + j) * h), 1e-12);
}

TEST(PermeabilitySequence, SampleDependsOnlyOnSeedAndIndex) {
  PermeabilityFieldConfig config;
  PermeabilitySequence stepped(config), jumped(config);
  for (int s = 0; s <= 6; ++s) stepped.advance_to(s);
  jumped.advance_to(6);
  EXPECT_EQ(stepped.log_permeability(0.3, 0.7), jumped.log_permeability(0.3, 0.7));
  config.seed += 1;
  PermeabilitySequence other(config);
  other.advance_to(6);
  EXPECT_NE(other.log_permeability(0.3, 0.7), jumped.log_permeability(0.3, 0.7));
  EXPECT_THROW(jumped.advance_to(2), tessera::Error);
}

// g is linear in ξ and ξ follows a stationary AR(1) recursion, so at any point g has a fixed
// variance and consecutive samples have correlation ρ.
TEST(PermeabilitySequence, ConsecutiveSamplesHaveCorrelationRho) {
  for (const double rho : {0.0, 0.9}) {
    PermeabilityFieldConfig config;
    config.correlation = rho;
    PermeabilitySequence field(config);
    const int samples = 4000;
    double previous = 0, sum = 0, sum2 = 0, lag = 0;
    for (int s = 0; s < samples; ++s) {
      field.advance_to(s);
      const double g = field.log_permeability(0.37, 0.61);
      sum += g;
      sum2 += g * g;
      if (s > 0) lag += g * previous;
      previous = g;
    }
    const double mean = sum / samples, variance = sum2 / samples - mean * mean;
    const double correlation = (lag / (samples - 1) - mean * mean) / variance;
    EXPECT_NEAR(mean, 0.0, 0.15) << "rho " << rho;
    EXPECT_GT(variance, 0.05) << "rho " << rho;
    EXPECT_LT(variance, config.log_std * config.log_std) << "rho " << rho;
    EXPECT_NEAR(correlation, rho, 0.05) << "rho " << rho;
  }
}

}  // namespace
