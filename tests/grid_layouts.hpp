#pragma once
// Cartesian layouts of a grid over the ranks of MPI_COMM_WORLD for the tests of decomposed
// layers (nn/spectral_conv, nn/fno): every process grid of a rank count, the Decomposition and
// GridBlock of each, and this rank's block of a whole-grid array.
#include <mpi.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "nn/spectral_conv.hpp"

namespace tessera::test {

using tessera::Decomposition;
using tessera::nn::GridBlock;

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// Every way to write size as p_1 ... p_dims (processes per grid dimension).
inline std::vector<std::vector<int>> process_grids(int size, int dims) {
  std::vector<std::vector<int>> grids;
  std::vector<int> p(size_t(dims), 1);
  std::function<void(int, int)> split = [&](int d, int left) {
    if (d == dims - 1) {
      p[size_t(d)] = left;
      grids.push_back(p);
      return;
    }
    for (int f = 1; f <= left; ++f)
      if (left % f == 0) {
        p[size_t(d)] = f;
        split(d + 1, left / f);
      }
  };
  split(0, size);
  return grids;
}

/// The process grids of all of MPI_COMM_WORLD's ranks over grid whose every dimension has at
/// least as many points as processes.
inline std::vector<std::vector<int>> process_grids_that_fit(const std::vector<int>& grid) {
  std::vector<std::vector<int>> fitting;
  for (const auto& p : process_grids(world_size(), static_cast<int>(grid.size()))) {
    bool fits = true;
    for (size_t d = 0; d < grid.size(); ++d) fits = fits && p[d] <= grid[d];
    if (fits) fitting.push_back(p);
  }
  return fitting;
}

/// The Decomposition of the grid over process grid p, with dimensions reversed: its x (fastest)
/// is the grid's last dimension, as in the layer's layout. Collective over comm.
inline Decomposition decompose(const std::vector<int>& grid, const std::vector<int>& p,
                               MPI_Comm comm = MPI_COMM_WORLD) {
  const int dims = static_cast<int>(grid.size());
  std::array<int, 3> points{1, 1, 1}, procs{1, 1, 1};
  for (int d = 0; d < dims; ++d) {
    points[size_t(d)] = grid[size_t(dims - 1 - d)];
    procs[size_t(d)] = p[size_t(dims - 1 - d)];
  }
  return Decomposition(comm, dims, points, procs);
}

using tessera::nn::grid_block;

/// This rank's block of fields (fields x whole grid, C order) in the layer's layout.
inline std::vector<double> restrict_to(const std::vector<double>& whole,
                                       const std::vector<int>& grid, const GridBlock& block) {
  const int dims = static_cast<int>(grid.size());
  long points = 1, local = 1;
  for (int d = 0; d < dims; ++d) points *= grid[size_t(d)], local *= block.extent[size_t(d)];
  std::vector<double> part;
  for (size_t f = 0; f < whole.size() / size_t(points); ++f)
    for (long t = 0; t < local; ++t) {
      long rest = t, global = 0, stride = 1;
      for (int d = dims - 1; d >= 0; --d) {
        const long l = rest % block.extent[size_t(d)];
        rest /= block.extent[size_t(d)];
        global += (block.offset[size_t(d)] + l) * stride;
        stride *= grid[size_t(d)];
      }
      part.push_back(whole[f * size_t(points) + size_t(global)]);
    }
  return part;
}

inline std::string layout_name(const std::vector<int>& p) {
  const auto split = std::count_if(p.begin(), p.end(), [](int x) { return x > 1; });
  std::string name = split == 0 ? "single" : split == 1 ? "slab" : split == 2 ? "pencil" : "brick";
  name += " (";
  for (size_t d = 0; d < p.size(); ++d) name += (d ? "x" : "") + std::to_string(p[d]);
  return name + ")";
}

}  // namespace tessera::test
