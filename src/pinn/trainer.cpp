#include "pinn/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "io/restart.hpp"
#include "nn/adam.hpp"
#include "pinn/loss_balancing.hpp"

#include <memory>
#include <sstream>
#include <utility>

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
                                "iterations between progress lines (the history keeps every one)");
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

// Every iteration's loss and terms as a history row (a few doubles: cheap in time and file size);
// at every log_every-th iteration, and at the first and last, a progress line with the share of
// the training done and its expected end, and the monitor.
class Recorder {
public:
  Recorder(const Loss& loss, const TrainingConfig& config, const RecordMonitor& monitor, int first)
      : loss_(loss), config_(config), monitor_(monitor), first_(first) {
    history_.columns = {"iteration", "phase", "loss"};
    for (const auto& name : loss.term_names()) history_.columns.push_back(name);
    history_.columns.push_back("seconds");
  }
  /// line: whether this row may print a progress line (forced: whatever its iteration).
  enum class Line { by_interval, forced, none };
  void record(int iteration, int phase, double value, Line line = Line::by_interval) {
    if (first_value_) {
      initial_ = value;
      first_value_ = false;
    }
    if (iteration == last_) return;
    last_ = iteration;
    const double t = timer_.seconds();
    const auto values = loss_.term_values();
    history_.rows.insert(history_.rows.end(), {double(iteration), double(phase), value});
    history_.rows.insert(history_.rows.end(), values.begin(), values.end());
    history_.rows.push_back(t);
    if (line == Line::none || (line == Line::by_interval && iteration % config_.log_every != 0))
      return;
    if (monitor_) monitor_(iteration, phase);
    if (!config_.verbose) return;
    const auto names = loss_.term_names();
    std::string terms;
    for (size_t i = 0; i < values.size(); ++i) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "  %s %.3e", names[i].c_str(), values[i]);
      terms += buf;
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "%-6s it %7d  loss %.4e", phase == 0 ? "adam" : "lbfgs",
                  iteration, value);
    // The pace so far, Adam's and L-BFGS's together: L-BFGS iterations cost a few evaluations.
    const int total = config_.adam_iterations + config_.lbfgs_iterations;
    const double left =
        iteration > first_ ? t / (iteration - first_) * std::max(0, total - iteration) : -1.0;
    TESSERA_LOG(buf << terms << "  (" << std::fixed << std::setprecision(1) << t << " s, "
                    << progress_text(total > 0 ? double(iteration) / total : 1.0, left) << ")");
  }
  TrainingHistory take() { return std::move(history_); }
  double initial_loss() const { return initial_; }
  double seconds() const { return timer_.seconds(); }

private:
  const Loss& loss_;
  const TrainingConfig& config_;
  const RecordMonitor& monitor_;
  const int first_;  // the iteration this training starts at (a restart's)
  TrainingHistory history_;
  Timer timer_;
  int last_ = -1;
  bool first_value_ = true;
  double initial_ = 0;
};

// L-BFGS's first evaluation is the loss at the point Adam reached: the switch's history row.
class FirstEvaluation : public nn::Objective {
public:
  FirstEvaluation(Loss& loss, std::function<void(double)> on_first)
      : loss_(loss), on_first_(std::move(on_first)) {}
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    const double value = loss_.value_and_gradient(x, gradient);
    if (on_first_) std::exchange(on_first_, nullptr)(value);
    return value;
  }

private:
  Loss& loss_;
  std::function<void(double)> on_first_;
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

/// Collective as loss is. Evaluates the loss at the restored parameters x (gradient is scratch)
/// and, unless control.warm_start, requires it to reproduce the loss the checkpoint recorded
/// there: an InputError on every rank (the loss is reduced over ranks) naming the file, both
/// losses and the way out.
void require_recorded_loss(Loss& loss, const nn::Vector& x, const nn::Vector& gradient,
                           const TrainingCheckpoint& resume, const TrainingControl& control) {
  const std::string file = "checkpoint '" + control.resume_source + "'";
  if (control.warm_start) {
    TESSERA_LOG("warm start (-restart_warm_start): " << file << "'s recorded loss is not checked");
    return;
  }
  if (std::isnan(resume.loss))
    TESSERA_THROW_AS(InputError, file
                                     << " records no training loss (written by an older Tessera?), "
                                        "so its parameters cannot be checked; "
                                        "-restart_warm_start true starts from them on purpose");
  io::require_reproduced(control.resume_source, "the training loss", resume.loss,
                         loss.value_and_gradient(x, gradient),
                         "its parameters were altered, or this run's loss is not the one that "
                         "wrote it (other points, seeds or term weights); -restart_warm_start "
                         "true trains from them on purpose");
}

}  // namespace

TrainingResult train(Loss& loss, nn::Mlp& net, const TrainingConfig& config, MPI_Comm comm) {
  TrainingControl control;
  control.comm = comm;
  return train(loss, net.parameters(), config, control);
}

