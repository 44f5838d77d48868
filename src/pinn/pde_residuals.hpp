#pragma once
// The PDEs of the PINN decks as PdeLoss residuals (pde_loss.hpp): each is its physics struct,
// the residual's derivatives with respect to the jet, and the value its conditions impose.
#include "physics/allen_cahn.hpp"
#include "physics/burgers.hpp"
#include "physics/helmholtz.hpp"
#include "pinn/pde_loss.hpp"

namespace tessera::pinn {

/// Viscous Burgers on inputs (x, t): r = u_t + u u_x - ν u_xx, the Laplacian stream over x only.
struct BurgersResidual {
  physics::Burgers1D problem;
  static constexpr int laplacian_dims = 1;

  KOKKOS_INLINE_FUNCTION double residual(const PointJet& jet, JetSensitivity& dr) const {
    dr.u = jet.gradient[0];
    dr.gradient[0] = jet.u;
    dr.gradient[1] = 1.0;
    dr.laplacian = -problem.viscosity;
    return problem.residual(jet.u, jet.gradient[1], jet.gradient[0], jet.laplacian);
  }
  /// u(x, 0) = -sin(πx) is also the boundary value u(±1, t) = 0 (sin(±π) = 0 to round-off), so
  /// one target serves the initial and the boundary points.
  KOKKOS_INLINE_FUNCTION double condition(double x, double) const {
    return physics::Burgers1D::initial(x);
  }
};

/// Helmholtz on (x, y): r = -Δu - k²u - f, u = exact on the boundary.
struct HelmholtzResidual {
  physics::Helmholtz2D problem;
  static constexpr int laplacian_dims = 0;

  KOKKOS_INLINE_FUNCTION double residual(const PointJet& jet, JetSensitivity& dr) const {
    dr.u = -problem.wavenumber * problem.wavenumber;
    dr.laplacian = -1.0;
    return problem.residual(jet.u, jet.laplacian, jet.x[0], jet.x[1]);
  }
  KOKKOS_INLINE_FUNCTION double condition(double x, double y) const {
    return problem.boundary(x, y);
  }
};

/// Allen–Cahn on inputs (x, t): r = u_t - D u_xx - r (u - u³), the Laplacian stream over x only;
/// u(x, 0) = x² cos(πx). Its periodic boundary is met by a Neumann condition u_x(±1, t) = 0: the
/// initial value is even and the problem periodic, so u stays even and periodic, and then
/// u_x(1) = -u_x(-1) = -u_x(1).
struct AllenCahnResidual {
  physics::AllenCahn1D problem;
  static constexpr int laplacian_dims = 1;

  KOKKOS_INLINE_FUNCTION double residual(const PointJet& jet, JetSensitivity& dr) const {
    dr.u = -problem.reaction * (1.0 - 3.0 * jet.u * jet.u);
    dr.gradient[1] = 1.0;
    dr.laplacian = -problem.diffusion;
    return problem.residual(jet.u, jet.gradient[1], jet.laplacian);
  }
  KOKKOS_INLINE_FUNCTION double condition(double x, double) const {
    return physics::AllenCahn1D::initial(x);
  }
};

}  // namespace tessera::pinn
