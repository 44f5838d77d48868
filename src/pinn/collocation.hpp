#pragma once
// Collocation point sets for a box [0,1]^d. The global set is drawn the same way on every rank
// (fixed seed), and a rank keeps its contiguous share, so the union over ranks is the same set
// for any rank count: the data-parallel loss is then rank-count independent up to round-off.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "nn/types.hpp"

namespace tessera::pinn {

/// Uniform random points of the unit box [0,1]^dims (dims = 1 to 4), this rank's share
/// (dims x n_local). Collective over comm only in that every rank must call it with the same
/// arguments.
nn::Matrix interior_points(MPI_Comm comm, int dims, long global_count, std::uint64_t seed);

/// Uniform random points on the 2 face_dims faces x_d = 0 or 1, d < face_dims, of the unit box
/// [0,1]^dims, this rank's share (dims x n_local); the other coordinates are free. face_dims =
/// dims gives the box's boundary, face_dims = dims - 1 with time last the lateral boundary of a
/// space box times a time interval. Collective as interior_points.
nn::Matrix face_points(MPI_Comm comm, int dims, int face_dims, long global_count,
                       std::uint64_t seed);

/// Uniform random interior points of the unit square, this rank's share (2 x n_local).
/// Collective over comm only in that every rank must call it with the same arguments.
nn::Matrix interior_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed);

/// Points spread uniformly at random over the four edges of the unit square (2 x n_local).
nn::Matrix boundary_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed);

/// Maps points of the unit box (d x n) onto [lower[0], upper[0]] x ... x [lower[d-1],
/// upper[d-1]] in place, for PDEs posed on another box (lower[i] = upper[i] puts every point on
/// that slice, e.g. t = 0). Not collective.
void map_to_box(const nn::Matrix& points, const std::vector<double>& lower,
                const std::vector<double>& upper);

/// The point sets of a PDE in one space dimension and time, on the unit square (x, t); map them to
/// the PDE's box with map_to_box.
struct SpaceTimePoints {
  nn::Matrix interior;  // (x, t) uniform in [0,1]^2
  nn::Matrix initial;   // (x, 0)
  nn::Matrix boundary;  // (0, t) and (1, t)
};

/// Collective over comm. This rank's shares of the three point sets, drawn from seed the same way
/// on every rank.
SpaceTimePoints space_time_points(MPI_Comm comm, long interior, long initial, long boundary,
                                  std::uint64_t seed);

/// This rank's contiguous share [begin, end) of n items.
void share(MPI_Comm comm, long n, long& begin, long& end);

}  // namespace tessera::pinn
