#pragma once
// The cells of a periodic or walled box per direction, x first, at ONE spacing h in every
// direction: the box is n_d h long along d. A box built from one count is a cube, which is what
// most cases use; the mixing layer's box is longer along x and y than along z. One spacing keeps
// the solvers' stencils, multigrid and spectral derivatives isotropic.
#include <algorithm>
#include <array>
#include <string>

namespace tessera {

struct BoxCells {
  std::array<int, 3> n{32, 32, 32};

  BoxCells() = default;
  /// A cube of cells per direction (implicit: `config.cells = 64`).
  BoxCells(int cells) : n{cells, cells, cells} {}  // NOLINT(google-explicit-constructor)
  BoxCells(int x, int y, int z) : n{x, y, z} {}

  int operator[](int d) const { return n[size_t(d)]; }
  /// The cells along the first dim directions: all the same.
  bool cube(int dim = 3) const {
    return std::all_of(n.begin(), n.begin() + dim, [&](int m) { return m == n[0]; });
  }
  /// The fewest cells along the first dim directions.
  int fewest(int dim = 3) const { return *std::min_element(n.begin(), n.begin() + dim); }
  /// Cells in the box (dim directions).
  long long total(int dim = 3) const {
    long long t = 1;
    for (int d = 0; d < dim; ++d) t *= n[size_t(d)];
    return t;
  }
  /// The box's side along d for a side `length_x` along x: n_d h with h = length_x / n_x.
  double side(int d, double length_x) const { return length_x * n[size_t(d)] / n[0]; }
  /// "32" for a cube, "64 x 64 x 32" otherwise (dim directions): the option's value, for messages.
  std::string text(int dim = 3) const {
    if (cube(dim)) return std::to_string(n[0]);
    std::string s = std::to_string(n[0]);
    for (int d = 1; d < dim; ++d) s += " x " + std::to_string(n[size_t(d)]);
    return s;
  }
  /// "32^3" for a cube, "64 x 64 x 32" otherwise: the grid, for logs.
  std::string grid_text(int dim = 3) const {
    return cube(dim) ? text(dim) + "^" + std::to_string(dim) : text(dim);
  }
  /// The decomposition's global points (1 beyond dim).
  std::array<int, 3> points(int dim = 3) const { return {n[0], n[1], dim == 3 ? n[2] : 1}; }
};

inline bool operator==(const BoxCells& a, const BoxCells& b) { return a.n == b.n; }
inline bool operator!=(const BoxCells& a, const BoxCells& b) { return !(a == b); }

}  // namespace tessera
