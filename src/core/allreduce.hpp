#pragma once
// Sum-allreduce of a Kokkos View in place. Device data is staged through a host mirror (a no-op
// for host views); a CUDA-aware MPI could take the device pointer directly.
#include <mpi.h>
#include <Kokkos_Core.hpp>

#include "core/error.hpp"

namespace tessera {

/// Collective over comm.
template <class View>
void allreduce_sum(MPI_Comm comm, const View& view) {
  auto host = Kokkos::create_mirror_view(view);
  Kokkos::deep_copy(host, view);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, host.data(), static_cast<int>(host.span()),
                                 MPI_DOUBLE, MPI_SUM, comm));
  Kokkos::deep_copy(view, host);
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
