#pragma once
// A PINN loss: an Objective made of named, weighted terms that the trainer records separately.
#include <string>
#include <vector>

#include "nn/objective.hpp"

namespace tessera::pinn {

class Loss : public nn::Objective {
public:
  virtual std::vector<std::string> term_names() const = 0;
  /// The weighted terms of the last evaluation; they sum to its value.
  virtual std::vector<double> term_values() const = 0;
};

}  // namespace tessera::pinn
