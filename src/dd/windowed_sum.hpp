#pragma once
// The FBPINN solution u(x) = Σ_j w_j(x) N_j((x - c_j) / s_j) on point sets that each subdomain
// owns, with its exact gradient and Laplacian, and the reverse pass to every network's parameters,
// across ranks. The networks may have 1 to 3 outputs (u, or u, v, p), each summed alike, and the
// Laplacian may run over the first laplacian_dims inputs only (the spatial Laplacian of a
// space-time PDE): then the window's Laplacian and ∇w·∇N in the product rule run over those axes.
//
// Design: every point belongs to the one subdomain whose (non-overlapping) box holds it, and the
// owner assembles u there. Each network j is evaluated, in one batched forward pass of this rank's
// networks, at the points of every subdomain its window covers (its own and the overlap points of
// its up to 3^dim - 1 neighbours); the jets (N, ∇N, ΔN) of points owned on another rank are sent to
// that rank. The owner sums in the product rule
//   u = Σ w N,  ∇u = Σ (N ∇w + w ∇N),  Δu = Σ (N Δw + 2 ∇w·∇N + w ΔN)
// and, in the reverse pass, sends back the adjoint of each neighbour's jets,
//   dL/dN = a_u w + a_∇·∇w + a_Δ Δw,  dL/d∇N = a_∇ w + 2 a_Δ ∇w,  dL/dΔN = a_Δ w,
// so each rank backpropagates only through its own networks: parameters and gradients never leave
// their rank, and no allreduce of them is needed (the gradient of network j is complete once the
// adjoints of all points it touched are back). Both passes are nonblocking neighbour messages, one
// per neighbour rank each way, on a duplicate of the grid's communicator.
//
// Every pass runs as kernels on the default execution space over index lists built once
// (dd/windowed_sum_kernels.hpp); only the neighbour messages are staged through host memory
// (a CUDA-aware MPI could take the device buffer instead). The point coordinates of the overlap
// are sent to the covering networks' ranks once, when the sum is built. Every network's batch (its
// targets in id order, padded to the largest batch of any network) and every point's sum
// (contributors in id order) are independent of the rank count, so the same tiling gives bitwise
// the same values on 1, 2 or 4 ranks.
#include <mpi.h>

#include <vector>

#include "dd/partition_of_unity.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/windowed_sum_kernels.hpp"
#include "nn/mlp.hpp"

namespace tessera::dd {

class WindowedSum {
public:
  /// Collective over grid.comm(). points[l] holds the coordinates (dim per point, x first) of the
  /// points of the l-th owned subdomain, each inside its closed box; nets holds one dim-input
  /// network of 1 to 3 outputs per owned subdomain, in grid.owned() order. The Laplacian jets sum
  /// over the first laplacian_dims inputs (0: all). The sum keeps
  /// no reference to grid or windows.
  WindowedSum(const SubdomainGrid& grid, const PartitionOfUnity& windows, nn::StackedMlp& nets,
              const std::vector<std::vector<double>>& points, int laplacian_dims = 0);
  /// Collective over grid.comm() (frees the duplicate communicator).
  ~WindowedSum();
  WindowedSum(const WindowedSum&) = delete;
  WindowedSum& operator=(const WindowedSum&) = delete;

  /// Evaluates u and its jets at every owned point with the networks' current parameters, as
  /// kernels on the default execution space (host staging of the neighbour messages only).
  /// Neighbour messages only: every rank sharing an overlap must call it too.
  void forward();
  /// jets()(J K P + J k + q), J = jet_count(dim), K = outputs(): jet q (value, d/dx_d at 1 + d,
  /// Laplacian at 1 + dim) of output k at owned point P (point p of owned subdomain l is
  /// P = point_offset(l) + p), from the last forward(); in execution-space memory.
  const Kokkos::View<double*>& jets() const { return jets_; }
  /// jets() copied to the host, per owned subdomain (J K values per point), for output and tests.
  std::vector<std::vector<double>> host_jets() const;
  /// The first owned point of owned subdomain l; point_offset(local count) is the total.
  long point_offset(int l) const { return point_offsets_[l]; }

  /// Given dL/d(jets) at every owned point (layout of jets()), adds dL/d(parameters) of this
  /// rank's networks into gradient (the caller zeroes it). Needs the last forward(); neighbour
  /// messages only.
  void backward(const Kokkos::View<double*>& adjoint, const nn::Vector& gradient);

  int outputs() const { return shape_.outputs; }
  /// Points each network is evaluated at (the padded batch), the same on every rank.
  int batch_points() const { return batch_; }
  /// Bytes this rank sends to other ranks per forward + backward pair.
  long bytes_per_evaluation() const { return bytes_per_evaluation_; }
  /// Seconds spent waiting for neighbour messages, summed over all passes.
  double communication_seconds() const { return communication_seconds_; }

private:
  struct Peer {
    int rank;
    long out_size = 0, in_size = 0;  // doubles: jets sent out / jets received
    long out_base = 0, in_base = 0;  // their blocks in the pair buffer
  };
  enum class Direction { Jets, Adjoints };

  // One message each way per peer, staged through the host copy of the pair buffer: jets go out
  // of the send region and come into the incoming region, adjoints the other way.
  void post_receives(Direction direction, int tag);
  void post_sends(Direction direction, int tag);
  void wait();
  // Copies doubles [first, last) of the pair buffer to (to_host) or from its host copy.
  void stage(long first, long last, bool to_host);

  nn::StackedMlp& nets_;
  WindowedJetShape shape_{};
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::vector<Peer> peers_;  // ascending rank
  std::vector<long> point_offsets_;
  long send_size_ = 0, receive_size_ = 0;  // the send region [0, send_size_), then the incoming
                                           // region, its remote part first
  long remote_pack_ = 0;                   // pack entries [0, remote_pack_) go to other ranks
  int batch_ = 0;
  WindowedSumLists lists_;
  nn::Matrix batch_points_, batch_adjoint_;
  nn::MlpWorkspace ws_;
  Kokkos::View<double*> buffer_, jets_;
  Kokkos::View<double*>::HostMirror buffer_host_;
  std::vector<MPI_Request> requests_;
  long bytes_per_evaluation_ = 0;
  double communication_seconds_ = 0;
};

/// The windowed sum's values of output `output` at points[l] (dim coordinates per point, inside
/// owned subdomain l's box), for output and error measurement: a WindowedSum built and evaluated
/// once. Collective over grid.comm().
std::vector<std::vector<double>> windowed_values(const SubdomainGrid& grid,
                                                 const PartitionOfUnity& windows,
                                                 nn::StackedMlp& nets,
                                                 const std::vector<std::vector<double>>& points,
                                                 int output = 0);

}  // namespace tessera::dd
