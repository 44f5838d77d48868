#pragma once
// The gradient statistics of loss balancing (pinn/loss_balancing.hpp) as free functions: a
// KOKKOS_LAMBDA in a private member function does not compile under nvcc.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"
#include "nn/types.hpp"

namespace tessera::pinn {

/// max_k |g(k)| into max. Not collective.
inline void gradient_max_abs(const nn::Vector& g, double& max) {
  Kokkos::parallel_reduce(
      "tessera::pinn::gradient_max", Kokkos::RangePolicy<>(0, long(g.extent(0))),
      KOKKOS_LAMBDA(const long k, double& v) { v = math::fmax(v, math::fabs(g(k))); },
      Kokkos::Max<double>(max));
}

/// sum_k |g(k)| and sum_k g(k)^2. Not collective.
inline void gradient_sums(const nn::Vector& g, double& sum, double& sum_sq) {
  Kokkos::parallel_reduce(
      "tessera::pinn::gradient_sums", Kokkos::RangePolicy<>(0, long(g.extent(0))),
      KOKKOS_LAMBDA(const long k, double& s1, double& s2) {
        s1 += math::fabs(g(k));
        s2 += g(k) * g(k);
      },
      sum, sum_sq);
}

}  // namespace tessera::pinn
