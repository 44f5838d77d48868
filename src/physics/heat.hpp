#pragma once
// Heat equation on [0,1]^3 × [0, T] with u = 0 on the boundary and the separable exact solution
//   u(x, y, z, t) = exp(-3 m² π² κ t) sin(mπx) sin(mπy) sin(mπz),
// the 3D+time PINN case. Pointwise functions shared by the PINN residual, the reference solver
// and the tests.
#include <Kokkos_Core.hpp>

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Heat3D {
  double diffusivity = 0.05;  // κ: the solution decays by exp(-3π²κ) ≈ 0.23 by t = 1 for m = 1
  int mode = 1;               // m

  /// Reads -heat_diffusivity and -heat_mode. Not collective.
  static Heat3D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION double exact(double x, double y, double z, double t) const {
    const double k = mode * M_PI;
    return exp(-3.0 * k * k * diffusivity * t) * sin(k * x) * sin(k * y) * sin(k * z);
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
