#pragma once
// The XPINN loss's interior kernels (dd/xpinn_loss.hpp) as free functions: a KOKKOS_LAMBDA in a
// private member function does not compile under nvcc.
#include <Kokkos_Core.hpp>

#include "pinn/pde_loss_kernels.hpp"

namespace tessera::dd {

/// For each of the local x n interior points q (network l = q / n, its jets in stacked rows of
/// streams x n per network): squares(q) = sum_j r_j^2, and the adjoint of scale sum_j r_j^2
/// written into adjoint's jet rows. Not collective.
template <class Pde, class Points, class Jets, class Adjoint, class Squares>
void xpinn_residual_squares(const Pde& pde, const Points& x, const Jets& u, const Adjoint& adjoint,
                            const Squares& squares, int local, int n, int streams, double scale) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  Kokkos::parallel_for(
      "tessera::dd::xpinn_residual", Kokkos::RangePolicy<>(0, local * n),
      KOKKOS_LAMBDA(const int q) {
        const int l = q / n;
        const long first = long(l) * streams * n + (q - l * n);  // row of stream 0
        double r[pinn::kMaxResiduals];
        pinn::JetSensitivity dr[pinn::kMaxResiduals];
        pde.residual(pinn::point_jet<inputs, outputs>(x, q, u, first, n), r, dr);
        double sum = 0, a[pinn::kMaxResiduals];  // a_j = d(scale r_j^2)/dr_j
        for (int j = 0; j < residuals; ++j) {
          sum += r[j] * r[j];
          a[j] = 2.0 * scale * r[j];
        }
        squares(q) = sum;
        pinn::write_residual_adjoint<inputs, outputs, residuals>(adjoint, first, n, a, dr);
      });
}

/// sum of values(q) over q in [begin, end). Not collective.
template <class Values>
double xpinn_range_sum(const Values& values, int begin, int end) {
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::dd::xpinn_residual_sum", Kokkos::RangePolicy<>(begin, end),
      KOKKOS_LAMBDA(const int q, double& acc) { acc += values(q); }, sum);
  return sum;
}

}  // namespace tessera::dd
