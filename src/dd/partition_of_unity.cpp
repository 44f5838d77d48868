#include "dd/partition_of_unity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace tessera::dd {

PartitionOfUnity::PartitionOfUnity(const SubdomainGrid& grid, double overlap)
    : grid_(grid), overlap_(overlap) {
  TESSERA_CHECK(overlap > 0.0 && overlap < 1.0,
                "PartitionOfUnity: overlap " << overlap << " outside (0, 1)");
}

std::array<double, 2> PartitionOfUnity::support(int id, int axis) const {
  const int c = grid_.coordinate(id, axis);
  const double a = grid_.plane(axis, c), b = grid_.plane(axis, c + 1);
  return {0.5 * (a + b), 0.5 * (b - a) + overlap_ * (b - a)};
}

std::vector<int> PartitionOfUnity::cover(int id) const {
  const auto c = grid_.coords(id);
  const auto& s = grid_.subdomains();
  std::vector<int> ids;
  // Beyond the dimension S = 1 and c = 0: one layer.
  for (int z = std::max(0, c[2] - 1); z <= std::min(s[2] - 1, c[2] + 1); ++z)
    for (int y = std::max(0, c[1] - 1); y <= std::min(s[1] - 1, c[1] + 1); ++y)
      for (int x = std::max(0, c[0] - 1); x <= std::min(s[0] - 1, c[0] + 1); ++x)
        ids.push_back(grid_.id({x, y, z}));
  return ids;  // z outer, x inner: ascending ids
}

bool PartitionOfUnity::covers(int id, const Point& x) const {
  for (int d = 0; d < grid_.dim(); ++d) {
    const auto s = support(id, d);
    if (!(std::abs(x[d] - s[0]) < s[1])) return false;
  }
  return true;
}

WindowJet PartitionOfUnity::raw_window(int id, const Point& x, int laplacian_dims) const {
  const int dim = grid_.dim(), lap_dims = laplacian_dims > 0 ? laplacian_dims : dim;
  // Per axis: φ and its first two derivatives in physical coordinates.
  std::array<std::array<double, 3>, kMaxDim> b{};
  for (int d = 0; d < dim; ++d) {
    const auto s = support(id, d);
    const auto p = bump((x[d] - s[0]) / s[1]);
    b[d] = {p[0], p[1] / s[1], p[2] / (s[1] * s[1])};
  }
  // ŵ = Π φ_d, ∂_e ŵ = φ'_e Π_{d≠e} φ_d, Δŵ = Σ_{e < lap_dims} φ''_e Π_{d≠e} φ_d.
  auto product = [&](int e, int order) {
    double p = 1.0;
    for (int d = 0; d < dim; ++d) p *= b[d][d == e ? order : 0];
    return p;
  };
  WindowJet r{};
  r[0] = product(-1, 0);
  double laplacian = 0.0;
  for (int e = 0; e < dim; ++e) {
    r[1 + e] = product(e, 1);
    if (e < lap_dims) laplacian += product(e, 2);
  }
  r[1 + dim] = laplacian;
  return r;
}

std::vector<WindowJet> PartitionOfUnity::windows(const std::vector<int>& ids, const Point& x,
                                                 int laplacian_dims) const {
  const int dim = grid_.dim(), lap = 1 + dim, lap_dims = laplacian_dims > 0 ? laplacian_dims : dim;
  std::vector<WindowJet> raw(ids.size()), w(ids.size());
  WindowJet sum{};
  for (size_t k = 0; k < ids.size(); ++k) {
    raw[k] = raw_window(ids[k], x, laplacian_dims);
    for (int q = 0; q < jet_count(dim); ++q) sum[q] += raw[k][q];
  }
  TESSERA_CHECK(sum[0] > 0.0, "PartitionOfUnity: no window covers (" << x[0] << ", " << x[1] << ", "
                                                                     << x[2] << ")");
  // w = r / S:  ∇w = ∇r / S - r ∇S / S²,
  //             Δw = Δr / S - 2 ∇r·∇S / S² - r ΔS / S² + 2 r |∇S|² / S³,
  // the Laplacian, and with it the gradients' products, over the first lap_dims axes.
  const double s = sum[0], s2 = s * s, s3 = s2 * s;
  double grad_s2 = 0.0;
  for (int d = 0; d < lap_dims; ++d) grad_s2 += sum[1 + d] * sum[1 + d];
  for (size_t k = 0; k < ids.size(); ++k) {
    const WindowJet& r = raw[k];
    w[k][0] = r[0] / s;
    double grad_dot = 0.0;
    for (int d = 0; d < dim; ++d) {
      w[k][1 + d] = r[1 + d] / s - r[0] * sum[1 + d] / s2;
      if (d < lap_dims) grad_dot += r[1 + d] * sum[1 + d];
    }
    w[k][lap] = r[lap] / s - 2.0 * grad_dot / s2 - r[0] * sum[lap] / s2 + 2.0 * r[0] * grad_s2 / s3;
  }
  return w;
}

Point PartitionOfUnity::centre(int id) const {
  Point c{0.0, 0.0, 0.0, 0.0};
  for (int d = 0; d < grid_.dim(); ++d) c[d] = support(id, d)[0];
  return c;
}

double PartitionOfUnity::scale(int id) const {
  double s = 0.0;
  for (int d = 0; d < grid_.dim(); ++d) s = std::max(s, support(id, d)[1]);
  return s;
}

}  // namespace tessera::dd
