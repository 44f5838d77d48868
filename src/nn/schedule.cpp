#include "nn/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace tessera::nn {

LearningRateDecay learning_rate_decay_from_name(const std::string& name) {
  if (name == "exponential") return LearningRateDecay::Exponential;
  if (name == "cosine") return LearningRateDecay::Cosine;
  if (name == "step") return LearningRateDecay::Step;
  if (name == "constant") return LearningRateDecay::Constant;
  TESSERA_THROW("unknown learning-rate schedule '"
                << name << "'; expected exponential, cosine, step or constant");
}

const char* learning_rate_decay_name(LearningRateDecay decay) {
  switch (decay) {
    case LearningRateDecay::Exponential:
      return "exponential";
    case LearningRateDecay::Cosine:
      return "cosine";
    case LearningRateDecay::Step:
      return "step";
    default:
      return "constant";
  }
}

double LearningRateSchedule::at(int k) const {
  const double last = iterations > 1 ? iterations - 1 : 1;
  switch (decay) {
    case LearningRateDecay::Exponential: {
      // The same expression the trainer has always used, so existing runs are unchanged bitwise.
      const double rate = iterations > 1 ? std::log(final / initial) / (iterations - 1) : 0.0;
      return initial * std::exp(rate * k);
    }
    case LearningRateDecay::Cosine:
      return final + 0.5 * (initial - final) * (1.0 + std::cos(M_PI * std::min(1.0, k / last)));
    case LearningRateDecay::Step:
      return initial * std::pow(step_factor, k / (step_every > 0 ? step_every : 1));
    default:
      return initial;
  }
}

}  // namespace tessera::nn
