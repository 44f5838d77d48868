#pragma once
// A global box [lo, hi] in 1, 2 or 3 dimensions (space, or space-time) tiled into a Cartesian grid
// of S_0 x ... x S_{d-1} subdomains, owned by the ranks of a Cartesian process grid in contiguous
// blocks of S_i / P_i subdomains per direction. The subdomain count is therefore independent of the
// rank count: the same tiling runs on any process grid whose P_i divide the S_i, and a rank batches
// its subdomains in one kernel launch.
//
// Numbering follows core/decomposition.hpp, x fastest: subdomain id = cx + S_0 (cy + S_1 cz), and
// rank = px + P_0 (py + P_1 pz). Faces are numbered 2 axis + (upper side), i.e. -x, +x, -y, +y, -z,
// +z.
#include <mpi.h>

#include <array>
#include <vector>

#include "core/decomposition.hpp"

namespace tessera::dd {

constexpr int kMaxFaces = 6;

constexpr int face_axis(int face) { return face / 2; }
/// -1 for the lower face along its axis, +1 for the upper one.
constexpr int face_sign(int face) { return face % 2 == 0 ? -1 : 1; }
/// The face a neighbour sees across this one: -x <-> +x, ...
constexpr int opposite_face(int face) { return face ^ 1; }
/// "-x", "+x", "-y", "+y", "-z", "+z".
const char* face_name(int face);

/// One subdomain. Entries beyond the grid's dimension are lo = 0, hi = 1, coordinate 0.
struct Box {
  int id = -1;
  std::array<int, 3> coords{0, 0, 0};
  std::array<double, 3> lo{0, 0, 0}, hi{1, 1, 1};
};

/// The subdomain across a face and its owner; id < 0 (and rank MPI_PROC_NULL) at the domain
/// boundary.
struct Neighbour {
  int id = -1;
  int rank = MPI_PROC_NULL;
  bool exists() const { return id >= 0; }
};

class SubdomainGrid {
public:
  /// Collective over comm (it creates a Cartesian communicator). subdomains[i] for i < dim is
  /// S_i; the process grid comes from MPI_Dims_create unless process_grid has non-zero entries,
  /// or, if that grid does not divide the tiling, is the most balanced one that does.
  /// Throws an InputError, the same on every rank, if the dimension, box or counts are invalid, the
  /// given process grid does not fit the rank count, or some S_i is not divisible by P_i.
  SubdomainGrid(MPI_Comm comm, int dim, std::array<double, 3> lo, std::array<double, 3> hi,
                std::array<int, 3> subdomains, std::array<int, 3> process_grid = {0, 0, 0});
  // Destruction is collective over comm too: it frees the Cartesian communicator.
  SubdomainGrid(const SubdomainGrid&) = delete;
  SubdomainGrid& operator=(const SubdomainGrid&) = delete;

  // Everything below is local (no communication): every rank knows the whole tiling.

  /// Cartesian communicator; ranks are numbered as in the communicator given.
  MPI_Comm comm() const { return decomposition_.comm(); }
  int rank() const { return decomposition_.rank(); }
  int size() const { return decomposition_.size(); }
  int dim() const { return decomposition_.dim(); }
  int face_count() const { return 2 * dim(); }
  /// Subdomains per direction (1 beyond dim).
  const std::array<int, 3>& subdomains() const { return decomposition_.global_points(); }
  const std::array<int, 3>& process_grid() const { return decomposition_.process_grid(); }
  /// The same block structure as a Decomposition whose "points" are subdomains: its ownership
  /// ranges are the subdomains per process coordinate.
  const Decomposition& decomposition() const { return decomposition_; }
  /// Total number of subdomains, S_0 S_1 S_2.
  int count() const;

  /// Global ids of this rank's subdomains, x fastest; the position in this list is the local index.
  const std::vector<int>& owned() const { return owned_; }
  /// Position of id in owned(), or -1 if another rank owns it.
  int local_index(int id) const;

  std::array<int, 3> coords(int id) const;
  int id(const std::array<int, 3>& coords) const;
  Box box(int id) const;
  /// Coordinate of the k-th grid plane along axis (k = 0..S_axis). Both subdomains that share a
  /// plane take its coordinate from here, so their faces coincide bitwise.
  double plane(int axis, int k) const;
  const std::array<double, 3>& lo() const { return lo_; }
  const std::array<double, 3>& hi() const { return hi_; }

  int owner(int id) const;
  Neighbour neighbour(int id, int face) const;

private:
  static std::array<int, 3> checked_process_grid(MPI_Comm comm, int dim,
                                                 const std::array<double, 3>& lo,
                                                 const std::array<double, 3>& hi,
                                                 const std::array<int, 3>& subdomains,
                                                 const std::array<int, 3>& process_grid);

  Decomposition decomposition_;
  std::array<double, 3> lo_{0, 0, 0}, hi_{1, 1, 1};
  std::vector<int> owned_;
};

}  // namespace tessera::dd
