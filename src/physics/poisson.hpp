#pragma once
// -Δu = f on [0,1]^2 with u = g on the boundary, manufactured from
//   u(x, y) = sin(kπx) sin(kπy) + a sin(mπx) sin(mπy),  f = -Δu,  g = 0,
// k = 1, a = 0 is the classic case; larger k is the harder, higher-frequency variant, and a > 0
// (e.g. a = 0.1, m = 8) the multiscale one, two frequencies an order of magnitude apart. With a
// peak width w > 0 the solution is instead the sharp Gaussian u = exp(-|x - c|^2 / (2 w^2)),
// c = (1/2, 1/2), f = u (2/w^2 - |x - c|^2/w^4), g = u on the boundary (below 1e-13 for
// w <= 0.06): a localised feature that uniform collocation resolves poorly (the test case of
// adaptive resampling).
// Pointwise functions shared by the PINN residual, the PETSc right-hand side and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Poisson2D {
  double frequency = 1.0;             // k
  double multiscale_amplitude = 0.0;  // a
  double multiscale_frequency = 8.0;  // m
  double peak_width = 0.0;            // w; 0 for the sine solution

  /// Reads -poisson_frequency, -poisson_multiscale_amplitude, -poisson_multiscale_frequency and
  /// -poisson_peak_width.
  static Poisson2D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION static double mode(double k, double x, double y) {
    return math::sin(k * M_PI * x) * math::sin(k * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double exact(double x, double y) const {
    if (peak_width > 0) return math::exp(-peak_radius_sq(x, y) / (2.0 * peak_width * peak_width));
    return mode(frequency, x, y) + multiscale_amplitude * mode(multiscale_frequency, x, y);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y) const {
    if (peak_width > 0) {
      const double w2 = peak_width * peak_width;
      return exact(x, y) * (2.0 / w2 - peak_radius_sq(x, y) / (w2 * w2));
    }
    const double k = frequency, m = multiscale_frequency;
    return 2.0 * M_PI * M_PI *
           (k * k * mode(k, x, y) + multiscale_amplitude * m * m * mode(m, x, y));
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x, double y) const { return exact(x, y); }
  /// Residual of the PDE, -Δu - f, given the Laplacian of a candidate u at (x, y).
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, double x, double y) const {
    return -laplacian - source(x, y);
  }
  KOKKOS_INLINE_FUNCTION static double peak_radius_sq(double x, double y) {
    return (x - 0.5) * (x - 0.5) + (y - 0.5) * (y - 0.5);
  }
};

}  // namespace tessera::physics
