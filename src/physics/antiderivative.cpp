#include "physics/antiderivative.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"

namespace tessera::physics {

namespace {

/// Cell i and the fraction w in [0, 1] of x in [0, 1] on the grid of n points.
void locate(double x, int n, int& i, double& w) {
  const double t = std::clamp(x, 0.0, 1.0) * (n - 1);
  i = std::min(static_cast<int>(t), n - 2);
  w = t - i;
}

double dot_row(const std::vector<double>& a, int row, const std::vector<double>& z) {
  const size_t r = z.size();
  double s = 0;
  for (size_t k = 0; k < r; ++k) s += a[row * r + k] * z[k];
  return s;
}

}  // namespace

AntiderivativeData::AntiderivativeData(const AntiderivativeConfig& config) : config_(config) {
  TESSERA_CHECK(
      config.length_scale > 0 && config.tolerance > 0 && config.sensors >= 2 && config.grid >= 2,
      "AntiderivativeData: length scale "
          << config.length_scale << ", tolerance " << config.tolerance << ", " << config.sensors
          << " sensors, " << config.grid << " grid points out of range");
  const int n = config.grid;
  const double h = 1.0 / (n - 1), l2 = config.length_scale * config.length_scale;
  auto kernel = [&](int i, int j) {
    const double d = (i - j) * h;
    return std::exp(-0.5 * d * d / l2);
  };
  // Pivoted Cholesky: K ~ L L^T with the remaining (Schur complement) diagonal below tolerance.
  std::vector<double> residual(n, 1.0);
  std::vector<bool> pivoted(n, false);
  std::vector<std::vector<double>> columns;
  while (static_cast<int>(columns.size()) < n) {
    const int j =
        static_cast<int>(std::max_element(residual.begin(), residual.end()) - residual.begin());
    if (residual[j] <= config.tolerance) break;
    std::vector<double> col(n, 0.0);
    const double pivot = std::sqrt(residual[j]);
    for (int i = 0; i < n; ++i) {
      if (pivoted[i]) continue;
      double s = kernel(i, j);
      for (const auto& c : columns) s -= c[i] * c[j];
      col[i] = i == j ? pivot : s / pivot;
    }
    pivoted[j] = true;
    for (int i = 0; i < n; ++i) residual[i] = pivoted[i] ? 0.0 : residual[i] - col[i] * col[i];
    columns.push_back(std::move(col));
  }
  rank_ = static_cast<int>(columns.size());
  factor_.assign(size_t(n) * rank_, 0.0);
  integral_.assign(size_t(n) * rank_, 0.0);
  for (int k = 0; k < rank_; ++k)
    for (int i = 0; i < n; ++i) {
      factor_[size_t(i) * rank_ + k] = columns[k][i];
      if (i > 0)
        integral_[size_t(i) * rank_ + k] =
            integral_[size_t(i - 1) * rank_ + k] + 0.5 * h * (columns[k][i - 1] + columns[k][i]);
    }
}

std::vector<double> AntiderivativeData::coefficients(std::uint64_t seed, long i,
                                                     std::uint64_t& state) const {
  state = splitmix64(splitmix64(seed) + static_cast<std::uint64_t>(i));
  std::vector<double> z(rank_);
  for (double& v : z) v = standard_normal(state);
  return z;
}

double AntiderivativeData::value(const std::vector<double>& z, double x) const {
  int i;
  double w;
  locate(x, config_.grid, i, w);
  return (1.0 - w) * dot_row(factor_, i, z) + w * dot_row(factor_, i + 1, z);
}

double AntiderivativeData::antiderivative(const std::vector<double>& z, double y) const {
  int i;
  double w;
  locate(y, config_.grid, i, w);
  const double h = 1.0 / (config_.grid - 1);
  const double ui = dot_row(factor_, i, z), uj = dot_row(factor_, i + 1, z);
  return dot_row(integral_, i, z) + h * (w * ui + 0.5 * w * w * (uj - ui));
}

std::vector<double> AntiderivativeData::grid_values(std::uint64_t seed, long i) const {
  std::uint64_t state;
  const auto z = coefficients(seed, i, state);
  std::vector<double> u(config_.grid);
  for (int p = 0; p < config_.grid; ++p) u[p] = dot_row(factor_, p, z);
  return u;
}

AntiderivativeSet AntiderivativeData::draw(std::uint64_t seed, long first, long count,
                                           const std::vector<double>& points, bool aligned) const {
  TESSERA_CHECK(count >= 1 && first >= 0,
                "AntiderivativeData: " << count << " functions from " << first);
  const int m = config_.sensors;
  const long n = aligned ? count : static_cast<long>(points.size());
  AntiderivativeSet set{
      nn::Matrix("tessera::physics::antiderivative_sensors", m, count),
      nn::Matrix("tessera::physics::antiderivative_points", 1, n),
      nn::Matrix("tessera::physics::antiderivative_values", count, aligned ? 1 : n)};
  auto u = Kokkos::create_mirror_view(set.sensors);
  auto y = Kokkos::create_mirror_view(set.points);
  auto s = Kokkos::create_mirror_view(set.values);
  if (!aligned)
    for (long j = 0; j < n; ++j) y(0, j) = points[size_t(j)];
  for (long b = 0; b < count; ++b) {
    std::uint64_t state;
    const auto z = coefficients(seed, first + b, state);
    for (int i = 0; i < m; ++i) u(i, b) = value(z, double(i) / (m - 1));
    if (aligned) {
      y(0, b) = uniform_unit(state);  // the point after the coefficients, from the same stream
      s(b, 0) = antiderivative(z, y(0, b));
    } else {
      for (long j = 0; j < n; ++j) s(b, j) = antiderivative(z, y(0, j));
    }
  }
  Kokkos::deep_copy(set.sensors, u);
  Kokkos::deep_copy(set.points, y);
  Kokkos::deep_copy(set.values, s);
  return set;
}

AntiderivativeSet AntiderivativeData::triples(std::uint64_t seed, long first, long count) const {
  return draw(seed, first, count, {}, true);
}

AntiderivativeSet AntiderivativeData::cartesian(std::uint64_t seed, long first, long count,
                                                int points) const {
  TESSERA_CHECK(points >= 2, "AntiderivativeData: " << points << " points; need >= 2");
  std::vector<double> y(points);
  for (int j = 0; j < points; ++j) y[j] = double(j) / (points - 1);
  return draw(seed, first, count, y, false);
}

}  // namespace tessera::physics
