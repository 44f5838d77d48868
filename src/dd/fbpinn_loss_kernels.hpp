#pragma once
// The FBPINN loss's point kernels (dd/fbpinn_loss.hpp) as free functions over the windowed sum's
// jets (dd/windowed_sum.hpp: per owned point P, per output k, the streams value, d/dx_i,
// Laplacian at width P + streams k + s): the residual term at the interior points and the
// boundary misfits at the face points, each writing its point's term and the adjoint of its
// jets.
#include <Kokkos_Core.hpp>

#include "dd/subdomain_kernels.hpp"
#include "pinn/pde_loss_kernels.hpp"

namespace tessera::dd {

/// The jets of owned point p as (row = stream, column = output) entries, as the PDE kernels
/// address a point's jet rows (pinn::write_residual_adjoint with first 0, n 1).
struct WindowedPointJets {
  Kokkos::View<double*> jets;
  long base;  // width p
  int streams;
  KOKKOS_INLINE_FUNCTION double& operator()(long stream, int k) const {
    return jets(base + streams * k + stream);
  }
};

/// The windowed sum's jet u at owned point p (coordinates in column p of x).
template <int inputs, int outputs, class Points>
KOKKOS_INLINE_FUNCTION pinn::PointJet windowed_point_jet(const Points& x, long p,
                                                         const WindowedPointJets& u) {
  pinn::PointJet jet;
  for (int i = 0; i < inputs; ++i) jet.x[i] = x(i, p);
  for (int k = 0; k < outputs; ++k) {
    jet.u[k] = u(0, k);
    for (int i = 0; i < inputs; ++i) jet.gradient[k][i] = u(nn::gradient_stream(i), k);
    jet.laplacian[k] = u(nn::laplacian_stream(inputs), k);
  }
  return jet;
}

/// For the n interior points of each of `local` subdomains (point q of subdomain l is owned point
/// ranges(l, 0) + q, ranges(l, 1) its end): terms(P, 0) = scale sum_j r_j^2, terms(P, 1) = 0, and
/// the adjoint of that term in every jet of P. Not collective.
template <class Pde, class Points, class Terms>
void fbpinn_residual_terms(const Pde& pde, const Points& x, const Kokkos::View<double*>& jets,
                           const Kokkos::View<double*>& adjoint, const Terms& terms,
                           const Kokkos::View<long**>& ranges, long n, double scale) {
  const int local = static_cast<int>(ranges.extent(0));
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  constexpr int streams = 2 + inputs, width = streams * outputs;
  Kokkos::parallel_for(
      "tessera::dd::fbpinn_residual", Kokkos::RangePolicy<>(0, local * n),
      KOKKOS_LAMBDA(const long q) {
        const long l = q / n, p = ranges(l, 0) + (q - l * n);
        const WindowedPointJets u{jets, width * p, streams};
        double r[pinn::kMaxResiduals];
        pinn::JetSensitivity dr[pinn::kMaxResiduals];
        pde.residual(windowed_point_jet<inputs, outputs>(x, p, u), r, dr);
        double sum = 0, a[pinn::kMaxResiduals];  // a_j = d(scale r_j^2)/dr_j
        for (int j = 0; j < residuals; ++j) {
          sum += r[j] * r[j];
          a[j] = 2.0 * scale * r[j];
        }
        terms(p, 0) = scale * sum;
        terms(p, 1) = 0.0;
        pinn::write_residual_adjoint<inputs, outputs, residuals>(
            WindowedPointJets{adjoint, width * p, streams}, 0, 1, a, dr);
      });
}

/// For every boundary point b (owned point points(b) on domain face faces(b), its term's weight
/// scales(b)): terms(P, 1) = the misfits of that face's conditions, terms(P, 0) = 0, and their
/// adjoint in P's jets (zero in the jets no condition reads). Not collective.
template <class Pde, class Points, class Terms>
void fbpinn_boundary_terms(const Pde& pde, const Points& x, const Kokkos::View<double*>& jets,
                           const Kokkos::View<double*>& adjoint, const Terms& terms,
                           const ConditionTable& table, const Kokkos::View<long*>& points,
                           const Kokkos::View<int*>& faces, const Kokkos::View<double*>& scales) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs;
  constexpr int streams = 2 + inputs, width = streams * outputs;
  Kokkos::parallel_for(
      "tessera::dd::fbpinn_boundary", Kokkos::RangePolicy<>(0, points.extent(0)),
      KOKKOS_LAMBDA(const long b) {
        const long p = points(b);
        const WindowedPointJets a{adjoint, width * p, streams};
        for (int k = 0; k < outputs; ++k)
          for (int s = 0; s < streams; ++s) a(s, k) = 0.0;
        const auto jet =
            windowed_point_jet<inputs, outputs>(x, p, WindowedPointJets{jets, width * p, streams});
        terms(p, 0) = 0.0;
        terms(p, 1) = boundary_misfit(pde, jet, table, faces(b), scales(b),
                                      [&](int k, int stream, double v) { a(stream, k) += v; });
      });
}

}  // namespace tessera::dd
