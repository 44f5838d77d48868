#pragma once
// The heat equation u_t = ν Δu with homogeneous Dirichlet conditions and separable exact
// solutions, in two sizes:
// - Heat1D: x in [0,1], t in [0,1], u(x, 0) = sin(kπx), u = exp(-ν k²π² t) sin(kπx); the small
//   time-dependent problem of causal training (the network maps (x, t) to u).
// - Heat3D: [0,1]^3 × [0, T], u = exp(-3 m²π² κ t) sin(mπx) sin(mπy) sin(mπz), the 3D+time PINN
//   case and its PETSc reference.
// Pointwise functions shared by the PINN residuals, the reference solver and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Heat1D {
  double diffusivity = 0.1;  // nu
  double frequency = 1.0;    // k

  KOKKOS_INLINE_FUNCTION double exact(double x, double t) const {
    const double kpi = frequency * M_PI;
    return math::exp(-diffusivity * kpi * kpi * t) * math::sin(kpi * x);
  }
  KOKKOS_INLINE_FUNCTION double initial(double x) const { return exact(x, 0.0); }
  KOKKOS_INLINE_FUNCTION double boundary(double /*x*/, double /*t*/) const { return 0.0; }
  /// Residual u_t - nu u_xx of a candidate u.
  KOKKOS_INLINE_FUNCTION double residual(double u_t, double u_xx) const {
    return u_t - diffusivity * u_xx;
  }
};

struct Heat3D {
  double diffusivity = 0.05;  // κ: the solution decays by exp(-3π²κ) ≈ 0.23 by t = 1 for m = 1
  int mode = 1;               // m

  /// Reads -heat_diffusivity and -heat_mode. Not collective.
  static Heat3D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION double exact(double x, double y, double z, double t) const {
    const double k = mode * M_PI;
    return math::exp(-3.0 * k * k * diffusivity * t) * math::sin(k * x) * math::sin(k * y) *
           math::sin(k * z);
  }
  KOKKOS_INLINE_FUNCTION double initial(double x, double y, double z) const {
    return exact(x, y, z, 0.0);
  }
  /// Residual u_t - κΔu of a candidate u with time derivative u_t and Laplacian `laplacian`.
  KOKKOS_INLINE_FUNCTION double residual(double u_t, double laplacian) const {
    return u_t - diffusivity * laplacian;
  }
};

}  // namespace tessera::physics
