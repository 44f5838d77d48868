#pragma once
// The pointwise residuals of the steady incompressible Navier–Stokes equations
//   (u·∇)u + ∇p - Δu / Re = 0,  ∇·u = 0
// that every steady flow of the PINN decks (Kovasznay, the lid-driven cavity) shares.
#include <Kokkos_Core.hpp>

namespace tessera::physics {

/// Residual of the x momentum equation, u u_x + v u_y + p_x - Δu / Re, from the fields and
/// derivatives of a candidate solution (likewise for y with v, p_y and Δv).
KOKKOS_INLINE_FUNCTION double steady_momentum_residual(double reynolds, double u, double v,
                                                       double q_x, double q_y, double p_d,
                                                       double laplacian_q) {
  return u * q_x + v * q_y + p_d - laplacian_q / reynolds;
}

/// Residual of the continuity equation, u_x + v_y.
KOKKOS_INLINE_FUNCTION double continuity_residual(double u_x, double v_y) { return u_x + v_y; }

}  // namespace tessera::physics
