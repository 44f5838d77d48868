// The FNO spectral convolution (nn/spectral_conv) on decomposed grids: on every Cartesian split
// of the ranks over the grid's dimensions (slabs along each dimension, pencils, bricks where the
// rank count allows; uneven splits such as 9 points over 2 or 4 ranks), the forward output and
// the input and weight gradients equal those of the one-rank layer that every rank computes on
// the whole grid; the volume reduced per call does not depend on the grid size.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../grid_layouts.hpp"
#include "../host_vectors.hpp"
#include "core/allreduce.hpp"
#include "core/decomposition.hpp"
#include "nn/spectral_conv.hpp"

namespace {

using tessera::Decomposition;
using tessera::nn::GridBlock;
using tessera::nn::SpectralConv;
using Shape = tessera::nn::SpectralConvShape;
using tessera::nn::SpectralConvWorkspace;
using tessera::nn::Vector;
using tessera::test::decompose;
using tessera::test::grid_block;
using tessera::test::layout_name;
using tessera::test::process_grids_that_fit;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::restrict_to;
using tessera::test::to_device;
using tessera::test::to_host;
using tessera::test::world_size;

TEST(SpectralConvMpi, EveryLayoutEqualsTheWholeGridLayer) {
  const int batch = 2;
  const std::vector<Shape> cases = {Shape{2, 3, {9, 7}, {3, 3}}, Shape{1, 2, {10, 8}, {5, 5}},
                                    Shape{2, 2, {9, 5, 7}, {3, 2, 3}},
                                    Shape{1, 2, {8, 6, 9}, {4, 3, 5}}};
  double worst_y = 0, worst_dx = 0, worst_w = 0;
  for (const auto& s : cases) {
    const int dims = static_cast<int>(s.grid.size());
    long points = 1;
    for (int n : s.grid) points *= n;
    const auto x = random_vector(size_t(batch * s.in_channels * points), 31);
    const auto r = random_vector(size_t(batch * s.out_channels * points), 32);

    // The reference: the whole grid on this rank alone.
    SpectralConv whole(s);
    whole.initialize(17);
    SpectralConvWorkspace whole_ws;
    Vector y_whole("y", size_t(batch * s.out_channels * points));
    Vector dx_whole("dx", x.size()), g_whole("g", size_t(whole.parameter_count()));
    whole.forward(to_device(x), y_whole, whole_ws);
    whole.backward(to_device(r), dx_whole, g_whole, whole_ws);
    const auto y_ref = to_host(y_whole), dx_ref = to_host(dx_whole), g_ref = to_host(g_whole);

    for (const auto& p : process_grids_that_fit(s.grid)) {
      const Decomposition decomp = decompose(s.grid, p);
      const GridBlock block = grid_block(decomp);
      SpectralConv layer(s, block, decomp.comm());
      layer.initialize(17);
      SpectralConvWorkspace ws;
      const long local = layer.local_points();
      Vector y("y", size_t(batch * s.out_channels * local)),
          dx("dx", size_t(batch * s.in_channels * local));
      Vector gradient("g", size_t(layer.parameter_count()));
      layer.forward(to_device(restrict_to(x, s.grid, block)), y, ws);
      layer.backward(to_device(restrict_to(r, s.grid, block)), dx, gradient, ws);

      // Largest error over the ranks, so that every rank takes the same branch.
      const double ey = tessera::allreduce_max(
          MPI_COMM_WORLD, relative_error(to_host(y), restrict_to(y_ref, s.grid, block)));
      const double edx = tessera::allreduce_max(
          MPI_COMM_WORLD, relative_error(to_host(dx), restrict_to(dx_ref, s.grid, block)));
      const double ew =
          tessera::allreduce_max(MPI_COMM_WORLD, relative_error(to_host(gradient), g_ref));
      const std::string where =
          std::to_string(dims) + "D grid " + std::to_string(s.grid[0]) + "..., " + layout_name(p);
      EXPECT_LT(ey, 1e-12) << where;
      EXPECT_LT(edx, 1e-12) << where;
      EXPECT_LT(ew, 1e-12) << where;
      worst_y = std::max(worst_y, ey);
      worst_dx = std::max(worst_dx, edx);
      worst_w = std::max(worst_w, ew);
      if (decomp.rank() == 0)
        std::printf("%-36s y %.2e  dx %.2e  dW %.2e\n", where.c_str(), ey, edx, ew);
    }
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("max relative errors over the layouts: y %.2e, dx %.2e, dW %.2e\n", worst_y,
                worst_dx, worst_w);
}

TEST(SpectralConvMpi, BytesPerCallDoNotGrowWithTheGrid) {
  const int batch = 4;
  std::vector<tessera::nn::SpectralConvTraffic> traffic;
  for (const int n : {16, 64}) {
    const auto s = Shape{3, 5, {n, n}, {6, 5}};
    const Decomposition decomp = decompose(s.grid, {world_size(), 1});
    SpectralConv layer(s, grid_block(decomp), decomp.comm());
    traffic.push_back(layer.bytes_per_call(batch));
  }
  EXPECT_EQ(traffic[0].forward, traffic[1].forward);
  EXPECT_EQ(traffic[0].backward, traffic[1].backward);
  const long modes = 2 * 6 * 5;  // K = 2 m1 m2
  EXPECT_EQ(traffic[0].forward, 16L * batch * modes * 3);
  EXPECT_EQ(traffic[0].backward, 16L * batch * modes * 5);
}

}  // namespace
