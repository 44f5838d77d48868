#pragma once
// The PETSc side of a Decomposition: a 2D DMDA whose ownership is exactly the Decomposition's
// blocks, the multigrid hierarchy it can carry, and this rank's block of a vector on it. Shared by
// every reference solver on the vertex-centred unit-square grid (x_i = i h, h = 1/(n-1)).
#include <petscdmda.h>

#include <array>
#include <string>
#include <vector>

#include "core/decomposition.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

/// Not collective. Whether n = 2^k + 1 with k >= 1, the grids that multigrid halves exactly.
bool is_power_of_two_plus_one(int n);

/// Declares the option -<name>, grid points per direction with the boundary, where `what` names
/// the grid in -help, and reports (options.report) a value that is not 2^k + 1. Not collective.
int read_multigrid_points(Options& options, const std::string& name, int fallback,
                          const std::string& what);

/// Not collective. Multigrid levels for n points per direction on the process grid procs: halve
/// the grid while the next coarser one still has an interior point and, along each direction, at
/// least two points per process, so that PETSc's coarsened ownership ranges stay non-empty and
/// within one stencil width of the finer ones.
int multigrid_levels(int n, const std::array<int, 3>& procs);

/// Collective over decomp.comm(). A 2D DMDA (star stencil, width 1, one degree of freedom) of
/// points x points with decomp's ownership ranges. Throws tessera::Error unless decomp is 2D with
/// that many points per direction (at least 3) and this rank's DMDA block is its Decomposition
/// block; `who` names the caller in the messages. The caller destroys the DM.
DM create_decomposition_dmda(const Decomposition& decomp, int points, const std::string& who);

/// Not collective. This rank's block of the global vector v on dm, x fastest: u(i, j) is at
/// (j - ys) * xm + (i - xs), the layout of FieldFile::write_field.
std::vector<double> local_block(DM dm, Vec v);

}  // namespace tessera::solvers
