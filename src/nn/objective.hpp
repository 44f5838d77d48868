#pragma once
// What an optimizer minimises: a scalar function of the flat parameter vector with its gradient.
#include "nn/types.hpp"

namespace tessera::nn {

class Objective {
public:
  virtual ~Objective() = default;
  /// Returns f(x) and writes grad f(x) into gradient. Collective when the objective is
  /// distributed (data-parallel losses allreduce inside), so every rank sees the same numbers.
  virtual double value_and_gradient(const Vector& x, const Vector& gradient) = 0;
};

}  // namespace tessera::nn
