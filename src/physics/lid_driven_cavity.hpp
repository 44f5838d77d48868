#pragma once
// The lid-driven cavity on the unit square: steady incompressible Navier–Stokes
//   (u·∇)u + ∇p - Δu / Re = 0,  ∇·u = 0,
// Re = U L / ν with U the lid's peak speed, no-slip walls, the lid y = 1 sliding along x at
// u = U g(x). The uniform lid g = 1 (Ghia, Ghia & Shin 1982) jumps to the side walls' u = 0 at the
// top corners, where pressure and vorticity are singular: no smooth function, so no PINN, fits it
// there. The regularised lid g = 16 x² (1 - x)² (Shen 1991) vanishes with its slope at the corners
// and gives a smooth flow. Pointwise functions shared by the PINN's boundary data and the PETSc
// reference's lid (IncompressibleConfig::regularised_lid); the residuals are
// physics/navier_stokes.hpp.
#include <Kokkos_Core.hpp>

namespace tessera::physics {

struct LidDrivenCavity {
  double reynolds = 100.0;
  bool regularised_lid = true;

  /// g(s) = 16 s² (1 - s)² at s = x / L along the lid.
  KOKKOS_INLINE_FUNCTION static double regularised_profile(double s) {
    return 16.0 * s * s * (1.0 - s) * (1.0 - s);
  }
  /// The lid's velocity along x at x (U = 1).
  KOKKOS_INLINE_FUNCTION double lid_velocity(double x) const {
    return regularised_lid ? regularised_profile(x) : 1.0;
  }

  /// Boundary data of output k of (u, v, p) at a wall point (x, y): the lid's u on y = 1, zero
  /// velocity elsewhere, and 0 for the pressure, which the PINN run puts no condition on.
  KOKKOS_INLINE_FUNCTION double component(int k, double x, double y) const {
    return k == 0 && y >= 1.0 ? lid_velocity(x) : 0.0;
  }
};

}  // namespace tessera::physics
