#pragma once
// The PINN training recipe: Adam with a learning-rate schedule (exponential decay by default),
// then L-BFGS. Opt-in during the Adam phase: adaptive term weights (learning-rate annealing,
// pinn/loss_balancing.hpp) and residual-based refinement of the interior points
// (pinn/resampling.hpp); L-BFGS then minimises the loss with the weights and points reached.
// Progress lines go to rank 0; every iteration is kept as a history row.
#include <mpi.h>

#include <functional>
#include <limits>
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
  int log_every = 100;  // a progress line (and RecordMonitor call) every this many iterations
  bool verbose = true;  // progress lines on rank 0

  static TrainingConfig from_options(Options& options);

  /// The Adam phase's learning rate per iteration.
  nn::LearningRateSchedule adam_schedule() const;
};

/// What the codes of a history's "phase" column (and a checkpoint's "phase") stand for, as the
/// files record it ("phase_meaning").
inline constexpr const char* kPhaseMeaning = "0: Adam, 1: L-BFGS";

struct TrainingHistory {
  std::vector<std::string> columns;  // iteration, phase (0 Adam, 1 L-BFGS), loss, terms..., seconds
  std::vector<double> rows;          // row-major, one row per iteration
  long row_count() const { return columns.empty() ? 0 : long(rows.size() / columns.size()); }
};

struct TrainingResult {
  TrainingHistory history;
  double initial_loss = 0;  // the first loss this training evaluated (at its restart point, if any)
  double final_loss = 0;
  double seconds = 0;
  int adam_iterations = 0;
  nn::LbfgsResult lbfgs;
  std::vector<double> term_weights;  // the loss's term weights at the end (after any adaptation)
  long refinement_points = 0;        // interior points added by residual-based refinement
};

/// Where an interrupted training stands: enough to continue along the same trajectory.
struct TrainingCheckpoint {
  int phase = 0;      // 0 Adam, 1 L-BFGS
  int iteration = 0;  // iterations done: Adam ones, then adam_iterations + L-BFGS ones
  nn::Vector parameters;
  nn::Vector first_moment, second_moment;  // Adam's (phase 0)
  long adam_steps = 0;
  nn::LbfgsState lbfgs;                // phase 1
  std::vector<double> term_weights;    // the adaptive term weights reached (-train_balance_every)
  std::vector<double> refined_points;  // rows (round, x, y, ...) of every refinement round so
                                       // far (pinn::refine_by_residual), the same on every rank
  int refined_inputs = 2;              // the coordinates of a refined point (a row's, less 1)
  // A run that trains one network several times in turn (time windows; causal Adam, then L-BFGS)
  // checkpoints each training as a stage of its own (dd::ReplicatedCheckpoints); one training is
  // stage 0 of 1.
  int stage = 0, stages = 1;
  std::vector<double> causal_weights{};  // those the stage's loss holds frozen; empty if they move
  /// The loss at parameters, which a restart must reproduce (NaN: not recorded).
  double loss = std::numeric_limits<double>::quiet_NaN();
};

/// Called on every rank at each progress line (every log_every iterations, the first and the
/// last), with its iteration and phase.
using RecordMonitor = std::function<void(int iteration, int phase)>;

/// What a distributed or resumable run adds to the recipe; every member is optional.
struct TrainingControl {
  /// L-BFGS's inner product on the parameter vector: nullptr when every rank holds all of it
  /// (data parallelism), a reduction over ranks when each holds its own part (subdomains).
  const nn::InnerProduct* inner = nullptr;
  RecordMonitor on_record;
  /// After every iteration whose count (as in TrainingCheckpoint::iteration) is a multiple of
  /// checkpoint_every, checkpoint(state) on every rank (it may be collective), in both phases.
  int checkpoint_every = 0;
  std::function<void(const TrainingCheckpoint&)> checkpoint;
  /// Continue from this state rather than from the parameters given.
  const TrainingCheckpoint* resume = nullptr;
  /// Where resume was read from, for messages, and whether the run starts from it on purpose
  /// although it is another run's (-restart_warm_start): then resume's loss is not required.
  std::string resume_source;
  bool warm_start = false;
  /// The ranks that train together. After every iteration they agree (core/stop_request.hpp)
  /// whether the wall-clock checkpoint interval has passed (then checkpoint(state)) and whether a
  /// signal asks to stop (then checkpoint(state) and throw Stopped on every rank, naming
  /// resume_hint). MPI_COMM_NULL: neither is looked at.
  MPI_Comm comm = MPI_COMM_NULL;
  std::string resume_hint;  // the checkpoint and how to continue from it, for the stop message
};

/// Trains net's parameters in place: train() on net.parameters(). Collective over the loss's
/// communicator. Refinement needs a loss that is also a ResidualSampled; adaptive weights need one
/// with term weights. comm (TrainingControl::comm): where a stop signal is agreed on; the run
/// keeps no checkpoint.
TrainingResult train(Loss& loss, nn::Mlp& net, const TrainingConfig& config,
                     MPI_Comm comm = MPI_COMM_NULL);

/// Trains the parameter vector x in place (the loss evaluates at the x it is given): the one
/// implementation of the recipe (schedule, adaptive weights, refinement, L-BFGS, checkpoints).
/// Collective over the loss's communicator, and over control.inner's in the L-BFGS phase.
/// Resuming (control.resume) restores the adaptive term weights and refined points it holds.
/// Unless control.warm_start, a resume whose recorded loss the loss at its parameters does not
/// reproduce (to io::kRestartTolerance) is an InputError, on every rank, before the first
/// iteration.
TrainingResult train(Loss& loss, const nn::Vector& x, const TrainingConfig& config,
                     const TrainingControl& control = {});

/// Appends a later training of the same network to total: its history rows (iterations count
/// from 0 again), its time; the rest is the later one's. Not collective.
void append(TrainingResult& total, const TrainingResult& next);

}  // namespace tessera::pinn
