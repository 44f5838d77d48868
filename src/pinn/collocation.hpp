#pragma once
// Collocation point sets for a box [0,1]^d. The global set is drawn the same way on every rank
// (fixed seed), and a rank keeps its contiguous share, so the union over ranks is the same set
// for any rank count: the data-parallel loss is then rank-count independent up to round-off.
#include <mpi.h>

#include <array>
#include <cstdint>

#include "nn/types.hpp"

namespace tessera::pinn {

/// Uniform random interior points of the unit square, this rank's share (2 x n_local).
/// Collective over comm only in that every rank must call it with the same arguments.
nn::Matrix interior_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed);

/// Points spread uniformly at random over the four edges of the unit square (2 x n_local).
nn::Matrix boundary_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed);

/// Maps points of the unit square (2 x n) onto [lower[0], upper[0]] x [lower[1], upper[1]] in
/// place, for PDEs posed on another box. Not collective.
void map_to_box(const nn::Matrix& points, const std::array<double, 2>& lower,
                const std::array<double, 2>& upper);

/// This rank's contiguous share [begin, end) of n items.
void share(MPI_Comm comm, long n, long& begin, long& end);

}  // namespace tessera::pinn
