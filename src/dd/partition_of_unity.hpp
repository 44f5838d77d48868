#pragma once
// The overlapping subdomains and smooth windows of FBPINNs (Moseley, Markham & Nissen-Meyer 2023)
// on a SubdomainGrid of 1 to 4 dimensions. Subdomain j's box [a, b] per axis grows by
// δ = overlap (b - a) on each side; its unnormalised window is a product of 1D compactly supported
// bumps, one per axis,
//   ŵ_j(x) = Π_d φ(t_d),  t = (x - m) / h,  m = (a + b) / 2,  h = (b - a) / 2 + δ,
//   φ(t) = (1 - t²)³ for |t| < 1, 0 beyond   (C², so the windowed sum has a continuous Laplacian),
// and the windows w_j = ŵ_j / Σ_k ŵ_k form a partition of unity. With 0 < δ < b - a a point of
// box i is covered only by the windows of i and its (up to 3^dim - 1) neighbours, its cover, and
// ŵ_i > 0 there, so the sum never vanishes. Everything here is local (no communication).
#include <array>
#include <vector>

#include "dd/subdomain_grid.hpp"

namespace tessera::dd {

/// Value, gradient (d/dx_d at 1 + d) and Laplacian (at 1 + dim) of a scalar field at one point:
/// the jets FBPINN needs, jet_count(dim) of them; entries beyond are 0. The Laplacian may sum over
/// the first laplacian_dims axes only (0: all), the spatial Laplacian of a space-time field.
using WindowJet = std::array<double, 2 + kMaxDim>;
constexpr int jet_count(int dim) { return 2 + dim; }

/// A point of the box; coordinates beyond the grid's dimension are unused.
using Point = Corner;

/// φ(t) = (1 - t²)³ on |t| < 1 and its first two derivatives: {φ, φ', φ''}.
inline std::array<double, 3> bump(double t) {
  if (t <= -1.0 || t >= 1.0) return {0.0, 0.0, 0.0};
  const double s = 1.0 - t * t;
  return {s * s * s, -6.0 * t * s * s, -6.0 * s * s + 24.0 * t * t * s};
}

class PartitionOfUnity {
public:
  /// overlap in (0, 1) is δ as a fraction of the subdomain width (the caller
  /// checks the range and reports it as an input error).
  PartitionOfUnity(const SubdomainGrid& grid, double overlap);

  double overlap() const { return overlap_; }

  /// Ids of the subdomains whose window is non-zero somewhere in box id (itself included),
  /// ascending.
  std::vector<int> cover(int id) const;

  /// Whether subdomain id's window is non-zero at x.
  bool covers(int id, const Point& x) const;

  /// The unnormalised window ŵ_id at x with its derivatives, the Laplacian over the first
  /// laplacian_dims axes (0: all).
  WindowJet raw_window(int id, const Point& x, int laplacian_dims = 0) const;

  /// The normalised windows w_k of the subdomains `ids` at x, with their gradients and
  /// Laplacians (quotient rule through ŵ_k / S, S = Σ ŵ). ids must hold every window that is
  /// non-zero at x, e.g. cover(i) for a point of box i. The Laplacians sum over the first
  /// laplacian_dims axes (0: all).
  std::vector<WindowJet> windows(const std::vector<int>& ids, const Point& x,
                                 int laplacian_dims = 0) const;

  /// The affine map of network id's input, ξ = (x - centre) / scale, onto about [-1, 1]^dim over
  /// its grown box: one scale for every axis so the Laplacian stays a Laplacian (Δ_x = Δ_ξ / s²).
  /// Entries of centre beyond the dimension are 0.
  Point centre(int id) const;
  double scale(int id) const;

private:
  /// {m, h} of subdomain id's grown box along axis.
  std::array<double, 2> support(int id, int axis) const;

  const SubdomainGrid& grid_;
  double overlap_;
};

}  // namespace tessera::dd
