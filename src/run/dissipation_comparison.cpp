#include "run/dissipation_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace tessera::run {

namespace {

// The parabola through three samples with t0 < t1 < t2, about its middle sample:
// p(t) = f1 + slope (t - t1) + curvature (t - t1)².
struct Parabola {
  double t1, f1, slope, curvature;

  Parabola(const double* t, const double* f) : t1(t[1]), f1(f[1]) {
    const double a = t[0] - t[1], b = t[2] - t[1];  // a < 0 < b
    const double left = (f[0] - f[1]) / a, right = (f[2] - f[1]) / b;
    curvature = (right - left) / (b - a);
    slope = left - curvature * a;
  }
  double derivative(double t) const { return slope + 2 * curvature * (t - t1); }
};

void check_series(const std::vector<double>& time, const std::vector<double>& values,
                  const char* what) {
  TESSERA_CHECK(time.size() == values.size(),
                what << ": " << time.size() << " times but " << values.size() << " values");
  for (size_t i = 1; i < time.size(); ++i)
    TESSERA_CHECK(time[i] > time[i - 1], what << ": times do not increase at sample " << i
                                              << " (t = " << time[i - 1] << ", " << time[i] << ")");
}

[[noreturn]] void reject_row(const std::string& path, int line, const std::string& text,
                             const std::string& why) {
  throw InputError("dissipation reference " + path + ":" + std::to_string(line) + ": " + why +
                       ": '" + text + "'",
                   __FILE__, __LINE__);
}

}  // namespace

DissipationReference read_dissipation_reference(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError("dissipation reference " + path + " cannot be opened", __FILE__, __LINE__);
  DissipationReference r;
  r.path = path;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    const size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos || text[first] == '#') continue;
    std::istringstream row(text);
    double t, e, d, z;
    std::string extra;
    // Stream extraction reads finite numbers only: nan, inf and overflowing values fail here.
    if (!(row >> t >> e >> d >> z) || (row >> extra))
      reject_row(path, line, text, "expected four numbers (t, E_k, -dE_k/dt, enstrophy)");
    if (!r.time.empty() && t <= r.time.back()) reject_row(path, line, text, "t does not increase");
    r.time.push_back(t);
    r.energy.push_back(e);
    r.dissipation.push_back(d);
    r.enstrophy.push_back(z);
  }
  if (r.time.size() < 3)
    throw InputError("dissipation reference " + path + " has " + std::to_string(r.time.size()) +
                         " data rows; need at least 3",
                     __FILE__, __LINE__);
  return r;
}

std::vector<double> dissipation_rate(const std::vector<double>& time,
                                     const std::vector<double>& energy) {
  check_series(time, energy, "dissipation_rate");
  const size_t n = time.size();
  TESSERA_CHECK(n >= 3, "dissipation_rate: " << n << " samples; need at least 3");
  std::vector<double> rate(n);
  for (size_t i = 0; i < n; ++i) {
    // The three samples around i, shifted inwards at the ends.
    const size_t first = std::min(std::max(i, size_t(1)), n - 2) - 1;
    const Parabola p(&time[first], &energy[first]);
    rate[i] = -p.derivative(time[i]);
  }
  return rate;
}

double interpolate_linear(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  TESSERA_CHECK(!xs.empty() && xs.size() == ys.size(), "interpolate_linear: a table of "
                                                           << xs.size() << " x and " << ys.size()
                                                           << " y values");
  TESSERA_CHECK(x >= xs.front() && x <= xs.back(), "interpolate_linear: " << x << " lies outside ["
                                                                          << xs.front() << ", "
                                                                          << xs.back() << "]");
  const size_t upper = size_t(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin());
  if (upper == xs.size()) return ys.back();  // x == xs.back()
  const size_t lower = upper - 1;
  const double w = (x - xs[lower]) / (xs[upper] - xs[lower]);
  return (1 - w) * ys[lower] + w * ys[upper];
}

double relative_l2_difference(const std::vector<double>& time, const std::vector<double>& d,
                              const std::vector<double>& reference_time,
                              const std::vector<double>& reference, double t0, double t1) {
  check_series(time, d, "relative_l2_difference");
  double difference = 0, norm = 0;
  int samples = 0;
  for (size_t i = 0; i < time.size(); ++i) {
    if (time[i] < t0 || time[i] > t1) continue;
    const double r = interpolate_linear(reference_time, reference, time[i]);
    difference += (d[i] - r) * (d[i] - r);
    norm += r * r;
    ++samples;
  }
  TESSERA_CHECK(samples > 0,
                "relative_l2_difference: no sample in the window [" << t0 << ", " << t1 << "]");
  TESSERA_CHECK(norm > 0, "relative_l2_difference: the reference is zero in the window ["
                              << t0 << ", " << t1 << "]");
  return std::sqrt(difference / norm);
}

Peak peak(const std::vector<double>& time, const std::vector<double>& values) {
  check_series(time, values, "peak");
  TESSERA_CHECK(!values.empty(), "peak: an empty series");
  const size_t m = size_t(std::max_element(values.begin(), values.end()) - values.begin());
  if (m == 0 || m + 1 == values.size()) return {time[m], values[m]};
  const Parabola p(&time[m - 1], &values[m - 1]);
  // The largest sample is not below its neighbours, so the curvature is <= 0; a flat top
  // (curvature 0) has its vertex anywhere: keep the sample.
  if (p.curvature >= 0) return {time[m], values[m]};
  const double shift = -p.slope / (2 * p.curvature);
  return {time[m] + shift, values[m] + 0.5 * p.slope * shift};
}

DissipationComparison compare_dissipation(const DissipationReference& reference,
                                          const std::vector<double>& time,
                                          const std::vector<double>& energy, double t0, double t1) {
  const std::vector<double> rate = dissipation_rate(time, energy);
  DissipationComparison c;
  c.relative_l2 = relative_l2_difference(time, rate, reference.time, reference.dissipation, t0, t1);
  c.samples =
      int(std::count_if(time.begin(), time.end(), [&](double t) { return t >= t0 && t <= t1; }));
  c.simulated = peak(time, rate);
  c.reference = peak(reference.time, reference.dissipation);
  return c;
}

}  // namespace tessera::run
