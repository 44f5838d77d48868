#include "dd/partition_of_unity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace tessera::dd {

PartitionOfUnity::PartitionOfUnity(const SubdomainGrid& grid, double overlap)
    : grid_(grid), overlap_(overlap) {
  TESSERA_CHECK(grid.dim() == 2, "PartitionOfUnity: needs a 2D grid, got " << grid.dim() << "D");
  TESSERA_CHECK(overlap > 0.0 && overlap < 1.0,
                "PartitionOfUnity: overlap " << overlap << " outside (0, 1)");
}

std::array<double, 2> PartitionOfUnity::support(int id, int axis) const {
  const int c = grid_.coords(id)[axis];
  const double a = grid_.plane(axis, c), b = grid_.plane(axis, c + 1);
  return {0.5 * (a + b), 0.5 * (b - a) + overlap_ * (b - a)};
}

std::vector<int> PartitionOfUnity::cover(int id) const {
  const auto c = grid_.coords(id);
  const auto& s = grid_.subdomains();
  std::vector<int> ids;
  for (int y = std::max(0, c[1] - 1); y <= std::min(s[1] - 1, c[1] + 1); ++y)
    for (int x = std::max(0, c[0] - 1); x <= std::min(s[0] - 1, c[0] + 1); ++x)
      ids.push_back(grid_.id({x, y, 0}));
  return ids;  // y outer, x inner: ascending ids
}

bool PartitionOfUnity::covers(int id, double x, double y) const {
  const auto sx = support(id, 0), sy = support(id, 1);
  return std::abs(x - sx[0]) < sx[1] && std::abs(y - sy[0]) < sy[1];
}

Jet2D PartitionOfUnity::raw_window(int id, double x, double y) const {
  const auto sx = support(id, 0), sy = support(id, 1);
  const auto px = bump((x - sx[0]) / sx[1]), py = bump((y - sy[0]) / sy[1]);
  const double dx = px[1] / sx[1], dy = py[1] / sy[1];
  const double dxx = px[2] / (sx[1] * sx[1]), dyy = py[2] / (sy[1] * sy[1]);
  return {px[0] * py[0], dx * py[0], px[0] * dy, dxx * py[0] + px[0] * dyy};
}

std::vector<Jet2D> PartitionOfUnity::windows(const std::vector<int>& ids, double x,
                                             double y) const {
  std::vector<Jet2D> raw(ids.size()), w(ids.size());
  Jet2D sum{0, 0, 0, 0};
  for (size_t k = 0; k < ids.size(); ++k) {
    raw[k] = raw_window(ids[k], x, y);
    for (int q = 0; q < 4; ++q) sum[q] += raw[k][q];
  }
  TESSERA_CHECK(sum[0] > 0.0, "PartitionOfUnity: no window covers (" << x << ", " << y << ")");
  // w = r / S:  ∇w = ∇r / S - r ∇S / S²,
  //             Δw = Δr / S - 2 ∇r·∇S / S² - r ΔS / S² + 2 r |∇S|² / S³.
  const double s = sum[0], s2 = s * s, s3 = s2 * s;
  const double grad_s2 = sum[1] * sum[1] + sum[2] * sum[2];
  for (size_t k = 0; k < ids.size(); ++k) {
    const Jet2D& r = raw[k];
    w[k][0] = r[0] / s;
    w[k][1] = r[1] / s - r[0] * sum[1] / s2;
    w[k][2] = r[2] / s - r[0] * sum[2] / s2;
    w[k][3] = r[3] / s - 2.0 * (r[1] * sum[1] + r[2] * sum[2]) / s2 - r[0] * sum[3] / s2 +
              2.0 * r[0] * grad_s2 / s3;
  }
  return w;
}

std::array<double, 2> PartitionOfUnity::centre(int id) const {
  return {support(id, 0)[0], support(id, 1)[0]};
}

double PartitionOfUnity::scale(int id) const {
  return std::max(support(id, 0)[1], support(id, 1)[1]);
}

}  // namespace tessera::dd
