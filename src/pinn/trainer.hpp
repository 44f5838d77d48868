#pragma once
// The PINN training recipe: Adam with an exponentially decaying learning rate, then L-BFGS.
// Progress lines go to rank 0; every logged iteration is kept as a history row.
#include <mpi.h>

#include <string>
#include <vector>

#include "nn/lbfgs.hpp"
#include "nn/mlp.hpp"
#include "pinn/loss.hpp"

namespace tessera {
class Options;
}

namespace tessera::pinn {

struct TrainingConfig {
  int adam_iterations = 2000;
  double adam_learning_rate = 1e-3;
  double adam_final_learning_rate = 1e-4;  // reached at the last Adam iteration
  int lbfgs_iterations = 2000;
  int lbfgs_history = 50;
  int log_every = 100;  // progress line and history row every this many iterations
  bool verbose = true;  // progress lines on rank 0

  static TrainingConfig from_options(Options& options);
};

struct TrainingHistory {
  std::vector<std::string> columns;  // iteration, phase (0 Adam, 1 L-BFGS), loss, terms..., seconds
  std::vector<double> rows;          // row-major
  long row_count() const { return columns.empty() ? 0 : long(rows.size() / columns.size()); }
};

struct TrainingResult {
  TrainingHistory history;
  double final_loss = 0;
  double seconds = 0;
  int adam_iterations = 0;
  nn::LbfgsResult lbfgs;
};

/// Trains net's parameters in place. Collective over the loss's communicator.
TrainingResult train(Loss& loss, nn::Mlp& net, const TrainingConfig& config);

}  // namespace tessera::pinn
