#pragma once
// The antiderivative operator benchmark of DeepONet (Lu et al. 2021, section "Antiderivative";
// the DeepXDE examples antiderivative_aligned / antiderivative_unaligned): G(u)(y) = s(y) with
// s' = u on [0, 1], s(0) = 0, for u a Gaussian random field with the RBF covariance
// k(x, x') = exp(-|x - x'|^2 / (2 l^2)), l = 0.2, seen at m = 100 equispaced sensors.
//
// Data are drawn as the paper's code does, on a fine grid of n = 1000 points of [0, 1]: u on the
// grid is L z with L L^T the covariance matrix and z standard normal, and u between grid points
// is the piecewise-linear interpolant (the code's is cubic). L is a pivoted Cholesky factor
// stopped once every remaining pivot (the conditional variance left) is below `tolerance`
// (1e-13, the code's jitter): of rank r ~ 30 for l = 0.2, so a draw costs n r, not n^2. The
// sensor values interpolate u; s(y) integrates the interpolant exactly (the cumulative trapezoid
// on the grid plus the partial cell), so the data are consistent to round-off. Draw i depends
// only on (seed, i): a data set split over ranks draws the same functions.
#include <cstdint>
#include <vector>

#include "nn/types.hpp"

namespace tessera::physics {

struct AntiderivativeConfig {
  double length_scale = 0.2;
  int sensors = 100;  // m, at linspace(0, 1, m)
  int grid = 1000;    // n, the fine grid
  double tolerance = 1e-13;
};

/// Functions u at the sensors (m x B, one column per function), points y (1 x N) and s = G(u)(y)
/// (B x N cartesian: every function at the same points; B x 1 aligned: function i at point i).
struct AntiderivativeSet {
  nn::Matrix sensors, points, values;
};

class AntiderivativeData {
public:
  /// Factors the covariance; throws tessera::Error for a non-positive length scale or tolerance,
  /// fewer than 2 sensors or grid points. Not collective.
  explicit AntiderivativeData(const AntiderivativeConfig& config = {});

  const AntiderivativeConfig& config() const { return config_; }
  /// Columns r of the low-rank factor L (n x r).
  int rank() const { return rank_; }

  /// count training triples (u_i, y_i, s_i(y_i)), i = first .. first + count - 1, y_i uniform on
  /// [0, 1]: the paper's data (aligned: values is count x 1).
  AntiderivativeSet triples(std::uint64_t seed, long first, long count) const;
  /// count functions, i = first .. first + count - 1, each at the same `points` equispaced points
  /// of [0, 1] (cartesian: values is count x points).
  AntiderivativeSet cartesian(std::uint64_t seed, long first, long count, int points) const;

  /// The grid values of draw i (host, n values): for tests of the covariance and integrals.
  std::vector<double> grid_values(std::uint64_t seed, long i) const;

private:
  // z of draw i (r values); state is left where a draw's further numbers (its point) continue.
  std::vector<double> coefficients(std::uint64_t seed, long i, std::uint64_t& state) const;
  // s(y) of the function with coefficients z; and the interpolant's value at x.
  double antiderivative(const std::vector<double>& z, double y) const;
  double value(const std::vector<double>& z, double x) const;
  AntiderivativeSet draw(std::uint64_t seed, long first, long count,
                         const std::vector<double>& points, bool aligned) const;

  AntiderivativeConfig config_;
  int rank_ = 0;
  std::vector<double> factor_;    // L, row-major n x r
  std::vector<double> integral_;  // cumulative trapezoid of L's columns, row-major n x r
};

}  // namespace tessera::physics
