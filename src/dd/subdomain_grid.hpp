#pragma once
// A global box [lo, hi] in 1, 2 or 3 dimensions (space, or space-time) tiled into a Cartesian grid
// of S_0 x ... x S_{d-1} subdomains, owned by the ranks of a Cartesian process grid in contiguous
// blocks of S_i / P_i subdomains per direction. A box of 4 dimensions (3D space and time) is tiled
// in space only: each subdomain spans the whole time range (its faces -t, +t are the domain's). The
// subdomain count is therefore independent of the rank count: the same tiling runs on any process
// grid whose P_i divide the S_i, and a rank batches its subdomains in one kernel launch.
//
// Numbering follows core/decomposition.hpp, x fastest: subdomain id = cx + S_0 (cy + S_1 cz), and
// rank = px + P_0 (py + P_1 pz). Faces are numbered 2 axis + (upper side), i.e. -x, +x, -y, +y, -z,
// +z, -t, +t.
#include <mpi.h>

#include <array>
#include <vector>

#include "core/decomposition.hpp"

namespace tessera::dd {

/// The most axes of a box: 3D space and time.
constexpr int kMaxDim = 4;
/// The most axes that are tiled (the process grid's).
constexpr int kMaxTiledDim = 3;
constexpr int kMaxFaces = 2 * kMaxDim;

/// A corner or point of a box; entries beyond its dimension are unused.
using Corner = std::array<double, kMaxDim>;

constexpr int face_axis(int face) { return face / 2; }
/// -1 for the lower face along its axis, +1 for the upper one.
constexpr int face_sign(int face) { return face % 2 == 0 ? -1 : 1; }
/// The face a neighbour sees across this one: -x <-> +x, ...
constexpr int opposite_face(int face) { return face ^ 1; }
/// "-x", "+x", "-y", "+y", "-z", "+z", "-t", "+t".
const char* face_name(int face);

/// One subdomain. Entries beyond the grid's dimension are lo = 0, hi = 1; coords are along the
/// tiled axes (0 beyond them).
struct Box {
  int id = -1;
  std::array<int, 3> coords{0, 0, 0};
  Corner lo{0, 0, 0, 0}, hi{1, 1, 1, 1};
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
  /// Collective over comm (it creates a Cartesian communicator). dim is 1 to 4; subdomains[i]
  /// for i < min(dim, 3) is S_i (a 4th axis is one subdomain); the process grid comes from
  /// MPI_Dims_create unless process_grid has non-zero entries, or, if that grid does not divide
  /// the tiling, is the most balanced one that does.
  /// Throws an InputError, the same on every rank, if the dimension, box or counts are invalid, the
  /// given process grid does not fit the rank count, or some S_i is not divisible by P_i.
  SubdomainGrid(MPI_Comm comm, int dim, const Corner& lo, const Corner& hi,
                std::array<int, 3> subdomains, std::array<int, 3> process_grid = {0, 0, 0});
  // Destruction is collective over comm too: it frees the Cartesian communicator.
  SubdomainGrid(const SubdomainGrid&) = delete;
  SubdomainGrid& operator=(const SubdomainGrid&) = delete;

  // Everything below is local (no communication): every rank knows the whole tiling.

  /// Cartesian communicator; ranks are numbered as in the communicator given.
  MPI_Comm comm() const { return decomposition_.comm(); }
  int rank() const { return decomposition_.rank(); }
  int size() const { return decomposition_.size(); }
  int dim() const { return dim_; }
  /// The axes that are tiled: min(dim, 3).
  int tiled_dim() const { return decomposition_.dim(); }
  int face_count() const { return 2 * dim(); }
  /// Subdomains per tiled direction (1 beyond them).
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
  /// Subdomains along axis (0..dim-1): S_axis, 1 along an untiled axis.
  int subdomains_along(int axis) const;
  /// Subdomain id's position along axis (0..dim-1): its coordinate, 0 along an untiled axis.
  int coordinate(int id, int axis) const;
  int id(const std::array<int, 3>& coords) const;
  Box box(int id) const;
  /// Coordinate of the k-th grid plane along axis (k = 0..S_axis; an untiled axis has its two
  /// ends). Both subdomains that share a plane take its coordinate from here, so their faces
  /// coincide bitwise.
  double plane(int axis, int k) const;
  const Corner& lo() const { return lo_; }
  const Corner& hi() const { return hi_; }

  int owner(int id) const;
  Neighbour neighbour(int id, int face) const;

private:
  static std::array<int, 3> checked_process_grid(MPI_Comm comm, int dim, const Corner& lo,
                                                 const Corner& hi,
                                                 const std::array<int, 3>& subdomains,
                                                 const std::array<int, 3>& process_grid);

  int dim_ = 1;
  Decomposition decomposition_;
  Corner lo_{0, 0, 0, 0}, hi_{1, 1, 1, 1};
  std::vector<int> owned_;
};

}  // namespace tessera::dd
