#pragma once
// Learning-rate schedules for first-order optimizers: the rate at iteration k of a run of n.
#include <string>

namespace tessera::nn {

enum class LearningRateDecay { Exponential, Cosine, Step, Constant };

LearningRateDecay learning_rate_decay_from_name(const std::string& name);
const char* learning_rate_decay_name(LearningRateDecay decay);

struct LearningRateSchedule {
  LearningRateDecay decay = LearningRateDecay::Exponential;
  double initial = 1e-3;
  double final = 1e-4;  // exponential and cosine: the rate at the last iteration
  int iterations = 1;   // n: exponential and cosine reach `final` at iteration n - 1
  int step_every = 1000;
  double step_factor = 0.5;  // step: the rate is multiplied by this every step_every iterations

  /// The rate at iteration k (0-based):
  ///   exponential  initial (final/initial)^(k/(n-1))       (geometric: equal ratios per step)
  ///   cosine       final + (initial-final) (1 + cos(pi k/(n-1))) / 2   (flat start and end)
  ///   step         initial step_factor^floor(k/step_every)
  ///   constant     initial
  double at(int k) const;
};

}  // namespace tessera::nn