TrainingResult train(Loss& loss, const nn::Vector& x, const TrainingConfig& config,
                     const TrainingControl& control) {
  ProfilingRegion stage(Stage::Training);
  TrainingResult result;
  const long size = static_cast<long>(x.extent(0));
  nn::Vector gradient("tessera::pinn::gradient", size);

  const nn::InnerProduct local_inner{};
  const nn::InnerProduct& inner = control.inner ? *control.inner : local_inner;
  nn::Adam adam({config.adam_learning_rate}, size);
  int first = 0;
  const auto* resume = control.resume;
  if (resume) {
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
  Recorder recorder(loss, config, control.on_record,
                    resume && resume->phase == 1 ? resume->iteration : first);
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
    if (control.checkpoint && !due) control.checkpoint(state());
    if (point.stop)
      throw Stopped(
          (phase == 0 ? "Adam iteration " : "L-BFGS iteration ") + std::to_string(iterations_done),
          control.checkpoint ? control.resume_hint : "");
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
  std::vector<double> refined;  // every round's points, for checkpoints
  if (resume && annealing) annealing->restore(resume->term_weights);
  if (resume && sampled) {
    refined = resume->refined_points;
    result.refinement_points = restore_refinement(*sampled, refined);
  }
  // Last in the resume, once everything the loss depends on (term weights, refined points) is
  // restored.
  if (resume) require_recorded_loss(loss, x, gradient, *resume, control);
  // A checkpoint's state with what adaptation has reached.
  const auto adapted = [&](TrainingCheckpoint state) {
    if (annealing) state.term_weights = annealing->weights();
    state.refined_points = refined;
    if (sampled) state.refined_inputs = sampled->inputs();
    return state;
  };
  double value = 0;
  for (int k = first; k < config.adam_iterations; ++k) {
    if (sampled && k > 0 && k % config.resampling.every == 0) {
      const long added =
          refine_by_residual(*sampled, config.resampling, k / config.resampling.every, &refined);
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
    recorder.record(k, 0, value, k == first ? Recorder::Line::forced : Recorder::Line::by_interval);
    check_finite(inner, "Adam", k, value, recorder.initial_loss(), gradient);
    adam.step(x, gradient, schedule.at(k));
    safe_point(k + 1, 0, [&] {
      auto state = adapted(TrainingCheckpoint{
          0, k + 1, x, adam.first_moment(), adam.second_moment(), adam.steps(), {}, {}, {}});
      // The loss at x_{k+1} is not known before the next iteration: one evaluation more per
      // checkpoint, for the restart's check (gradient is free again after the step). A state
      // whose loss is not finite is not written.
      state.loss = loss.value_and_gradient(x, gradient);
      check_finite(inner, "Adam", k + 1, state.loss, recorder.initial_loss(), gradient);
      return state;
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
    // Not after a restart inside L-BFGS: its first evaluation is then at the checkpoint's point.
    const bool after_adam = !resume_lbfgs;
    FirstEvaluation objective(loss, [&](double f) {
      if (!after_adam) return;
      // Without Adam this is the training's first row, which prints its line.
      recorder.record(offset, 1, f, offset == 0 ? Recorder::Line::forced : Recorder::Line::none);
      if (config.verbose && offset > 0)
        TESSERA_LOG("switching from Adam to L-BFGS at iteration " << offset << " (loss "
                                                                  << format("%.4e", f) << ")");
    });
    result.lbfgs = lbfgs.minimize(
        objective, iterate,
        [&](int k, double f, int) {
          recorder.record(offset + k, 1, f);
          check_finite(inner, "L-BFGS", offset + k, f, recorder.initial_loss(), lbfgs.gradient());
          safe_point(offset + k, 1, [&] {
            auto state = adapted(
                TrainingCheckpoint{1, offset + k, iterate, {}, {}, 0, lbfgs.state(), {}, {}});
            state.loss = f;
            return state;
          });
        },
        resume_lbfgs ? &resume->lbfgs : nullptr);
    value = loss.value_and_gradient(iterate, gradient);  // the network now holds the accepted point
    recorder.record(offset + result.lbfgs.iterations, 1, value, Recorder::Line::forced);
    check_finite(inner, "L-BFGS", offset + result.lbfgs.iterations, value, recorder.initial_loss(),
                 gradient);
    if (iterate.data() != x.data()) Kokkos::deep_copy(x, iterate);
    if (config.verbose)
      TESSERA_LOG("lbfgs stopped after "
                  << result.lbfgs.iterations << " iterations (" << result.lbfgs.evaluations
                  << " evaluations): " << nn::stop_reason(result.lbfgs.reason));
  } else {
    value = loss.value_and_gradient(x, gradient);
    recorder.record(config.adam_iterations, 0, value, Recorder::Line::forced);
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

void append(TrainingResult& total, const TrainingResult& next) {
  const double seconds = total.seconds + next.seconds;
  auto rows = std::move(total.history.rows);
  total = next;
  total.seconds = seconds;
  rows.insert(rows.end(), next.history.rows.begin(), next.history.rows.end());
  total.history.rows = std::move(rows);
}

}  // namespace tessera::pinn
