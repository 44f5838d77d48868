#pragma once
// Allen–Cahn equation, the standard PINN benchmark (Raissi et al. 2019; Wight & Zhao 2020):
//   u_t - D u_xx + r u³ - r u = 0,  x ∈ [-1, 1) periodic, t ∈ [0, 1],  u(x, 0) = x² cos(πx),
// with D = 1e-4 and r = 5: interfaces of width ~sqrt(D/r) form and then sit still, so the
// solution is smooth but steep and a PINN needs many points to resolve it. Pointwise functions
// shared by the PINN residual, the reference solver and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct AllenCahn1D {
  double diffusion = 1e-4;  // D
  double reaction = 5.0;    // r

  /// Reads -allen_cahn_diffusion and -allen_cahn_reaction. Not collective.
  static AllenCahn1D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION static double initial(double x) { return x * x * math::cos(M_PI * x); }
  /// The reaction term of u_t = D u_xx + reaction_rate(u).
  KOKKOS_INLINE_FUNCTION double reaction_rate(double u) const { return reaction * (u - u * u * u); }
  /// Residual u_t - D u_xx + r u³ - r u of a candidate u with the given derivatives.
  KOKKOS_INLINE_FUNCTION double residual(double u, double u_t, double u_xx) const {
    return u_t - diffusion * u_xx - reaction_rate(u);
  }
};

}  // namespace tessera::physics
