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

// The FNO paper's coefficient: the threshold family.
namespace threshold_family {

using tessera::physics::PermeabilityFamily;

PermeabilityFieldConfig fno_config(int modes) {
  PermeabilityFieldConfig config;
  config.family = PermeabilityFamily::threshold;
  config.modes = modes;
  config.correlation = 0.0;  // independent samples, as the published data
  return config;
}

TEST(ThresholdField, TakesTheTwoValuesAndEachOnAboutHalfTheDomain) {
  const int n = 33, samples = 400;
  const double h = 1.0 / (n - 1);
  PermeabilitySequence field(fno_config(n));
  long other_values = 0;
  double sum = 0, sum2 = 0;
  for (int s = 0; s < samples; ++s) {
    field.advance_to(s);
    const auto a = field.tabulate(0, n, 0, n, h);
    long high = 0;
    for (const double v : a) {
      high += v == 12.0;
      other_values += v != 12.0 && v != 3.0;
    }
    const double fraction = double(high) / a.size();
    sum += fraction;
    sum2 += fraction * fraction;
  }
  EXPECT_EQ(other_values, 0);
  // g is a centred Gaussian field, so a = 12 at each point with probability 1/2 exactly; the
  // fractions of independent samples average to 1/2 within a few standard errors sd / sqrt(S),
  // with sd their sample standard deviation (4 of them: a 6e-5 chance of a false alarm).
  const double mean = sum / samples, sd = std::sqrt(sum2 / samples - mean * mean);
  EXPECT_GT(sd, 0.01);  // the fields differ: the fraction is not fixed
  EXPECT_LT(sd, 0.5);
  EXPECT_NEAR(mean, 0.5, 4 * sd / std::sqrt(samples)) << "sd " << sd;
}

TEST(ThresholdField, LowValueIsAnOption) {
  auto config = fno_config(17);
  config.threshold_low = 4.0;  // the released script's value
  PermeabilitySequence field(config);
  field.advance_to(2);
  long wrong = 0;
  for (const double v : field.tabulate(0, 17, 0, 17, 1.0 / 16)) wrong += v != 4.0 && v != 12.0;
  EXPECT_EQ(wrong, 0);
}

// The variance of g at a point is the covariance operator's: Σ over the modes of
// τ^(2α-2) (π²|k|² + τ²)^(-α) (c_k cos kπx)² (c_l cos lπy)², c_0 = 1, c_k = √2.
TEST(ThresholdField, PointwiseVarianceIsTheCovarianceOperators) {
  const int modes = 24, samples = 4000;
  const double x = 0.3, y = 0.55, tau = 3.0, alpha = 2.0;
  double expected = 0;
  for (int k = 0; k < modes; ++k)
    for (int l = 0; l < modes; ++l) {
      if (k == 0 && l == 0) continue;
      const double ck = k > 0 ? std::sqrt(2.0) * std::cos(k * M_PI * x) : 1.0;
      const double cl = l > 0 ? std::sqrt(2.0) * std::cos(l * M_PI * y) : 1.0;
      expected += std::pow(tau, 2 * alpha - 2) *
                  std::pow(M_PI * M_PI * (k * k + l * l) + tau * tau, -alpha) * ck * ck * cl * cl;
    }
  PermeabilitySequence field(fno_config(modes));
  double sum2 = 0;
  for (int s = 0; s < samples; ++s) {
    field.advance_to(s);
    const double g = field.log_permeability(x, y);
    sum2 += g * g;
  }
  // The estimator of a Gaussian's variance from S draws has relative standard error sqrt(2/S).
  EXPECT_NEAR(sum2 / samples / expected, 1.0, 4 * std::sqrt(2.0 / samples));
}

// Sample s is a function of (seed, s) alone: drawn directly, or after the earlier samples.
TEST(ThresholdField, SampleIsDeterminedBySeedAndIndex) {
  const int n = 17;
  const double h = 1.0 / (n - 1);
  PermeabilitySequence walked(fno_config(n)), jumped(fno_config(n));
  for (int s = 0; s <= 37; ++s) walked.advance_to(s);
  jumped.advance_to(37);
  EXPECT_EQ(walked.tabulate(0, n, 0, n, h), jumped.tabulate(0, n, 0, n, h));
  auto reseeded = fno_config(n);
  reseeded.seed += 1;
  PermeabilitySequence other(reseeded);
  other.advance_to(37);
  EXPECT_NE(other.tabulate(0, n, 0, n, h), jumped.tabulate(0, n, 0, n, h));
  // A block tabulated alone equals the same nodes of the whole grid (any rank's block).
  const auto whole = jumped.tabulate(0, n, 0, n, h), block = jumped.tabulate(5, 7, 3, 6, h);
  long wrong = 0;
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 7; ++i) wrong += block[j * 7 + i] != whole[(3 + j) * n + 5 + i];
  EXPECT_EQ(wrong, 0);
}

}  // namespace threshold_family

}  // namespace
