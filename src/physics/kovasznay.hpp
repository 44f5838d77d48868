#pragma once
// Kovasznay flow (Kovasznay 1948): the exact steady solution of the 2D incompressible
// Navier–Stokes equations
//   (u·∇)u + ∇p - Δu / Re = 0,  ∇·u = 0,
// behind a row of cylinders, on the standard PINN domain [-0.5, 1] × [-0.5, 1.5]:
//   u = 1 - e^{λx} cos(2πy),  v = λ/(2π) e^{λx} sin(2πy),  p = (1 - e^{2λx}) / 2,
//   λ = Re/2 - sqrt(Re²/4 + 4π²).
// Dirichlet data for the velocity come from the same functions. Pointwise functions shared by the
// PINN residual, the comparison and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"
#include "physics/navier_stokes.hpp"

namespace tessera::physics {

struct Kovasznay {
  double reynolds = 40.0;  // Re; 20 and 40 are the usual cases

  static constexpr double x_min = -0.5, x_max = 1.0, y_min = -0.5, y_max = 1.5;

  KOKKOS_INLINE_FUNCTION double lambda() const {
    return 0.5 * reynolds - math::sqrt(0.25 * reynolds * reynolds + 4.0 * M_PI * M_PI);
  }
  KOKKOS_INLINE_FUNCTION double velocity_x(double x, double y) const {
    return 1.0 - math::exp(lambda() * x) * math::cos(2.0 * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double velocity_y(double x, double y) const {
    return lambda() / (2.0 * M_PI) * math::exp(lambda() * x) * math::sin(2.0 * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double pressure(double x, double /*y*/) const {
    return 0.5 * (1.0 - math::exp(2.0 * lambda() * x));
  }

  /// Output k of the exact solution (u, v, p), the boundary data of a PINN with outputs (u, v, p).
  KOKKOS_INLINE_FUNCTION double component(int k, double x, double y) const {
    return k == 0 ? velocity_x(x, y) : k == 1 ? velocity_y(x, y) : pressure(x, y);
  }

  /// The steady Navier–Stokes residuals at this flow's Re (physics/navier_stokes.hpp).
  KOKKOS_INLINE_FUNCTION double momentum_residual(double u, double v, double q_x, double q_y,
                                                  double p_d, double laplacian_q) const {
    return steady_momentum_residual(reynolds, u, v, q_x, q_y, p_d, laplacian_q);
  }
  KOKKOS_INLINE_FUNCTION static double continuity_residual(double u_x, double v_y) {
    return physics::continuity_residual(u_x, v_y);
  }
};

}  // namespace tessera::physics
