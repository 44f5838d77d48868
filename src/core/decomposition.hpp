#pragma once
// A structured global grid of points tiled over a Cartesian process grid.
//
// Rank r sits at process coordinates (r % px, (r / px) % py, r / (px py)), x fastest: the same
// convention as a PETSc DMDA, so a DMDA built from ownership() owns exactly this rank's block, and
// the same block is this rank's hyperslab in every HDF5 field. Arrays are stored x fastest
// ([z][y][x] in C order).
#include <mpi.h>

#include <array>
#include <vector>

namespace tessera {

class Decomposition {
public:
  /// Collective over comm. global_points[d] for d < dim are the grid points per direction; the
  /// process grid comes from MPI_Dims_create unless process_grid has non-zero entries.
  Decomposition(MPI_Comm comm, int dim, std::array<int, 3> global_points,
                std::array<int, 3> process_grid = {0, 0, 0});
  ~Decomposition();
  Decomposition(const Decomposition&) = delete;
  Decomposition& operator=(const Decomposition&) = delete;

  /// Cartesian communicator; ranks are numbered as in the communicator given.
  MPI_Comm comm() const { return cart_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  int dim() const { return dim_; }
  /// Processes per direction (1 for directions beyond dim).
  const std::array<int, 3>& process_grid() const { return procs_; }
  const std::array<int, 3>& coords() const { return coords_; }
  const std::array<int, 3>& global_points() const { return global_; }
  /// Points owned by each process coordinate along direction d (a DMDA ownership range).
  const std::vector<int>& ownership(int d) const { return ownership_[d]; }
  /// First global index and count of this rank's block per direction.
  const std::array<int, 3>& local_start() const { return start_; }
  const std::array<int, 3>& local_count() const { return count_; }
  long local_size() const { return long(count_[0]) * count_[1] * count_[2]; }

private:
  int dim_;
  int rank_ = 0, size_ = 1;
  MPI_Comm cart_ = MPI_COMM_NULL;
  std::array<int, 3> global_{1, 1, 1}, procs_{1, 1, 1}, coords_{0, 0, 0};
  std::array<int, 3> start_{0, 0, 0}, count_{1, 1, 1};
  std::array<std::vector<int>, 3> ownership_;
};

}  // namespace tessera
