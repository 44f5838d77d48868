#pragma once
// Neighbour-to-neighbour exchange of per-point interface values (e.g. value, normal derivative,
// PDE residual: k doubles per point). Built once from the tiling, applied every iteration:
//
//   a kernel writes send_buffer()(o + m + k j)      // value m of point j of face f of local
//                                                   // subdomain l, o = slot(l, f).offset
//   exchange.begin();                                // posts the messages
//   ... interior residuals ...                       // overlapped with the communication
//   exchange.end();
//   a kernel reads receive_buffer()(o + m + k j)     // the neighbour's values at point j
//
// One message each way per neighbour rank carries all faces the two ranks share, ordered by
// the faces' global identity (FaceKey), which both sides sort the same way; faces whose neighbour
// subdomain is on the same rank are copied without MPI. Each exchange owns a duplicate of the
// grid's communicator, so its messages never match those of another exchange or of the solver.
//
// Both buffers live in the default execution space's memory, so the losses pack and read them in
// kernels; the faces that travel through MPI are staged through host copies of one contiguous
// block (a no-op on host backends; a CUDA-aware MPI could take the device pointers instead), and
// same-rank faces are copied by a kernel.
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <vector>

#include "dd/interface.hpp"
#include "dd/subdomain_grid.hpp"

namespace tessera::dd {

class InterfaceExchange {
public:
  /// Where a face's values lie in both buffers: values_per_point() values per point, point-major,
  /// from offset (-1 on a face without a neighbour, whose count is 0).
  struct Slot {
    long offset = -1;
    long count = 0;  // points
  };

  /// Collective over grid.comm(): duplicates it and checks with each neighbour rank that both
  /// sides list the same shared faces with the same point counts (an Error names the first
  /// mismatch). counts[l][f] is the point count of face f of the l-th owned subdomain
  /// (InterfacePoints::counts()); it must be non-zero exactly on shared faces.
  InterfaceExchange(const SubdomainGrid& grid, const FaceCounts& counts, int values_per_point);
  /// Collective over grid.comm() (MPI_Comm_free); completes an exchange still in flight.
  ~InterfaceExchange();
  InterfaceExchange(const InterfaceExchange&) = delete;
  InterfaceExchange& operator=(const InterfaceExchange&) = delete;

  /// The slot of face f of local subdomain l. Throws a tessera::Error for a face that is none.
  Slot slot(int local, int face) const;
  /// This side's values of every shared face, written before begin(), in execution-space memory.
  const Kokkos::View<double*>& send_buffer() const { return send_; }
  /// The neighbours' values for the same faces and points, valid after end() until next begin().
  const Kokkos::View<double*>& receive_buffer() const { return receive_; }

  /// Posts the receives and sends and copies same-rank faces. Not collective, but every rank that
  /// shares a face with this one must call begin() (and end()) the same number of times. The send
  /// buffers must not change until end().
  void begin();
  /// Waits for this rank's messages.
  void end();
  bool in_flight() const { return in_flight_; }

  int values_per_point() const { return values_per_point_; }
  /// Bytes this rank sends to other ranks per exchange (same-rank copies excluded).
  long bytes_per_exchange() const { return bytes_per_exchange_; }
  /// Messages this rank sends per exchange: one per neighbour rank.
  int messages_per_exchange() const { return static_cast<int>(peers_.size()); }
  /// Bytes sent by this rank over all completed begin() calls.
  long long bytes_sent() const { return bytes_sent_; }
  long exchanges() const { return exchanges_; }

private:
  struct Peer {
    int rank;
    long offset, size;  // contiguous block of both buffers, in doubles
  };
  void check_peer_counts(const std::vector<std::vector<long>>& layouts) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int values_per_point_;
  std::vector<std::array<Slot, kMaxFaces>> slots_;
  std::vector<Peer> peers_;
  long remote_size_ = 0;  // the peers' blocks are [0, remote_size_) of both buffers
  Kokkos::View<long*> copy_from_, copy_to_;  // same-rank faces: one entry per value
  Kokkos::View<double*> send_, receive_;
  Kokkos::View<double*>::HostMirror send_host_, receive_host_;
  std::vector<MPI_Request> requests_;
  bool in_flight_ = false;
  long bytes_per_exchange_ = 0;
  long long bytes_sent_ = 0;
  long exchanges_ = 0;
};

}  // namespace tessera::dd
