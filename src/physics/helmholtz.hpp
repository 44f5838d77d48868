#pragma once
// Helmholtz equation on [-1,1]^2 with u = 0 on the boundary, manufactured from
//   u(x, y) = sin(a1 πx) sin(a2 πy),  f = -Δu - k²u = ((a1² + a2²) π² - k²) u,
// the standard PINN case (Wang, Teng & Perdikaris 2021) being a1 = 1, a2 = 4, k = 1. For
// k² above the lowest eigenvalue of -Δ the operator is indefinite, so the reference solve uses
// GMRES with a direct (LU) preconditioner rather than CG and multigrid. Pointwise functions
// shared by the PINN residual, the PETSc right-hand side and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Helmholtz2D {
  double wavenumber = 1.0;  // k
  int mode_x = 1;           // a1
  int mode_y = 4;           // a2

  /// Reads -helmholtz_wavenumber, -helmholtz_mode_x and -helmholtz_mode_y. Not collective.
  static Helmholtz2D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION double exact(double x, double y) const {
    return math::sin(mode_x * M_PI * x) * math::sin(mode_y * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y) const {
    const double eigenvalue = (mode_x * mode_x + mode_y * mode_y) * M_PI * M_PI;
    return (eigenvalue - wavenumber * wavenumber) * exact(x, y);
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x, double y) const { return exact(x, y); }
  /// Residual -Δu - k²u - f of a candidate u with Laplacian `laplacian` at (x, y).
  KOKKOS_INLINE_FUNCTION double residual(double u, double laplacian, double x, double y) const {
    return -laplacian - wavenumber * wavenumber * u - source(x, y);
  }
};

}  // namespace tessera::physics
