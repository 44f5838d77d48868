// The Fourier Neural Operator (nn/fno) across ranks. Domain parallel: on every Cartesian split of
// the ranks over the grid (slabs, pencils, uneven, with each dimension's own padding owned by the
// ranks at its end), the output, the input gradient and the parameter gradient equal those of
// the one-rank network every rank computes on the whole grid. Data parallel: samples split over
// the ranks plus allreduce_gradient equal the whole batch's gradient; and both at once on a
// samples x space split of the ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "../grid_layouts.hpp"
#include "../host_vectors.hpp"
#include "core/allreduce.hpp"
#include "nn/fno.hpp"

namespace {

using tessera::Decomposition;
using tessera::nn::Factorization;
using tessera::nn::Fno;
using tessera::nn::FnoShape;
using tessera::nn::FnoWorkspace;
using tessera::nn::GridBlock;
using tessera::nn::Vector;
using tessera::test::decompose;
using tessera::test::grid_block;
using tessera::test::layout_name;
using tessera::test::process_grids_that_fit;
using tessera::test::product;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::restrict_to;
using tessera::test::to_device;
using tessera::test::to_host;
using tessera::test::world_rank;
using tessera::test::world_size;

std::string padding_text(const std::vector<int>& padding) {
  std::string text;
  for (const int p : padding) text += (text.empty() ? "" : "x") + std::to_string(p);
  return text;
}

/// Output, input gradient and parameter gradient of one forward and backward pass.
struct Pass {
  std::vector<double> y, dx, gradient;
};

/// net on x (batch samples at its local points) with dL/dy = r.
Pass run(const Fno& net, const std::vector<double>& x, const std::vector<double>& r) {
  FnoWorkspace ws;
  Vector y("y", r.size()), dx("dx", x.size()), gradient("g", size_t(net.parameter_count()));
  net.forward(to_device(x), y, ws);
  net.backward(to_device(r), gradient, ws, dx);
  return {to_host(y), to_host(dx), to_host(gradient)};
}

struct Case {
  FnoShape shape;
  std::vector<int> grid;
};

/// Every layout of the ranks over each case's grid against the one-rank network.
void expect_every_layout_equals_the_whole_grid(const std::vector<Case>& cases) {
  const int batch = 2;
  double worst_y = 0, worst_dx = 0, worst_g = 0;
  for (const auto& c : cases) {
    const FnoShape& s = c.shape;
    const int dims = s.dims;
    const auto x = random_vector(size_t(batch * s.in_channels * product(c.grid)), 61);
    const auto r = random_vector(size_t(batch * s.out_channels * product(c.grid)), 62);
    Fno whole(s, c.grid);
    whole.initialize(63);
    const Pass ref = run(whole, x, r);

    for (const auto& p : process_grids_that_fit(c.grid)) {
      const Decomposition decomp = decompose(c.grid, p);
      const GridBlock block = grid_block(decomp);
      Fno net(s, c.grid, block, decomp.comm());
      net.initialize(63);
      const Pass part = run(net, restrict_to(x, c.grid, block), restrict_to(r, c.grid, block));
      // Largest error over the ranks, so that every rank takes the same branch.
      const double ey = tessera::allreduce_max(
          MPI_COMM_WORLD, relative_error(part.y, restrict_to(ref.y, c.grid, block)));
      const double edx = tessera::allreduce_max(
          MPI_COMM_WORLD, relative_error(part.dx, restrict_to(ref.dx, c.grid, block)));
      const double eg =
          tessera::allreduce_max(MPI_COMM_WORLD, relative_error(part.gradient, ref.gradient));
      const std::string where =
          std::string(s.factorization == Factorization::Dense ? "" : to_string(s.factorization)) +
          (s.factorization == Factorization::Dense ? "" : " ") + std::to_string(dims) + "D grid " +
          std::to_string(c.grid[0]) + "..., padding " + padding_text(net.shape().padding) + ", " +
          layout_name(p);
      EXPECT_LT(ey, 1e-12) << where;
      EXPECT_LT(edx, 1e-12) << where;
      EXPECT_LT(eg, 1e-12) << where;
      worst_y = std::max(worst_y, ey);
      worst_dx = std::max(worst_dx, edx);
      worst_g = std::max(worst_g, eg);
      if (world_rank() == 0)
        std::printf("%-44s y %.2e  dx %.2e  gradient %.2e\n", where.c_str(), ey, edx, eg);
    }
  }
  if (world_rank() == 0)
    std::printf("max relative errors over the layouts: y %.2e, dx %.2e, gradient %.2e\n", worst_y,
                worst_dx, worst_g);
}

TEST(FnoMpi, EveryLayoutEqualsTheWholeGridNetwork) {
  // FnoShape{dims, in, out, width, layers, modes, projection_width, padding, grid_coordinates}
  // Per-dimension padding of split dimensions: the padded points belong to the last rank of
  // each padded dimension, the other ranks' blocks are not padded.
  expect_every_layout_equals_the_whole_grid({
      {FnoShape{2, 2, 1, 4, 2, {3, 3}, 5, {2, 2}, true}, {9, 7}},
      {FnoShape{2, 2, 1, 4, 2, {3, 3}, 5, {3, 0}, true}, {9, 7}},
      {FnoShape{2, 1, 2, 3, 2, {4, 3}, 4, {0, 2}, true}, {8, 6}},
      {FnoShape{2, 1, 2, 3, 3, {4, 3}, 4, {}, true}, {10, 6}},
      {FnoShape{3, 1, 2, 3, 2, {2, 2, 2}, 4, {1, 1, 1}, true}, {7, 5, 6}},
      {FnoShape{3, 1, 1, 3, 2, {2, 2, 2}, 4, {3, 0, 0}, true}, {6, 5, 6}},
      {FnoShape{3, 2, 1, 3, 2, {2, 2, 2}, 4, {0, 2, 1}, false}, {5, 6, 6}},
      {FnoShape{3, 2, 1, 3, 2, {2, 2, 3}, 4, {}, false}, {6, 5, 7}},
  });
}

// TFNO: the factorised contraction runs on the replicated coefficients after the allreduce, so a
// split grid still equals one rank.
TEST(FnoMpi, FactorisedEveryLayoutEqualsTheWholeGridNetwork) {
  const auto cp = Factorization::Cp, tucker = Factorization::Tucker;
  expect_every_layout_equals_the_whole_grid({
      {FnoShape{2, 2, 1, 4, 2, {3, 3}, 5, {2, 2}, true, cp, 0.5}, {9, 7}},
      {FnoShape{2, 1, 2, 3, 2, {4, 3}, 4, {}, true, tucker, 0.5}, {10, 6}},
      {FnoShape{3, 1, 2, 3, 2, {2, 2, 2}, 4, {1, 0, 1}, true, cp, 0.1}, {7, 5, 6}},
      {FnoShape{3, 2, 1, 3, 2, {2, 2, 3}, 4, {}, false, tucker, 1.0}, {6, 5, 7}},
  });
}

/// Samples [first, first + count) of a batch stored [sample][values_per_sample].
std::vector<double> samples(const std::vector<double>& v, long per_sample, int first, int count) {
  return std::vector<double>(v.begin() + first * per_sample,
                             v.begin() + (first + count) * per_sample);
}

/// Group g of groups' share of batch samples: first sample and count (uneven splits).
std::pair<int, int> share(int batch, int groups, int g) {
  const int base = batch / groups, extra = batch % groups;
  return {g * base + std::min(g, extra), base + (g < extra ? 1 : 0)};
}

// Ranks = samples groups x space ranks per group: every group holds a share of the batch on its
// own decomposed grid; the gradient of backward is complete over space, allreduce_gradient over
// the samples communicator (one rank of each group) sums the groups'.
void expect_data_parallel_equals_whole_batch(int space_size) {
  const int size = world_size(), rank = world_rank();
  const int groups = size / space_size, batch = 5;
  const FnoShape s{2, 2, 1, 4, 2, {2, 3}, 5, {2, 1}, true};
  const std::vector<int> grid = {8, 7};
  const long in_per_sample = s.in_channels * product(grid),
             out_per_sample = s.out_channels * product(grid);
  const auto x = random_vector(size_t(batch * in_per_sample), 71);
  const auto r = random_vector(size_t(batch * out_per_sample), 72);
  Fno whole(s, grid);
  whole.initialize(73);
  const auto ref = run(whole, x, r).gradient;

  MPI_Comm space, samples_comm;
  MPI_Comm_split(MPI_COMM_WORLD, rank / space_size, rank, &space);
  MPI_Comm_split(MPI_COMM_WORLD, rank % space_size, rank, &samples_comm);
  double error = 0;
  {
    const Decomposition decomp = decompose(grid, {space_size, 1}, space);
    const GridBlock block = grid_block(decomp);
    Fno net(s, grid, block, decomp.comm());
    net.initialize(73);
    const auto [first, count] = share(batch, groups, rank / space_size);
    const auto mine = run(net, restrict_to(samples(x, in_per_sample, first, count), grid, block),
                          restrict_to(samples(r, out_per_sample, first, count), grid, block));
    const Vector gradient = to_device(mine.gradient);
    net.allreduce_gradient(gradient, samples_comm);
    error = tessera::allreduce_max(MPI_COMM_WORLD, relative_error(to_host(gradient), ref));
  }
  MPI_Comm_free(&space);
  MPI_Comm_free(&samples_comm);
  EXPECT_LT(error, 1e-12) << groups << " sample groups x " << space_size << " space ranks";
  if (rank == 0)
    std::printf("%d sample groups x %d space ranks: gradient relative error %.2e\n", groups,
                space_size, error);
}

TEST(FnoMpi, SamplesSplitOverRanksEqualTheWholeBatch) {
  expect_data_parallel_equals_whole_batch(1);
}

TEST(FnoMpi, SamplesTimesSpaceEqualsTheWholeBatch) {
  if (world_size() < 4) GTEST_SKIP() << "needs 4 ranks (2 sample groups x 2 space ranks)";
  expect_data_parallel_equals_whole_batch(2);
}

}  // namespace
