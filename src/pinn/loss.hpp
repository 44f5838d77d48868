#pragma once
// A PINN loss: an Objective made of named, weighted terms that the trainer records separately.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "nn/objective.hpp"

namespace tessera::pinn {

class Loss : public nn::Objective {
public:
  virtual std::vector<std::string> term_names() const = 0;
  /// The weighted terms of the last evaluation; they sum to its value.
  virtual std::vector<double> term_values() const = 0;

  /// The weights of the terms (term_names() order); empty for a loss that has none to adjust.
  virtual std::vector<double> term_weights() const { return {}; }
  /// Replaces the term weights, for adaptive weighting. Not collective, but every rank must set
  /// the same weights.
  virtual void set_term_weights(const std::vector<double>& /*weights*/) {
    TESSERA_THROW("this loss has no adjustable term weights");
  }
};

}  // namespace tessera::pinn
