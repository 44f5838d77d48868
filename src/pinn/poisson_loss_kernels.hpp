#pragma once
// PoissonLoss's kernels (pinn/poisson_loss.hpp) as free functions: a KOKKOS_LAMBDA in a private
// member function does not compile under nvcc.
#include <Kokkos_Core.hpp>

#include "nn/mlp.hpp"
#include "pinn/misfit.hpp"

namespace tessera::pinn {

/// sum over the n points x (2 x n) of r^2, r = problem.residual(Δu, x, y) with Δu at jet rows
/// lap + p of u; writes d(scale r^2)/d(Δu) = -2 scale r into adjoint(lap + p, 0). Not collective.
template <class Problem, class Points, class Jets, class Adjoint>
double poisson_residual_sum(const Problem& problem, const Points& x, const Jets& u,
                            const Adjoint& adjoint, int n, int lap, double scale) {
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::pinn::poisson_residual", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int p, double& acc) {
        const double r = problem.residual(u(lap + p, 0), x(0, p), x(1, p));
        acc += r * r;
        adjoint(lap + p, 0) = -2.0 * scale * r;  // d(r^2)/d(Δu) = -2r
      },
      sum);
  return sum;
}

/// squared_misfit (pinn/misfit.hpp) of the network against problem.boundary(x, y). Not
/// collective.
template <class Problem>
double poisson_boundary_misfit(const Problem& problem, const nn::Mlp& net, const nn::Matrix& points,
                               nn::MlpWorkspace& ws, const nn::Matrix& adjoint, double scale,
                               const nn::Vector& gradient) {
  return squared_misfit(
      net, points, ws, adjoint, scale,
      KOKKOS_LAMBDA(double x, double y) { return problem.boundary(x, y); }, gradient);
}

}  // namespace tessera::pinn
