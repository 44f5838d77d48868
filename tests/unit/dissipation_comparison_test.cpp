// The Taylor–Green dissipation comparison (src/run/dissipation_comparison) against the reference
// DNS table itself: its -dE/dt column is its energy column differenced, its peak is the one its
// header states; a sampled parabola's peak is found exactly; garbled files are named.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "run/dissipation_comparison.hpp"

namespace {

using namespace tessera::run;

const std::string kReference =
    std::string(TESSERA_SOURCE_DIR) + "/input/reference/tgv_re1600_spectral_dns.dat";

// The message of the InputError that reading path throws ("" if none).
std::string read_error(const std::string& path) {
  try {
    read_dissipation_reference(path);
  } catch (const tessera::InputError& e) {
    return e.message();
  }
  return "";
}

// Writes text to `name` in the build tree and expects reading it to fail with a message that
// contains `expected`.
void expect_read_error(const std::string& name, const std::string& text,
                       const std::string& expected) {
  const std::string path = std::string(TESSERA_BINARY_DIR) + "/" + name;
  std::ofstream(path) << text;
  const std::string message = read_error(path);
  EXPECT_NE(message.find(expected), std::string::npos) << "got: " << message;
}

TEST(DissipationComparison, ReadsTheReferenceTable) {
  const auto r = read_dissipation_reference(kReference);
  ASSERT_EQ(r.time.size(), 2000u);
  EXPECT_EQ(r.time.front(), 0.0);
  EXPECT_NEAR(r.time.back(), 19.99, 1e-12);
  EXPECT_EQ(r.energy.front(), 0.125);
  EXPECT_EQ(r.enstrophy.front(), 0.375);
  // The header's consistency note: 2 nu enstrophy = -dE/dt to ~3e-5 relative at t = 0.
  EXPECT_NEAR(2.0 / 1600 * r.enstrophy.front(), r.dissipation.front(), 3e-5 * 4.7e-4);
}

// Column 3 is the centred difference of column 2, rounded to 11 digits: differencing column 2
// again reproduces it to ~1e-8 (the one-sided ends included); a first-order difference would
// leave ~5e-6 at the ends.
TEST(DissipationComparison, ReferenceDissipationIsItsEnergyDifferenced) {
  const auto r = read_dissipation_reference(kReference);
  const auto rate = dissipation_rate(r.time, r.energy);
  const double l2 = relative_l2_difference(r.time, rate, r.time, r.dissipation, 0.0, 19.99);
  std::printf("reference: relative L2 of differenced E_k vs its -dE_k/dt column = %.3g\n", l2);
  EXPECT_LT(l2, 1e-7);
  const auto c = compare_dissipation(r, r.time, r.energy, 2.0, 12.0);
  EXPECT_LT(c.relative_l2, 1e-7);
  EXPECT_EQ(c.samples, 1001);
}

// The header: peak of column 3, 1.2857528e-02 at t = 8.97, the largest sample. The parabola
// through the samples at 8.96, 8.97, 8.98 peaks 0.004 later and 6.5e-8 higher.
TEST(DissipationComparison, ReferencePeak) {
  const auto r = read_dissipation_reference(kReference);
  const auto top = std::max_element(r.dissipation.begin(), r.dissipation.end());
  EXPECT_NEAR(*top, 1.2857528e-02, 5e-10);  // the header rounds to 8 digits
  EXPECT_NEAR(r.time[size_t(top - r.dissipation.begin())], 8.97, 1e-12);
  const Peak p = peak(r.time, r.dissipation);
  std::printf("reference peak: -dE/dt = %.9g at t = %.5f\n", p.value, p.time);
  EXPECT_GT(p.time, 8.97);
  EXPECT_LT(p.time, 8.975);
  EXPECT_GT(p.value, *top);
  EXPECT_LT(p.value, *top + 1e-7);
}

// A sampled parabola, steps unequal: its vertex exactly. A quadratic history E(t): its slope
// exactly at every sample, the ends included.
TEST(DissipationComparison, ParabolaIsExact) {
  const double top = 8.3, height = 0.0125, curvature = -2e-3;
  std::vector<double> t, v, energy;
  for (double s = 0; s < 16; s += 0.35 + 0.05 * std::sin(3 * s)) {
    t.push_back(s);
    v.push_back(height + curvature * (s - top) * (s - top));
    energy.push_back(0.125 - 0.5 * curvature * s * s);  // -dE/dt = curvature t
  }
  const Peak p = peak(t, v);
  EXPECT_NEAR(p.time, top, 1e-10);
  EXPECT_NEAR(p.value, height, 1e-15);
  const auto rate = dissipation_rate(t, energy);
  for (size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(rate[i], curvature * t[i], 1e-13) << i;
  // A maximum at the end of the series is the last sample.
  const Peak end = peak({0, 1, 2}, {0, 1, 3});
  EXPECT_EQ(end.time, 2);
  EXPECT_EQ(end.value, 3);
}

// A simulated history that is the reference with a 1% error in -dE/dt over the window.
TEST(DissipationComparison, MeasuresARelativeError) {
  const auto r = read_dissipation_reference(kReference);
  std::vector<double> t, d;
  for (double s = 1.013; s < 10; s += 0.0731) {
    t.push_back(s);
    d.push_back(1.01 * interpolate_linear(r.time, r.dissipation, s));
  }
  EXPECT_NEAR(relative_l2_difference(t, d, r.time, r.dissipation, 2.0, 9.0), 0.01, 1e-12);
  EXPECT_THROW(relative_l2_difference(t, d, r.time, r.dissipation, 11.0, 12.0), tessera::Error);
  EXPECT_THROW(relative_l2_difference({-1.0, 1.0}, {1.0, 1.0}, r.time, r.dissipation, -2, 2),
               tessera::Error);
}

TEST(DissipationComparison, NamesTheFileAndLineOfAGarbledRow) {
  expect_read_error("garbled_reference.dat",
                    "# t E D Z\n0.0 0.125 4.7e-4 0.375\n0.01 0.1249 x 0.37\n",
                    "garbled_reference.dat:3: expected four numbers");
  expect_read_error("extra_column_reference.dat", "0 1 2 3 4\n", "extra_column_reference.dat:1:");
  expect_read_error("backwards_reference.dat", "0 1 2 3\n\n# note\n0.2 1 2 3\n0.1 1 2 3\n",
                    "backwards_reference.dat:5: t does not increase");
  expect_read_error("nan_reference.dat", "0 1 2 3\n0.1 nan 2 3\n",
                    "nan_reference.dat:2: expected four numbers");
  expect_read_error("short_reference.dat", "# only\n0 1 2 3\n", "1 data rows; need at least 3");
  EXPECT_NE(read_error("/no/such/reference.dat").find("/no/such/reference.dat cannot be opened"),
            std::string::npos);
}

TEST(DissipationComparison, RejectsBadSeries) {
  EXPECT_THROW(dissipation_rate({0, 1}, {1, 0.9}), tessera::Error);
  EXPECT_THROW(dissipation_rate({0, 1, 1}, {1, 0.9, 0.8}), tessera::Error);
  EXPECT_THROW(dissipation_rate({0, 1, 2}, {1, 0.9}), tessera::Error);
  EXPECT_THROW(peak({}, {}), tessera::Error);
}

}  // namespace
