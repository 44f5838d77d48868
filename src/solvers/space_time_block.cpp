#include "solvers/space_time_block.hpp"

#include "core/error.hpp"

namespace tessera::solvers {

void check_space_time_decomposition(const Decomposition& decomp, const std::string& who) {
  TESSERA_CHECK(decomp.dim() == 2,
                who << ": needs a 2D (x, t) decomposition, got " << decomp.dim() << "D");
  const auto& n = decomp.global_points();
  TESSERA_CHECK(n[0] >= 2 && n[1] >= 2, who << ": a " << n[0] << " x " << n[1]
                                            << " space-time grid needs at least 2 points along "
                                               "x and t");
}

double space_coordinate(const Decomposition& decomp, const SpaceTimeBox& box, int i) {
  const int intervals = decomp.global_points()[0] - (box.periodic ? 0 : 1);
  return box.x0 + (box.x1 - box.x0) * i / intervals;
}

double time_coordinate(const Decomposition& decomp, const SpaceTimeBox& box, int j) {
  return box.t0 + (box.t1 - box.t0) * j / (decomp.global_points()[1] - 1);
}

std::vector<double> sample_space_time_block(const Decomposition& decomp, const SpaceTimeBox& box,
                                            const std::function<double(double, double)>& u) {
  check_space_time_decomposition(decomp, "sample_space_time_block");
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  std::vector<double> block;
  block.reserve(static_cast<size_t>(count[0]) * count[1]);
  for (int j = start[1]; j < start[1] + count[1]; ++j)
    for (int i = start[0]; i < start[0] + count[0]; ++i)
      block.push_back(u(space_coordinate(decomp, box, i), time_coordinate(decomp, box, j)));
  return block;
}

}  // namespace tessera::solvers
