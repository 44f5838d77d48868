#pragma once
// The windowed sum's kernels (dd/windowed_sum.hpp) as free functions over index lists built once:
// packing each network's jets for the points it covers, the owner's product-rule sum, the
// reverse pass of that sum, and unpacking the adjoints into the networks' batch. Every array is
// in the default execution space's memory; one buffer holds every pair's jets (and, in the
// reverse pass, their adjoints) at fixed slots, so a pair's jets are written once and read once
// whichever rank computed them.
#include <Kokkos_Core.hpp>

#include "dd/subdomain_grid.hpp"

namespace tessera::dd {

/// The index lists of a windowed sum on one rank, in execution-space memory.
struct WindowedSumLists {
  // Pack entries (one per point a network of this rank evaluates): the point's value-stream row
  // in the networks' output jets, its slot (first double) in the pair buffer, the network's
  // scale s (jets in physical coordinates: d/dx = d/dξ / s).
  Kokkos::View<long*> pack_row, pack_slot;
  Kokkos::View<double*> pack_scale;
  // Contributions (one per (owned point, covering network) pair): the slot of that network's
  // jets in the pair buffer, the owned point (rows of the owned jets), the window's jets there.
  Kokkos::View<long*> entry_slot, entry_point;
  Kokkos::View<double**, Kokkos::LayoutRight> entry_window;  // entries x (2 + kMaxDim)
  // Per owned point, its contributions in id order of the covering networks: CSR.
  Kokkos::View<long*> point_first, point_entries;
};

/// The shape of the jets: per point `outputs` blocks of `streams` values (value, d/dx_d,
/// Laplacian), the Laplacian's product rule over the first lap_dims axes.
struct WindowedJetShape {
  int dim, streams, outputs, lap_dims;
  long batch;  // points per network's batch: stream s of a point is its row + s batch
  KOKKOS_INLINE_FUNCTION int width() const { return streams * outputs; }
};

/// buffer[slot + width t + streams k + q] = jet q of output k, physical coordinates, for pack
/// entries [first, last). Not collective.
template <class Jets>
void pack_network_jets(const WindowedSumLists& lists, const WindowedJetShape& shape,
                       const Jets& out, const Kokkos::View<double*>& buffer, long first,
                       long last) {
  if (last <= first) return;
  const auto row = lists.pack_row, slot = lists.pack_slot;
  const auto scale = lists.pack_scale;
  Kokkos::parallel_for(
      "tessera::dd::windowed_pack", Kokkos::RangePolicy<>(first, last),
      KOKKOS_LAMBDA(const long e) {
        const long r = row(e), batch = shape.batch;
        const double s = scale(e);
        const int lap = 1 + shape.dim;
        for (int k = 0; k < shape.outputs; ++k) {
          double* jet = &buffer(slot(e) + shape.streams * k);
          jet[0] = out(r, k);
          for (int d = 0; d < shape.dim; ++d) jet[1 + d] = out(r + (1 + d) * batch, k) / s;
          jet[lap] = out(r + lap * batch, k) / (s * s);
        }
      });
}

/// jets[width P + streams k + q] = the product-rule sum over the covering networks of point P,
/// u = Σ w N, ∇u = Σ (N ∇w + w ∇N), Δu = Σ (N Δw + 2 ∇w·∇N + w ΔN), contributors in id order.
/// Not collective.
inline void sum_windowed_jets(const WindowedSumLists& lists, const WindowedJetShape& shape,
                              const Kokkos::View<double*>& buffer,
                              const Kokkos::View<double*>& jets, long points) {
  const auto first = lists.point_first, entries = lists.point_entries, slot = lists.entry_slot;
  const auto window = lists.entry_window;
  Kokkos::parallel_for(
      "tessera::dd::windowed_sum", Kokkos::RangePolicy<>(0, points), KOKKOS_LAMBDA(const long p) {
        const int dim = shape.dim, lap = 1 + dim, width = shape.width();
        for (int k = 0; k < shape.outputs; ++k) {
          double up[2 + kMaxDim] = {};
          for (long c = first(p); c < first(p + 1); ++c) {
            const long e = entries(c);
            const double* nj = &buffer(slot(e) + shape.streams * k);
            const double w0 = window(e, 0);
            up[0] += w0 * nj[0];
            double grad_dot = 0.0;
            for (int d = 1; d <= dim; ++d) {
              up[d] += nj[0] * window(e, d) + w0 * nj[d];
              if (d <= shape.lap_dims) grad_dot += window(e, d) * nj[d];
            }
            up[lap] += nj[0] * window(e, lap) + 2.0 * grad_dot + w0 * nj[lap];
          }
          for (int q = 0; q <= lap; ++q) jets(width * p + shape.streams * k + q) = up[q];
        }
      });
}

/// The reverse of the sum: for every contribution, the adjoint of its network's jets,
///   dL/dN = a_u w + a_∇·∇w + a_Δ Δw,  dL/d∇N = a_∇ w + 2 a_Δ ∇w,  dL/dΔN = a_Δ w,
/// written to its slot of buffer. Not collective.
inline void pull_back_adjoints(const WindowedSumLists& lists, const WindowedJetShape& shape,
                               const Kokkos::View<double*>& adjoint,
                               const Kokkos::View<double*>& buffer) {
  const auto slot = lists.entry_slot, point = lists.entry_point;
  const auto window = lists.entry_window;
  Kokkos::parallel_for(
      "tessera::dd::windowed_pull_back", Kokkos::RangePolicy<>(0, slot.extent(0)),
      KOKKOS_LAMBDA(const long e) {
        const int dim = shape.dim, lap = 1 + dim, width = shape.width();
        for (int k = 0; k < shape.outputs; ++k) {
          const double* a = &adjoint(width * point(e) + shape.streams * k);
          double* d = &buffer(slot(e) + shape.streams * k);
          d[0] = a[0] * window(e, 0);
          for (int q = 1; q <= lap; ++q) d[0] += a[q] * window(e, q);
          for (int q = 1; q <= dim; ++q)
            d[q] = q <= shape.lap_dims ? a[q] * window(e, 0) + 2.0 * a[lap] * window(e, q)
                                       : a[q] * window(e, 0);
          d[lap] = a[lap] * window(e, 0);
        }
      });
}

/// The reverse of pack_network_jets for every pack entry: the adjoints at the slots, back to ξ
/// coordinates, into the networks' batch adjoint (padding rows are left alone). Not collective.
template <class Adjoint>
void unpack_network_adjoints(const WindowedSumLists& lists, const WindowedJetShape& shape,
                             const Kokkos::View<double*>& buffer, const Adjoint& batch_adjoint) {
  const auto row = lists.pack_row, slot = lists.pack_slot;
  const auto scale = lists.pack_scale;
  Kokkos::parallel_for(
      "tessera::dd::windowed_unpack", Kokkos::RangePolicy<>(0, row.extent(0)),
      KOKKOS_LAMBDA(const long e) {
        const long r = row(e), batch = shape.batch;
        const double s = scale(e);
        const int lap = 1 + shape.dim;
        for (int k = 0; k < shape.outputs; ++k) {
          const double* jet = &buffer(slot(e) + shape.streams * k);
          batch_adjoint(r, k) = jet[0];
          for (int q = 1; q <= shape.dim; ++q) batch_adjoint(r + q * batch, k) = jet[q] / s;
          batch_adjoint(r + lap * batch, k) = jet[lap] / (s * s);
        }
      });
}

}  // namespace tessera::dd
