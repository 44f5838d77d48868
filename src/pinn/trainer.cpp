#include "pinn/trainer.hpp"

#include <cmath>
#include <cstdio>
#include <iomanip>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "nn/adam.hpp"
#include "pinn/loss_balancing.hpp"

#include <memory>
#include <sstream>

namespace tessera::pinn {

TrainingConfig TrainingConfig::from_options(Options& options) {
  TrainingConfig c;
  c.adam_iterations = options.integer("train_adam_iterations", c.adam_iterations, 0, 10000000,
                                      "Adam iterations before L-BFGS");
  c.adam_learning_rate = options.real("train_adam_lr", c.adam_learning_rate, 1e-8, 1.0,
                                      "Adam learning rate at the first iteration");
  c.adam_final_learning_rate =
      options.real("train_adam_lr_final", c.adam_final_learning_rate, 1e-10, 1.0,
                   "Adam learning rate at the last iteration (exponential and cosine schedules)");
  c.lr_schedule = nn::learning_rate_decay_from_name(
      options.choice("train_lr_schedule", nn::learning_rate_decay_name(c.lr_schedule),
                     {"exponential", "cosine", "step", "constant"},
                     "Adam learning-rate schedule from -train_adam_lr"));
  c.lr_step_every = options.integer("train_lr_step_every", c.lr_step_every, 1, 10000000,
                                    "step schedule: iterations between learning-rate drops");
  c.lr_step_factor = options.real("train_lr_step_factor", c.lr_step_factor, 1e-6, 1.0,
                                  "step schedule: factor applied at each drop");
  c.balance_every =
      options.integer("train_balance_every", c.balance_every, 0, 10000000,
                      "Adam iterations between adaptive term-weight updates (0: fixed weights)");
  c.balance_alpha = options.real("train_balance_alpha", c.balance_alpha, 1e-6, 1.0,
                                 "moving-average factor of the adaptive term-weight updates");
  c.balance_method = options.choice(
      "train_balance_method", c.balance_method, {"annealing", "gradient_norm"},
      "adaptive weights: max/mean (annealing) or norm ratio (gradient_norm) of term gradients");
  c.resampling = ResamplingConfig::from_options(options);
  c.lbfgs_iterations = options.integer("train_lbfgs_iterations", c.lbfgs_iterations, 0, 10000000,
                                       "L-BFGS iterations after Adam");
  c.lbfgs_history = options.integer("train_lbfgs_history", c.lbfgs_history, 1, 1000,
                                    "L-BFGS correction pairs kept");
  c.log_every = options.integer("train_log_every", c.log_every, 1, 10000000,
                                "iterations between progress lines and history rows");
  return c;
}

nn::LearningRateSchedule TrainingConfig::adam_schedule() const {
  nn::LearningRateSchedule s;
  s.decay = lr_schedule;
  s.initial = adam_learning_rate;
  s.final = adam_final_learning_rate;
  s.iterations = adam_iterations;
  s.step_every = lr_step_every;
  s.step_factor = lr_step_factor;
  return s;
}

namespace {

class Recorder {
public:
  Recorder(const Loss& loss, const TrainingConfig& config, const RecordMonitor& monitor)
      : loss_(loss), config_(config), monitor_(monitor) {
    history_.columns = {"iteration", "phase", "loss"};
    for (const auto& name : loss.term_names()) history_.columns.push_back(name);
    history_.columns.push_back("seconds");
  }
  void record(int iteration, int phase, double value, bool force = false) {
    if (first_value_) {
      initial_ = value;
      first_value_ = false;
    }
    if (iteration == last_ || (!force && iteration % config_.log_every != 0)) return;
    last_ = iteration;
    const double t = timer_.seconds();
    history_.rows.insert(history_.rows.end(), {double(iteration), double(phase), value});
    std::string terms;
    const auto names = loss_.term_names();
    const auto values = loss_.term_values();
    for (size_t i = 0; i < values.size(); ++i) {
      history_.rows.push_back(values[i]);
      char buf[64];
      std::snprintf(buf, sizeof buf, "  %s %.3e", names[i].c_str(), values[i]);
      terms += buf;
    }
    history_.rows.push_back(t);
    if (monitor_) monitor_(iteration, phase);
    if (config_.verbose) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "%-6s it %7d  loss %.4e", phase == 0 ? "adam" : "lbfgs",
                    iteration, value);
      TESSERA_LOG(buf << terms << "  (" << std::fixed << std::setprecision(1) << t << " s)");
    }
  }
  TrainingHistory take() { return std::move(history_); }
  double initial_loss() const { return initial_; }
  double seconds() const { return timer_.seconds(); }

private:
  const Loss& loss_;
  const TrainingConfig& config_;
  const RecordMonitor& monitor_;
  TrainingHistory history_;
  Timer timer_;
  int last_ = -1;
  bool first_value_ = true;
  double initial_ = 0;
};

