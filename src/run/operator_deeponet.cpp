#include "run/operator_deeponet.hpp"

#include "core/error.hpp"
#include "core/options.hpp"
#include "nn/deeponet_operator.hpp"

namespace tessera::run {

DeepOnetRunConfig DeepOnetRunConfig::from_options(Options& options) {
  DeepOnetRunConfig c;
  c.sensor_stride = options.integer(
      "deeponet_sensor_stride", c.sensor_stride, 1, 1 << 20,
      "deeponet: the branch reads the input at every s-th grid point along each dimension, from "
      "the first ((n - 1) / s + 1 of n: 85^2 with 4 is 22^2 = 484 sensors)");
  c.shape.branch_width =
      options.integer("deeponet_branch_width", 128, 1, 1 << 16, "deeponet: branch hidden width");
  c.shape.branch_depth =
      options.integer("deeponet_branch_depth", 3, 1, 64, "deeponet: branch hidden layers");
  c.shape.trunk_width =
      options.integer("deeponet_trunk_width", 128, 1, 1 << 16, "deeponet: trunk hidden width");
  c.shape.trunk_depth =
      options.integer("deeponet_trunk_depth", 3, 1, 64, "deeponet: trunk hidden layers");
  c.shape.features = options.integer("deeponet_features", 128, 1, 1 << 16,
                                     "deeponet: p, the branch and trunk outputs dotted together");
  c.shape.activation = nn::activation_from_name(
      options.choice("deeponet_activation", "gelu", {"tanh", "sin", "gelu", "relu"},
                     "deeponet: hidden-layer activation (the trunk's output layer's too)"));
  return c;
}

io::RecordedOptions DeepOnetRunConfig::recorded() const {
  return {{"deeponet_sensor_stride", static_cast<long long>(sensor_stride)},
          {"deeponet_branch_width", static_cast<long long>(shape.branch_width)},
          {"deeponet_branch_depth", static_cast<long long>(shape.branch_depth)},
          {"deeponet_trunk_width", static_cast<long long>(shape.trunk_width)},
          {"deeponet_trunk_depth", static_cast<long long>(shape.trunk_depth)},
          {"deeponet_features", static_cast<long long>(shape.features)},
          {"deeponet_activation", std::string(nn::activation_name(shape.activation))}};
}

void DeepOnetRunConfig::check_grid(const std::vector<int>& grid) const {
  const auto sensors = nn::DeepOnetOperator::sensor_grid(grid, sensor_stride);
  for (size_t d = 0; d < grid.size(); ++d)
    if (grid[d] > 1 && sensors[d] < 2)
      throw InputError("-deeponet_sensor_stride = " + std::to_string(sensor_stride) + " leaves " +
                           std::to_string(sensors[d]) + " sensor along dimension " +
                           std::to_string(d) + " of the " + std::to_string(grid[d]) +
                           "-point grid; at most " + std::to_string(grid[d] - 1) +
                           " gives the branch 2",
                       __FILE__, __LINE__);
}

}  // namespace tessera::run
