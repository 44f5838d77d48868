#pragma once
// The PDEs of the PINN decks as PdeLoss residuals (pde_loss.hpp): each is its physics struct,
// the residual's derivatives with respect to the jet, and the value its conditions impose.
#include "physics/allen_cahn.hpp"
#include "physics/burgers.hpp"
#include "physics/heat.hpp"
#include "physics/helmholtz.hpp"
#include "physics/kovasznay.hpp"
#include "physics/navier_stokes.hpp"
#include "physics/poisson3d.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/pde_loss.hpp"

namespace tessera::pinn {

/// Viscous Burgers on inputs (x, t): r = u_t + u u_x - ν u_xx, the Laplacian stream over x only.
struct BurgersResidual {
  physics::Burgers1D problem;
  static constexpr int inputs = 2, outputs = 1, residuals = 1, laplacian_dims = 1;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    const double u = jet.u[0], u_x = jet.gradient[0][0], u_t = jet.gradient[0][1];
    dr[0].u[0] = u_x;
    dr[0].gradient[0][0] = u;
    dr[0].gradient[0][1] = 1.0;
    dr[0].laplacian[0] = -problem.viscosity;
    r[0] = problem.residual(u, u_t, u_x, jet.laplacian[0]);
  }
  /// u(x, 0) = -sin(πx) is also the boundary value u(±1, t) = 0 (sin(±π) = 0 to round-off), so
  /// one target serves the initial and the boundary points.
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return physics::Burgers1D::initial(x[0]);
  }
};

/// Helmholtz on (x, y): r = -Δu - k²u - f, u = exact on the boundary.
struct HelmholtzResidual {
  physics::Helmholtz2D problem;
  static constexpr int inputs = 2, outputs = 1, residuals = 1, laplacian_dims = 0;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    dr[0].u[0] = -problem.wavenumber * problem.wavenumber;
    dr[0].laplacian[0] = -1.0;
    r[0] = problem.residual(jet.u[0], jet.laplacian[0], jet.x[0], jet.x[1]);
  }
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return problem.boundary(x[0], x[1]);
  }
};

/// Poisson in dim = 1, 2 or 3 dimensions (the problem's): r = -Δu - f, u = the manufactured
/// solution on the boundary; the one Poisson residual of every learner.
template <int dim>
struct PoissonResidual {
  physics::PoissonProblem problem;
  static constexpr int inputs = dim, outputs = 1, residuals = 1, laplacian_dims = 0;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    dr[0].laplacian[0] = -1.0;
    r[0] = problem.residual(jet.laplacian[0], jet.x);
  }
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return problem.boundary(x);
  }
};

/// The heat equation on inputs (x, y, z, t): r = u_t - κΔu, the Laplacian stream over the three
/// space inputs only. The exact solution is the target of every condition: the initial value at
/// t = 0 and 0 on the faces of the cube.
struct Heat3DResidual {
  physics::Heat3D problem;
  static constexpr int inputs = 4, outputs = 1, residuals = 1, laplacian_dims = 3;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    dr[0].gradient[0][3] = 1.0;
    dr[0].laplacian[0] = -problem.diffusivity;
    r[0] = problem.residual(jet.gradient[0][3], jet.laplacian[0]);
  }
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return problem.exact(x[0], x[1], x[2], x[3]);
  }
};

/// Allen–Cahn on inputs (x, t): r = u_t - D u_xx - r (u - u³), the Laplacian stream over x only;
/// u(x, 0) = x² cos(πx). Its periodic boundary is met by a Neumann condition u_x(±1, t) = 0: the
/// initial value is even and the problem periodic, so u stays even and periodic, and then
/// u_x(1) = -u_x(-1) = -u_x(1).
struct AllenCahnResidual {
  physics::AllenCahn1D problem;
  static constexpr int inputs = 2, outputs = 1, residuals = 1, laplacian_dims = 1;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    const double u = jet.u[0];
    dr[0].u[0] = -problem.reaction * (1.0 - 3.0 * u * u);
    dr[0].gradient[0][1] = 1.0;
    dr[0].laplacian[0] = -problem.diffusion;
    r[0] = problem.residual(u, jet.gradient[0][1], jet.laplacian[0]);
  }
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return physics::AllenCahn1D::initial(x[0]);
  }
};

/// Steady incompressible Navier–Stokes on (x, y), outputs (u, v, p), three residuals:
///   u u_x + v u_y + p_x - Δu / Re,   u v_x + v v_y + p_y - Δv / Re,   u_x + v_y.
/// Flow gives the Reynolds number and the boundary data: reynolds, and component(k, x, y) for
/// k = 0, 1, 2 (u, v, p) (physics::Kovasznay, physics::LidDrivenCavity); the residuals are
/// physics/navier_stokes.hpp's.
template <class Flow>
struct SteadyNavierStokesResidual {
  Flow flow;
  static constexpr int inputs = 2, outputs = 3, residuals = 3, laplacian_dims = 0;

  KOKKOS_INLINE_FUNCTION void residual(const PointJet& jet, double* r, JetSensitivity* dr) const {
    const double u = jet.u[0], v = jet.u[1], nu = 1.0 / flow.reynolds;
    const auto& gu = jet.gradient[0];
    const auto& gv = jet.gradient[1];
    const auto& gp = jet.gradient[2];
    const double re = flow.reynolds;
    r[0] = physics::steady_momentum_residual(re, u, v, gu[0], gu[1], gp[0], jet.laplacian[0]);
    r[1] = physics::steady_momentum_residual(re, u, v, gv[0], gv[1], gp[1], jet.laplacian[1]);
    r[2] = physics::continuity_residual(gu[0], gv[1]);
    for (int j = 0; j < 2; ++j) {  // momentum j in velocity component q = j
      const auto& gq = jet.gradient[j];
      dr[j].u[0] = gq[0];
      dr[j].u[1] = gq[1];
      dr[j].gradient[j][0] = u;
      dr[j].gradient[j][1] = v;
      dr[j].gradient[2][j] = 1.0;
      dr[j].laplacian[j] = -nu;
    }
    dr[2].gradient[0][0] = 1.0;
    dr[2].gradient[1][1] = 1.0;
  }
  KOKKOS_INLINE_FUNCTION double condition(int k, const double* x) const {
    return flow.component(k, x[0], x[1]);
  }
};

}  // namespace tessera::pinn