/// A loss this many times the training's first one has diverged (weights running away), even
/// while it is finite: far beyond any spike of a training that recovers (Adam's spikes span a few
/// orders of magnitude), and still short of overflow.
constexpr double kDivergenceGrowth = 1e8;

/// Collective as inner is. Throws DivergenceError, on every rank together, when the loss or the
/// gradient norm at an iteration is not finite, or the loss exceeds kDivergenceGrowth times the
/// first one: the loss is the same on every rank (reduced by the loss), and so is the gradient's
/// squared norm through inner (a sum over ranks when the parameters are distributed, in which a
/// NaN anywhere propagates). Nothing of the state is written before the check passes.
void check_finite(const nn::InnerProduct& inner, const char* phase, int iteration, double value,
                  double initial, const nn::Vector& gradient) {
  const double squared_norm = inner.dot(gradient, gradient);
  const char* hint = "; lower -train_adam_lr, or check the restart checkpoint";
  if (!std::isfinite(value))
    TESSERA_THROW_DIVERGED("training diverged: the loss is "
                           << value << " at " << phase << " iteration " << iteration
                           << " (the same on every rank: the loss is reduced over ranks)" << hint);
  if (!std::isfinite(squared_norm))
    TESSERA_THROW_DIVERGED("training diverged: the gradient norm is "
                           << std::sqrt(squared_norm) << " at " << phase << " iteration "
                           << iteration << " (loss " << value << "; the norm is reduced over ranks)"
                           << hint);
  if (initial > 0 && std::isfinite(initial) && value > kDivergenceGrowth * initial)
    TESSERA_THROW_DIVERGED("training diverged: the loss "
                           << value << " at " << phase << " iteration " << iteration
                           << " is more than " << kDivergenceGrowth << " times the first loss "
                           << initial << " (the same on every rank)" << hint);
}

}  // namespace

TrainingResult train(Loss& loss, nn::Mlp& net, const TrainingConfig& config, MPI_Comm comm) {
  TrainingControl control;
  control.comm = comm;
  return train(loss, net.parameters(), config, control);
}

