#pragma once
// -Δu = f on [0,1]^2 with u = g on the boundary, manufactured from
//   u(x, y) = sin(kπx) sin(kπy),  f = 2 k² π² u,  g = 0,
// k = 1 is the classic case; larger k is the harder, higher-frequency variant.
// Pointwise functions shared by the PINN residual, the PETSc right-hand side and the tests.
#include <Kokkos_Core.hpp>

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Poisson2D {
  double frequency = 1.0;  // k

  /// Reads -poisson_frequency.
  static Poisson2D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION double exact(double x, double y) const {
    const double kpi = frequency * M_PI;
    return sin(kpi * x) * sin(kpi * y);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y) const {
    const double kpi = frequency * M_PI;
    return 2.0 * kpi * kpi * exact(x, y);
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x, double y) const { return exact(x, y); }
  /// Residual of the PDE, -Δu - f, given the Laplacian of a candidate u at (x, y).
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, double x, double y) const {
    return -laplacian - source(x, y);
  }
};

}  // namespace tessera::physics
