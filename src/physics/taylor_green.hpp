#pragma once
// The Taylor–Green vortex on the periodic box [0, 2π]^d.
//
// 2D: u = sin x cos y, v = -cos x sin y is an exact solution of the incompressible Navier–Stokes
// equations for any viscosity ν: the convective term is balanced by the pressure
// p = (cos 2x + cos 2y) / 4, so the velocity decays as exp(-2νt) and the kinetic energy per unit
// volume, 1/4 at t = 0, as exp(-4νt).
// 3D: u = sin x cos y cos z, v = -cos x sin y cos z, w = 0 is the classic initial condition; it is
// not an exact solution (the flow becomes turbulent), so only t = 0 is given.
// Pointwise functions shared by the reference solver's initial condition and the tests.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

namespace tessera::physics {

struct TaylorGreen {
  int dim = 2;
  double viscosity = 0.0;  // ν

  /// Velocity component c at (x, y, z) and time t; exact for all t in 2D, t = 0 only in 3D.
  KOKKOS_INLINE_FUNCTION double velocity(int c, double x, double y, double z, double t) const {
    const double decay = dim == 2 ? math::exp(-2.0 * viscosity * t) : 1.0;
    const double zfactor = dim == 2 ? 1.0 : math::cos(z);
    if (c == 0) return decay * math::sin(x) * math::cos(y) * zfactor;
    if (c == 1) return -decay * math::cos(x) * math::sin(y) * zfactor;
    return 0.0;
  }

  /// Kinetic energy per unit volume, (1/V) ∫ |u|²/2; exact for all t in 2D, t = 0 only in 3D.
  KOKKOS_INLINE_FUNCTION double kinetic_energy(double t) const {
    return dim == 2 ? 0.25 * math::exp(-4.0 * viscosity * t) : 0.125;
  }
};

}  // namespace tessera::physics
