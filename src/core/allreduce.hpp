#pragma once
// Sum-allreduce of a Kokkos View in place. Device data is staged through a host mirror (a no-op
// for host views); a CUDA-aware MPI could take the device pointer directly.
#include <mpi.h>
#include <Kokkos_Core.hpp>

#include <type_traits>

#include "core/error.hpp"
#include "core/profiling.hpp"

namespace tessera {

/// The MPI datatype of a View's values (double or float).
template <class Scalar>
MPI_Datatype mpi_datatype() {
  static_assert(std::is_same_v<Scalar, double> || std::is_same_v<Scalar, float>,
                "allreduce_sum reduces double or float values");
  return std::is_same_v<Scalar, double> ? MPI_DOUBLE : MPI_FLOAT;
}

/// Collective over comm. Sum-allreduce of view in place, without allocating: host-accessible data
/// are reduced in place, device data staged through staging (a host view at least as long as view,
/// made once by the caller; not touched for host-accessible data, nor on one rank). view must be
/// contiguous.
template <class View, class Staging>
void allreduce_sum(MPI_Comm comm, const View& view, const Staging& staging) {
  ProfilingRegion region(Phase::Exchange);
  using Scalar = std::remove_const_t<typename View::value_type>;
  const MPI_Datatype type = mpi_datatype<Scalar>();
  const int count = static_cast<int>(view.span());
  if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                           typename View::memory_space>::accessible) {
    Kokkos::fence();
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, view.data(), count, type, MPI_SUM, comm));
  } else {
    // One rank holds the sum already: no round trip of the data through the host (on an H200,
    // the spectral modes' and the FNO gradient's made a third of a one-rank FNO-2D step).
    int ranks = 1;
    TESSERA_MPI_CALL(MPI_Comm_size(comm, &ranks));
    if (ranks == 1) return;
    TESSERA_CHECK(staging.span() >= view.span(), "allreduce_sum: the staging view holds "
                                                     << staging.span() << " values, not " << count);
    // Staged as the view's own type (a double staging view holds a float view's values too).
    Kokkos::View<Scalar*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
        reinterpret_cast<Scalar*>(staging.data()), view.span());
    Kokkos::deep_copy(
        host, Kokkos::View<const Scalar*, typename View::memory_space,
                           Kokkos::MemoryTraits<Kokkos::Unmanaged>>(view.data(), view.span()));
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, host.data(), count, type, MPI_SUM, comm));
    Kokkos::deep_copy(
        Kokkos::View<Scalar*, typename View::memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>(
            view.data(), view.span()),
        host);
  }
}

/// Collective over comm.
inline double allreduce_sum(MPI_Comm comm, double value) {
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, comm));
  return value;
}

/// Collective over comm.
inline double allreduce_max(MPI_Comm comm, double value) {
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, comm));
  return value;
}

}  // namespace tessera
