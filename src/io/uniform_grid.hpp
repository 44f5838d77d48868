#pragma once
// The geometry of a uniform grid of points: what a viewer needs to place a field's values in space.
#include <array>
#include <string>

#include "core/decomposition.hpp"

namespace tessera::io {

/// Points, first point and spacing per direction, x first; entries beyond dim are unused.
struct UniformGrid {
  int dim = 3;
  std::array<int, 3> points{1, 1, 1};
  std::array<double, 3> origin{0.0, 0.0, 0.0};
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
};

/// Not collective. The grid of decomp's global points, placed by origin and spacing (x first).
UniformGrid uniform_grid(const Decomposition& decomp, const std::array<double, 3>& origin,
                         const std::array<double, 3>& spacing);

/// Not collective. What makes grid unusable ("" if nothing): a dimension other than 1 to 3, a
/// direction without points, a spacing that is not positive, or a coordinate that is not finite.
std::string grid_problem(const UniformGrid& grid);

}  // namespace tessera::io
