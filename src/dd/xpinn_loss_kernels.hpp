#pragma once
// The XPINN loss's kernels (dd/xpinn_loss.hpp) as free functions (a KOKKOS_LAMBDA in a private
// member function does not compile under nvcc): the interior residuals, the packing of the face
// points' interface quantities into the exchange's send buffer, and the face points' boundary
// and interface terms with their adjoints.
#include <Kokkos_Core.hpp>

#include "dd/interface_condition.hpp"
#include "dd/subdomain_kernels.hpp"
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
        squares(q, 0) = sum;
        pinn::write_residual_adjoint<inputs, outputs, residuals>(adjoint, first, n, a, dr);
      });
}

/// Where the face points lie: local networks of `faces` points each (2 dim nf: nf per face, faces
/// in order), their output jets in stacked rows of `streams` x faces per network; the exchange's
/// slot offset of face f of local network l at slots(kMaxFaces l + f) (-1: a domain face), with
/// `values` doubles per point there.
struct FaceLayout {
  int dim, streams, values;
  long nf, faces;
  Kokkos::View<long*> slots;
  /// Row of stream s of face point j of network l in the face jets.
  KOKKOS_INLINE_FUNCTION long row(long l, int s, long j) const {
    return (l * streams + s) * faces + j;
  }
  /// The exchange offset of face point j of network l's values, -1 on a domain face.
  KOKKOS_INLINE_FUNCTION long slot(long l, long j) const {
    const long offset = slots(kMaxFaces * l + j / nf);
    return offset < 0 ? -1 : offset + values * (j % nf);
  }
};

/// For every interface face point (q = l faces + j): its channels (u_c, d_n u_c, r_c), c <
/// channels, zero beyond the Pde's outputs or residuals, into the send buffer at its slot; the
/// residuals' sensitivities into dr(residuals q + c) for the reverse pass. Not collective.
template <class Pde, int channels, class Points, class Jets, class Sensitivities>
void xpinn_pack_faces(const Pde& pde, const Points& x, const Jets& u,
                      const Sensitivities& sensitivities, const Kokkos::View<double*>& send,
                      const FaceLayout& layout, int local) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  Kokkos::parallel_for(
      "tessera::dd::xpinn_pack_faces", Kokkos::RangePolicy<>(0, local * layout.faces),
      KOKKOS_LAMBDA(const long q) {
        const long l = q / layout.faces, j = q - l * layout.faces;
        const long slot = layout.slot(l, j);
        if (slot < 0) return;
        const int axis = static_cast<int>(j / layout.nf) / 2;
        const auto jet =
            pinn::point_jet<inputs, outputs>(x, q, u, layout.row(l, 0, j), layout.faces);
        double r[pinn::kMaxResiduals];
        pinn::JetSensitivity dr[pinn::kMaxResiduals];
        pde.residual(jet, r, dr);
        for (int c = 0; c < residuals; ++c) sensitivities(residuals * q + c) = dr[c];
        for (int c = 0; c < channels; ++c) {
          const bool output = c < outputs;
          send(slot + 3 * c + kValue) = output ? jet.u[c] : 0.0;
          send(slot + 3 * c + kNormalDerivative) = output ? jet.gradient[c][axis] : 0.0;
          send(slot + 3 * c + kResidual) = c < residuals ? r[c] : 0.0;
        }
      });
}

/// Columns of a face point's row of terms: 0 (the interior term, not a face's), the boundary
/// term, the interface condition's kInterfaceTerms terms, the squared jumps of u, d_n u and r,
/// the count of (point, channel) pairs.
constexpr int kFaceJumps = 3;
constexpr int kFaceColumns = 2 + kInterfaceTerms + kFaceJumps + 1;

/// Every face point's terms into terms(q, column) and the adjoint of its terms into the face
/// jets' rows of that point: on a domain face, the face's conditions (weight boundary_scale(l));
/// on an interface, the condition's terms against the neighbour's received channels (weight
/// 1 / nf), through the kept sensitivities for the residual channels. Not collective.
template <class Pde, int channels, class Points, class Jets, class Sensitivities, class Adjoint,
          class Terms>
void xpinn_face_terms(const Pde& pde, const InterfaceCondition& condition,
                      const ConditionTable& table, const Points& x, const Jets& u,
                      const Sensitivities& sensitivities, const Kokkos::View<double*>& send,
                      const Kokkos::View<double*>& receive,
                      const Kokkos::View<double*>& boundary_scale, const Adjoint& adjoint,
                      const Terms& terms, const FaceLayout& layout, int local) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  Kokkos::parallel_for(
      "tessera::dd::xpinn_face_terms", Kokkos::RangePolicy<>(0, local * layout.faces),
      KOKKOS_LAMBDA(const long q) {
        const long l = q / layout.faces, j = q - l * layout.faces;
        for (int k = 0; k < outputs; ++k)
          for (int s = 0; s < layout.streams; ++s) adjoint(layout.row(l, s, j), k) = 0.0;
        double row[kFaceColumns] = {};
        const int f = static_cast<int>(j / layout.nf), axis = f / 2;
        const long slot = layout.slot(l, j);
        if (slot < 0) {
          const auto jet =
              pinn::point_jet<inputs, outputs>(x, q, u, layout.row(l, 0, j), layout.faces);
          row[1] = boundary_misfit(
              pde, jet, table, f, boundary_scale(l),
              [&](int k, int stream, double a) { adjoint(layout.row(l, stream, j), k) += a; });
        } else {
          const double* own = &send(slot);
          const double* other = &receive(slot);
          const double scale = 1.0 / layout.nf;
          for (int c = 0; c < channels; ++c) {
            double d_own[kInterfaceQuantities];
            condition.evaluate(own + 3 * c, other + 3 * c, scale, row + 2, d_own);
            if (c < outputs) {
              adjoint(layout.row(l, 0, j), c) += d_own[kValue];
              adjoint(layout.row(l, nn::gradient_stream(axis), j), c) += d_own[kNormalDerivative];
            }
            if (c < residuals) {
              const pinn::JetSensitivity& dr = sensitivities(residuals * q + c);
              const double a = d_own[kResidual];
              for (int k = 0; k < outputs; ++k) {
                adjoint(layout.row(l, 0, j), k) += a * dr.u[k];
                adjoint(layout.row(l, nn::laplacian_stream(inputs), j), k) += a * dr.laplacian[k];
                for (int i = 0; i < inputs; ++i)
                  adjoint(layout.row(l, nn::gradient_stream(i), j), k) += a * dr.gradient[k][i];
              }
            }
            for (int m = 0; m < kFaceJumps; ++m) {
              const double jump = own[3 * c + m] - other[3 * c + m];
              row[2 + kInterfaceTerms + m] += jump * jump;
            }
            row[2 + kInterfaceTerms + kFaceJumps] += 1;
          }
        }
        for (int c = 0; c < kFaceColumns; ++c) terms(q, c) = row[c];
      });
}

}  // namespace tessera::dd
