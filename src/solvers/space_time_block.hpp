#pragma once
// The space-time grids of the 1D time-dependent PINN benchmarks (Burgers, Allen–Cahn): a 2D
// Decomposition over (x, t), points x_i = x0 + i (x1 - x0)/(nx - 1), t_j = t0 + j (t1 - t0)/(nt -
// 1) tiled over the process grid, and this rank's block of a field sampled on it.
#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"

namespace tessera::solvers {

struct SpaceTimeBox {
  double x0 = -1, x1 = 1;  // space interval
  double t0 = 0, t1 = 1;   // time interval
  bool periodic = false;   // in x
};

/// Not collective. Throws tessera::Error unless decomp is 2D over (x, t) with at least two points
/// per direction; `who` names the caller.
void check_space_time_decomposition(const Decomposition& decomp, const std::string& who);

/// Not collective. x and t of global point index (i, j) of decomp's grid over box.
double space_coordinate(const Decomposition& decomp, const SpaceTimeBox& box, int i);
double time_coordinate(const Decomposition& decomp, const SpaceTimeBox& box, int j);

/// Not collective. This rank's block of u(x, t) on decomp's grid over box, x fastest: u(i, j) is
/// at (j - ts) * xm + (i - xs), the layout of FieldFile::write_field.
std::vector<double> sample_space_time_block(const Decomposition& decomp, const SpaceTimeBox& box,
                                            const std::function<double(double, double)>& u);

}  // namespace tessera::solvers
