#pragma once
// The PINN training recipe: Adam with a learning-rate schedule (exponential decay by default),
// then L-BFGS. Opt-in during the Adam phase: adaptive term weights (learning-rate annealing,
// pinn/loss_balancing.hpp) and residual-based refinement of the interior points
// (pinn/resampling.hpp); L-BFGS then minimises the loss with the weights and points reached.
// Progress lines go to rank 0; every logged iteration is kept as a history row.
#include <mpi.h>

#include <string>
#include <vector>

#include "nn/lbfgs.hpp"
#include "nn/mlp.hpp"
#include "nn/schedule.hpp"
#include "pinn/loss.hpp"
#include "pinn/resampling.hpp"

namespace tessera {
class Options;
}

namespace tessera::pinn {

struct TrainingConfig {
  int adam_iterations = 2000;
  double adam_learning_rate = 1e-3;
  double adam_final_learning_rate = 1e-4;  // reached at the last Adam iteration
  nn::LearningRateDecay lr_schedule = nn::LearningRateDecay::Exponential;
  int lr_step_every = 1000;     // step schedule: iterations between drops
  double lr_step_factor = 0.5;  // step schedule: factor per drop
  int balance_every = 0;        // Adam iterations between term-weight updates; 0: fixed weights
  double balance_alpha = 0.1;   // moving-average factor of the weight updates
  std::string balance_method = "annealing";  // annealing or gradient_norm (loss_balancing.hpp)
  ResamplingConfig resampling;               // residual-based refinement; resampling.every = 0: off
  int lbfgs_iterations = 2000;
  int lbfgs_history = 50;
  int log_every = 100;  // progress line and history row every this many iterations
  bool verbose = true;  // progress lines on rank 0

  static TrainingConfig from_options(Options& options);

  /// The Adam phase's learning rate per iteration.
  nn::LearningRateSchedule adam_schedule() const;
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
  std::vector<double> term_weights;  // the loss's term weights at the end (after any adaptation)
  long refinement_points = 0;        // interior points added by residual-based refinement
};

/// Trains net's parameters in place. Collective over the loss's communicator. Refinement needs a
/// loss that is also a ResidualSampled; adaptive weights need one with term weights.
TrainingResult train(Loss& loss, nn::Mlp& net, const TrainingConfig& config);

}  // namespace tessera::pinn
