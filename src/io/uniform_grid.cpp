#include "io/uniform_grid.hpp"

#include <cmath>
#include <sstream>

namespace tessera::io {

UniformGrid uniform_grid(const Decomposition& decomp, const std::array<double, 3>& origin,
                         const std::array<double, 3>& spacing) {
  UniformGrid grid;
  grid.dim = decomp.dim();
  grid.points = decomp.global_points();
  grid.origin = origin;
  grid.spacing = spacing;
  return grid;
}

std::string grid_problem(const UniformGrid& grid) {
  std::ostringstream problem;
  if (grid.dim < 1 || grid.dim > 3) {
    problem << "grid dimension " << grid.dim << " is not 1, 2 or 3";
    return problem.str();
  }
  const char* axis = "xyz";
  for (int d = 0; d < grid.dim; ++d) {
    if (grid.points[d] < 1)
      problem << "grid has " << grid.points[d] << " points along " << axis[d] << "; ";
    if (!std::isfinite(grid.origin[d]))
      problem << "grid origin along " << axis[d] << " is not finite; ";
    if (!(std::isfinite(grid.spacing[d]) && grid.spacing[d] > 0.0))
      problem << "grid spacing along " << axis[d] << " is " << grid.spacing[d]
              << ", not a positive number; ";
  }
  std::string text = problem.str();
  if (!text.empty()) text.resize(text.size() - 2);
  return text;
}

}  // namespace tessera::io
