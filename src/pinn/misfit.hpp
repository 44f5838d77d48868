#pragma once
// The data-misfit term every PINN loss has for its boundary or initial conditions:
//   scale * sum_p (u(x_p) - target(x_p))^2 over this rank's points, with its parameter gradient.
#include "nn/mlp.hpp"

namespace tessera::pinn {

/// Adds scale * d/dtheta sum_p (u_p - target_p)^2 into gradient and returns this rank's sum times
/// scale (not collective: the caller sums over ranks). ws must be prepared at Value order for the
/// points; adjoint is a scratch matrix of the same rows. target(x, y) is a Kokkos-callable.
template <class Target>
double squared_misfit(const nn::Mlp& net, const nn::Matrix& points, nn::MlpWorkspace& ws,
                      const nn::Matrix& adjoint, double scale, const Target& target,
                      const nn::Vector& gradient) {
  const int n = ws.points;
  if (n == 0) return 0.0;
  net.forward(points, ws);
  const auto u = ws.output();
  const auto x = points;
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::pinn::squared_misfit", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int p, double& acc) {
        const double d = u(p, 0) - target(x(0, p), x(1, p));
        acc += d * d;
        adjoint(p, 0) = 2.0 * scale * d;
      },
      sum);
  net.backward(ws, adjoint, gradient);
  return scale * sum;
}

}  // namespace tessera::pinn
