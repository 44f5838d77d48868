#pragma once
// Neighbour-to-neighbour exchange of per-point interface values (e.g. value, normal derivative,
// PDE residual: k doubles per point). Built once from the tiling, applied every iteration:
//
//   exchange.send(l, f)(m, j) = ...;   // this side's values on face f of local subdomain l
//   exchange.begin();                   // posts the messages
//   ... interior residuals ...          // overlapped with the communication
//   exchange.end();
//   use exchange.received(l, f)(m, j);  // the neighbour's values at the same point j
//
// One message each way per neighbour rank carries all faces the two ranks share, ordered by
// the faces' global identity (FaceKey), which both sides sort the same way; faces whose neighbour
// subdomain is on the same rank are copied without MPI. Each exchange owns a duplicate of the
// grid's communicator, so its messages never match those of another exchange or of the solver.
//
// Buffers live in host memory. On a GPU build the values would be packed on the device and a
// CUDA-aware MPI given the device buffers' pointers in begin(); the layout would not change.
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <vector>

#include "dd/interface.hpp"
#include "dd/subdomain_grid.hpp"

namespace tessera::dd {

class InterfaceExchange {
public:
  /// values_per_point x count, point-major: the k values of one point are contiguous.
  using HostMatrix = Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace,
                                  Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

  /// Collective over grid.comm(): duplicates it and checks with each neighbour rank that both
  /// sides list the same shared faces with the same point counts (an Error names the first
  /// mismatch). counts[l][f] is the point count of face f of the l-th owned subdomain
  /// (InterfacePoints::counts()); it must be non-zero exactly on shared faces.
  InterfaceExchange(const SubdomainGrid& grid, const FaceCounts& counts, int values_per_point);
  /// Collective over grid.comm() (MPI_Comm_free); completes an exchange still in flight.
  ~InterfaceExchange();
  InterfaceExchange(const InterfaceExchange&) = delete;
  InterfaceExchange& operator=(const InterfaceExchange&) = delete;

  /// Where this side writes its values for face f of local subdomain l, before begin().
  HostMatrix send(int local, int face) const { return slot_view(send_, local, face); }
  /// The neighbour's values for the same face and points, valid after end() until next begin().
  HostMatrix received(int local, int face) const { return slot_view(receive_, local, face); }

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
  struct Slot {
    long offset = -1;  // into both buffers, in doubles; -1 on a boundary face
    long count = 0;    // points
  };
  struct Peer {
    int rank;
    long offset, size;  // contiguous block of both buffers, in doubles
  };
  struct LocalCopy {
    long from, to, size;  // send offset of one side -> receive offset of the other
  };

  HostMatrix slot_view(const Kokkos::View<double*, Kokkos::HostSpace>& buffer, int local,
                       int face) const;
  void check_peer_counts(const std::vector<std::vector<long>>& layouts) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int values_per_point_;
  std::vector<std::array<Slot, kMaxFaces>> slots_;
  std::vector<Peer> peers_;
  std::vector<LocalCopy> local_copies_;
  Kokkos::View<double*, Kokkos::HostSpace> send_, receive_;
  std::vector<MPI_Request> requests_;
  bool in_flight_ = false;
  long bytes_per_exchange_ = 0;
  long long bytes_sent_ = 0;
  long exchanges_ = 0;
};

}  // namespace tessera::dd
