#pragma once
// -Δu = f on [0,1]^2 with u = g on the boundary, manufactured from
//   u(x, y) = sin(kπx) sin(kπy) + a sin(mπx) sin(mπy),  f = -Δu,  g = 0,
// k = 1, a = 0 is the classic case; larger k is the harder, higher-frequency variant, and a > 0
// (e.g. a = 0.1, m = 8) the multiscale one, two frequencies an order of magnitude apart.
// Pointwise functions shared by the PINN residual, the PETSc right-hand side and the tests.
#include <Kokkos_Core.hpp>

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Poisson2D {
  double frequency = 1.0;             // k
  double multiscale_amplitude = 0.0;  // a
  double multiscale_frequency = 8.0;  // m

  /// Reads -poisson_frequency, -poisson_multiscale_amplitude and -poisson_multiscale_frequency.
  static Poisson2D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION static double mode(double k, double x, double y) {
    return sin(k * M_PI * x) * sin(k * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double exact(double x, double y) const {
    return mode(frequency, x, y) + multiscale_amplitude * mode(multiscale_frequency, x, y);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y) const {
    const double k = frequency, m = multiscale_frequency;
    return 2.0 * M_PI * M_PI *
           (k * k * mode(k, x, y) + multiscale_amplitude * m * m * mode(m, x, y));
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x, double y) const { return exact(x, y); }
  /// Residual of the PDE, -Δu - f, given the Laplacian of a candidate u at (x, y).
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, double x, double y) const {
    return -laplacian - source(x, y);
  }
};

}  // namespace tessera::physics
