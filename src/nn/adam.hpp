#pragma once
// Adam (Kingma & Ba 2015) on a flat parameter vector.
#include "nn/types.hpp"

namespace tessera::nn {

struct AdamConfig {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  // L2 penalty as torch.optim.Adam's weight_decay: weight_decay * x is added to the gradient
  // before the moments are updated (not AdamW's decoupled decay of x).
  double weight_decay = 0.0;
};

class Adam {
public:
  Adam(const AdamConfig& config, long size);

  /// g = gradient + weight_decay * x; m, v updated with g; x -= lr * m_hat / (sqrt(v_hat) + eps),
  /// with this step's learning rate. gradient itself is left unchanged.
  void step(const Vector& x, const Vector& gradient, double learning_rate);
  void step(const Vector& x, const Vector& gradient) { step(x, gradient, config_.learning_rate); }

  long steps() const { return steps_; }
  /// Moment estimates and step count: what a checkpoint must hold to resume exactly.
  const Vector& first_moment() const { return m_; }
  const Vector& second_moment() const { return v_; }
  void restore(const Vector& m, const Vector& v, long steps);

private:
  AdamConfig config_;
  Vector m_, v_;
  long steps_ = 0;
};

}  // namespace tessera::nn