TrainingResult train(Loss& loss, const nn::Vector& x, const TrainingConfig& config,
                     const TrainingControl& control) {
  TrainingResult result;
  Recorder recorder(loss, config, control.on_record);
  const long size = static_cast<long>(x.extent(0));
  nn::Vector gradient("tessera::pinn::gradient", size);

  const nn::InnerProduct local_inner{};
  const nn::InnerProduct& inner = control.inner ? *control.inner : local_inner;
  nn::Adam adam({config.adam_learning_rate}, size);
  int first = 0;
  const auto* resume = control.resume;
  if (resume) {
    // Adaptive weights and refined point sets are not part of a checkpoint, so a resumed run
    // could not repeat the trajectory it continues.
    TESSERA_CHECK(config.balance_every == 0 && config.resampling.every == 0,
                  "cannot resume training with adaptive term weights or residual refinement: "
                  "their state is not checkpointed");
    const int end = config.adam_iterations + config.lbfgs_iterations;
    TESSERA_CHECK((resume->phase == 0 && resume->iteration <= config.adam_iterations) ||
                      (resume->phase == 1 && resume->iteration >= config.adam_iterations &&
                       resume->iteration <= end),
                  "cannot resume at iteration "
                      << resume->iteration << " (" << (resume->phase ? "L-BFGS" : "Adam")
                      << ") of a run of " << config.adam_iterations << " Adam and "
                      << config.lbfgs_iterations << " L-BFGS iterations");
    Kokkos::deep_copy(x, resume->parameters);
    if (resume->phase == 0)
      adam.restore(resume->first_moment, resume->second_moment, resume->adam_steps);
    first = resume->phase == 0 ? resume->iteration : config.adam_iterations;
  }
  // After each iteration (iterations_done as in TrainingCheckpoint), on every rank: the
  // checkpoints due by iteration count, by wall clock or by a signal, and the stop the signal
  // asks for. state() makes the checkpoint's state only when one is written.
  auto safe_point = [&](int iterations_done, int phase, const auto& state) {
    const bool due = control.checkpoint && control.checkpoint_every > 0 &&
                     iterations_done % control.checkpoint_every == 0;
    if (due) control.checkpoint(state());
    if (control.comm == MPI_COMM_NULL) return;
    const SafePoint point = poll_safe_point(control.comm);
    if (!point.stop && !point.checkpoint) return;
    // A checkpoint without the adaptive weights or refined points could not be resumed: none is
    // written, and a stop saves nothing.
    const bool resumable =
        control.checkpoint && config.balance_every == 0 && config.resampling.every == 0;
    if (resumable && !due) control.checkpoint(state());
    if (point.stop)
      throw Stopped(
          (phase == 0 ? "Adam iteration " : "L-BFGS iteration ") + std::to_string(iterations_done),
          resumable ? control.resume_hint : "");
  };
  const auto schedule = config.adam_schedule();
  std::unique_ptr<LearningRateAnnealing> annealing;
  if (config.balance_every > 0)
    annealing = std::make_unique<LearningRateAnnealing>(
        loss, config.balance_alpha, size, balancing_method_from_name(config.balance_method));
  ResidualSampled* sampled = nullptr;
  if (config.resampling.every > 0) {
    sampled = dynamic_cast<ResidualSampled*>(&loss);
    TESSERA_CHECK(sampled, "residual-based refinement needs a loss that can score residuals");
  }
  double value = 0;
  for (int k = first; k < config.adam_iterations; ++k) {
    if (sampled && k > 0 && k % config.resampling.every == 0) {
      const long added =
          refine_by_residual(*sampled, config.resampling, k / config.resampling.every);
      result.refinement_points += added;
      if (config.verbose)
        TESSERA_LOG("adam   it " << k << "  residual refinement: +" << added << " interior points ("
                                 << result.refinement_points << " added so far)");
    }
    if (annealing && k % config.balance_every == 0) {
      const auto& w = annealing->update(x);
      if (config.verbose && k % config.log_every == 0) {
        std::ostringstream line;
        for (size_t i = 0; i < w.size(); ++i) line << "  " << w[i];
        TESSERA_LOG("adam   it " << k << "  term weights" << line.str());
      }
    }
    value = loss.value_and_gradient(x, gradient);
    recorder.record(k, 0, value, k == first);
    check_finite(inner, "Adam", k, value, recorder.initial_loss(), gradient);
    adam.step(x, gradient, schedule.at(k));
    safe_point(k + 1, 0, [&] {
      return TrainingCheckpoint{
          0, k + 1, x, adam.first_moment(), adam.second_moment(), adam.steps(), {}};
    });
  }
  result.adam_iterations = config.adam_iterations;

  if (config.lbfgs_iterations > 0) {
    nn::LbfgsConfig lc;
    lc.max_iterations = config.lbfgs_iterations;
    lc.history = config.lbfgs_history;
    nn::Lbfgs lbfgs(lc, size, control.inner);
    const int offset = config.adam_iterations;
    // L-BFGS iterates on its own copy: every trial point it evaluates is loaded into the network.
    nn::Vector iterate("tessera::pinn::lbfgs_iterate", size);
    Kokkos::deep_copy(iterate, x);
    const bool resume_lbfgs = resume && resume->phase == 1;
    if (resume_lbfgs)
      TESSERA_CHECK(resume->lbfgs.iteration == resume->iteration - offset,
                    "L-BFGS checkpoint of iteration " << resume->lbfgs.iteration << " stored as "
                                                      << resume->iteration);
    result.lbfgs = lbfgs.minimize(
        loss, iterate,
        [&](int k, double f, int) {
          recorder.record(offset + k, 1, f);
          check_finite(inner, "L-BFGS", offset + k, f, recorder.initial_loss(), lbfgs.gradient());
          safe_point(offset + k, 1, [&] {
            return TrainingCheckpoint{1, offset + k, iterate, {}, {}, 0, lbfgs.state()};
          });
        },
        resume_lbfgs ? &resume->lbfgs : nullptr);
    value = loss.value_and_gradient(iterate, gradient);  // the network now holds the accepted point
    recorder.record(offset + result.lbfgs.iterations, 1, value, true);
    check_finite(inner, "L-BFGS", offset + result.lbfgs.iterations, value, recorder.initial_loss(),
                 gradient);
    if (iterate.data() != x.data()) Kokkos::deep_copy(x, iterate);
    if (config.verbose)
      TESSERA_LOG("lbfgs stopped after "
                  << result.lbfgs.iterations << " iterations (" << result.lbfgs.evaluations
                  << " evaluations): " << nn::stop_reason(result.lbfgs.reason));
  } else {
    value = loss.value_and_gradient(x, gradient);
    recorder.record(config.adam_iterations, 0, value, true);
    check_finite(inner, "Adam", config.adam_iterations, value, recorder.initial_loss(), gradient);
  }
  // A finite loss that ends above where it started is no divergence by the rule above (a restart
  // from absurd weights starts absurd), but it is worth a line.
  if (config.verbose && value > recorder.initial_loss())
    TESSERA_LOG("warning: the training ended at a higher loss than it started ("
                << value << " against " << recorder.initial_loss()
                << "); check the learning rate and the restart point");
  result.term_weights = loss.term_weights();
  result.initial_loss = recorder.initial_loss();
  result.final_loss = value;
  result.seconds = recorder.seconds();
  result.history = recorder.take();
  return result;
}

}  // namespace tessera::pinn
