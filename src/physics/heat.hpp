#pragma once
// The heat equation u_t = nu u_xx on x in [0,1], t in [0,1], with u(x, 0) = sin(k pi x) and
// u(0, t) = u(1, t) = 0; exact solution u = exp(-nu k^2 pi^2 t) sin(k pi x). A small
// time-dependent problem for causal training: the network maps (x, t) to u.
#include <Kokkos_Core.hpp>

namespace tessera::physics {

struct Heat1D {
  double diffusivity = 0.1;  // nu
  double frequency = 1.0;    // k

  KOKKOS_INLINE_FUNCTION double exact(double x, double t) const {
    const double kpi = frequency * M_PI;
    return exp(-diffusivity * kpi * kpi * t) * sin(kpi * x);
  }
  KOKKOS_INLINE_FUNCTION double initial(double x) const { return exact(x, 0.0); }
  KOKKOS_INLINE_FUNCTION double boundary(double /*x*/, double /*t*/) const { return 0.0; }
  /// Residual u_t - nu u_xx of a candidate u.
  KOKKOS_INLINE_FUNCTION double residual(double u_t, double u_xx) const {
    return u_t - diffusivity * u_xx;
  }
};

}  // namespace tessera::physics
