#include "nn/adam.hpp"

#include <cmath>

#include "core/device_math.hpp"
#include "core/profiling.hpp"

namespace tessera::nn {

Adam::Adam(const AdamConfig& config, long size)
    : config_(config), m_("tessera::nn::adam_m", size), v_("tessera::nn::adam_v", size) {}

void Adam::step(const Vector& x, const Vector& gradient, double learning_rate) {
  ProfilingRegion region(Phase::OptimizerStep);
  ++steps_;
  const double b1 = config_.beta1, b2 = config_.beta2, eps = config_.epsilon;
  const double c1 = 1.0 - std::pow(b1, double(steps_));
  const double c2 = 1.0 - std::pow(b2, double(steps_));
  const double lr = learning_rate, decay = config_.weight_decay;
  auto m = m_, v = v_;
  Kokkos::parallel_for(
      "tessera::nn::adam_step", Kokkos::RangePolicy<>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
        const double g = gradient(i) + decay * x(i);
        m(i) = b1 * m(i) + (1.0 - b1) * g;
        v(i) = b2 * v(i) + (1.0 - b2) * g * g;
        x(i) -= lr * (m(i) / c1) / (math::sqrt(v(i) / c2) + eps);
      });
}

void Adam::restore(const Vector& m, const Vector& v, long steps) {
  Kokkos::deep_copy(m_, m);
  Kokkos::deep_copy(v_, v);
  steps_ = steps;
}

}  // namespace tessera::nn
