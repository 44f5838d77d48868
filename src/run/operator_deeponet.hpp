#pragma once
// run: operator with -operator_model deeponet: the -deeponet_* options (the model's shape and its
// sensors), what a checkpoint records of them, and their check against the data's grid. The
// model itself is nn::DeepOnetOperator; everything else (data, normaliser, loss, Adam, schedule,
// checkpoints, evaluation, result file) is the run's, shared with the FNO.
#include <string>
#include <vector>

#include "io/recorded_options.hpp"
#include "nn/deeponet.hpp"

namespace tessera {
class Options;
}

namespace tessera::run {

struct DeepOnetRunConfig {
  // branch [sensors, 128 x 3, 128], trunk [dims, 128 x 3, 128], gelu (defaults below)
  nn::DeepOnetShape shape;  // sensors, coordinates and channels come from the data
  int sensor_stride = 4;    // 85^2 -> 22^2 = 484 sensors

  /// Declares and reads every -deeponet_* option (declared for every model, so -help lists them
  /// and a deck may keep them); problems are reported to options.
  static DeepOnetRunConfig from_options(Options& options);

  /// What a checkpoint records of the model (checked on restart and evaluation).
  io::RecordedOptions recorded() const;

  /// Not collective; every rank checks the same grid, so all throw together. InputError, naming
  /// the option, for a sensor stride that leaves fewer than 2 sensors along a dimension of grid.
  void check_grid(const std::vector<int>& grid) const;
};

}  // namespace tessera::run
