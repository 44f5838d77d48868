#include "core/decomposition.hpp"

#include "core/error.hpp"

namespace tessera {

Decomposition::Decomposition(MPI_Comm comm, int dim, std::array<int, 3> global_points,
                             std::array<int, 3> process_grid)
    : dim_(dim) {
  TESSERA_CHECK(dim >= 1 && dim <= 3, "Decomposition: dimension " << dim << " is not 1, 2 or 3");
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size_));
  int dims[3] = {0, 0, 0};
  for (int d = 0; d < dim; ++d) {
    global_[d] = global_points[d];
    dims[d] = process_grid[d];
  }
  TESSERA_MPI_CALL(MPI_Dims_create(size_, dim, dims));
  for (int d = 0; d < dim; ++d) {
    procs_[d] = dims[d];
    TESSERA_CHECK(global_[d] >= procs_[d],
                  "Decomposition: " << global_[d] << " points along direction " << d
                                    << " cannot be split over " << procs_[d] << " processes");
  }
  // MPI's Cartesian order is last-dimension fastest; reversing the dimensions (and not
  // reordering ranks) gives PETSc's x-fastest order.
  int rdims[3], periods[3] = {0, 0, 0};
  for (int d = 0; d < dim; ++d) rdims[d] = procs_[dim - 1 - d];
  TESSERA_MPI_CALL(MPI_Cart_create(comm, dim, rdims, periods, 0, &cart_));
  TESSERA_MPI_CALL(MPI_Comm_rank(cart_, &rank_));
  coords_ = {rank_ % procs_[0], (rank_ / procs_[0]) % procs_[1], rank_ / (procs_[0] * procs_[1])};

  for (int d = 0; d < 3; ++d) {
    const int n = global_[d], p = procs_[d];
    ownership_[d].resize(p);
    // Same split as PETSc's DMDA default: the first n % p processes get one point more.
    for (int c = 0; c < p; ++c) ownership_[d][c] = n / p + (c < n % p ? 1 : 0);
    start_[d] = 0;
    for (int c = 0; c < coords_[d]; ++c) start_[d] += ownership_[d][c];
    count_[d] = ownership_[d][coords_[d]];
  }
}

Decomposition::~Decomposition() {
  if (cart_ != MPI_COMM_NULL) MPI_Comm_free(&cart_);
}

}  // namespace tessera
