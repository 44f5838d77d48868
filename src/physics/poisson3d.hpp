#pragma once
// -Δu = f on [0,1]^3 with u = 0 on the boundary, manufactured from a smooth mode plus an optional
// fine-scale one,
//   u(x, y, z) = sin(πx) sin(πy) sin(πz) + a sin(mπx) sin(mπy) sin(mπz),
//   f = 3π² sin(πx) sin(πy) sin(πz) + 3 a m² π² sin(mπx) sin(mπy) sin(mπz).
// a = 0 is the smooth case; a = 0.1, m = 8 the multiscale one, where a single network must learn
// two frequencies an order of magnitude apart. Pointwise functions shared by the PINN residual, the
// PETSc right-hand side and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Poisson3D {
  double multiscale_amplitude = 0.0;  // a
  int multiscale_frequency = 8;       // m

  /// Reads -poisson3d_multiscale_amplitude and -poisson3d_multiscale_frequency. Not collective.
  static Poisson3D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION static double mode(double k, double x, double y, double z) {
    return math::sin(k * M_PI * x) * math::sin(k * M_PI * y) * math::sin(k * M_PI * z);
  }
  KOKKOS_INLINE_FUNCTION double exact(double x, double y, double z) const {
    return mode(1.0, x, y, z) + multiscale_amplitude * mode(multiscale_frequency, x, y, z);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y, double z) const {
    const double m = multiscale_frequency;
    return 3.0 * M_PI * M_PI *
           (mode(1.0, x, y, z) + multiscale_amplitude * m * m * mode(m, x, y, z));
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x, double y, double z) const {
    return exact(x, y, z);
  }
  /// Residual of the PDE, -Δu - f, given the Laplacian of a candidate u at (x, y, z).
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, double x, double y, double z) const {
    return -laplacian - source(x, y, z);
  }
};

}  // namespace tessera::physics
