// The spectral filter of the LES rollout (nn/spectral_filter): each Fourier mode of a field
// multiplied by its σ(k) (those beyond the 2/3 band removed), only the channels asked for, the
// adjoint the transpose (<F u, v> = <u, Fᵀ v>), on every process grid of 2D and 3D grids.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../grid_layouts.hpp"
#include "../host_vectors.hpp"
#include "core/allreduce.hpp"
#include "nn/spectral_filter.hpp"

namespace {

using tessera::nn::GridBlock;
using tessera::nn::SpectralFilter;
using tessera::test::decompose;
using tessera::test::grid_block;
using tessera::test::layout_name;
using tessera::test::process_grids_that_fit;
using tessera::test::random_vector;
using tessera::test::to_device;
using tessera::test::to_host;

struct Mode {
  std::vector<int> k;  // signed wavenumbers, C order
  double amplitude, phase;
};

// Σ over the modes of amplitude cos(k·x + phase) (times `scale(mode)`) at this rank's points of
// the grid on [0, 2π)^d, C order.
template <class Scale>
std::vector<double> modes_on_block(const std::vector<int>& grid, const GridBlock& block,
                                   const std::vector<Mode>& modes, Scale&& scale) {
  const int dims = int(grid.size());
  long local = 1;
  for (const int e : block.extent) local *= e;
  std::vector<double> values;
  for (long t = 0; t < local; ++t) {
    std::vector<double> x(static_cast<size_t>(dims));
    long rest = t;
    for (int d = dims - 1; d >= 0; --d) {
      x[size_t(d)] =
          2 * M_PI * (block.offset[size_t(d)] + rest % block.extent[size_t(d)]) / grid[size_t(d)];
      rest /= block.extent[size_t(d)];
    }
    double v = 0;
    for (const Mode& m : modes) {
      double phase = m.phase;
      for (int d = 0; d < dims; ++d) phase += m.k[size_t(d)] * x[size_t(d)];
      v += scale(m) * m.amplitude * std::cos(phase);
    }
    values.push_back(v);
  }
  return values;
}

TEST(SpectralFilter, ScalesEachModeByItsFactorOnEveryProcessGrid) {
  const int order = 4;
  for (const std::vector<int>& grid : {std::vector<int>{12, 9, 10}, std::vector<int>{12, 10}}) {
    const bool three = grid.size() == 3;
    // Inside the band (|k_d| <= n_d / 3: 4, 3, 3; σ from 1 to 0.34 and 1e-6), on its edge, and
    // beyond it in one dimension.
    const std::vector<Mode> modes =
        three ? std::vector<Mode>{{{0, 0, 0}, 0.7, 0.0},  {{1, -2, 1}, 1.0, 0.3},
                                  {{1, 1, 0}, 0.4, 0.5},  {{0, 0, -1}, 0.3, -0.2},
                                  {{-4, 3, 2}, 0.5, 1.1}, {{2, 1, 3}, 0.8, -0.4},
                                  {{5, 0, 1}, 0.9, 0.2},  {{0, 1, 4}, 0.6, 0.7}}
              : std::vector<Mode>{{{0, 1}, 1.0, 0.2},
                                  {{1, 1}, 0.7, 0.6},
                                  {{-3, 2}, 0.6, -1.0},
                                  {{4, 3}, 0.5, 0.4},
                                  {{1, 5}, 0.9, 0.0}};
    for (const auto& p : process_grids_that_fit(grid)) {
      const auto decomp = decompose(grid, p);
      const GridBlock block = grid_block(decomp);
      SpectralFilter filter(grid, block, order, decomp.comm());
      const auto field = modes_on_block(grid, block, modes, [](const Mode&) { return 1.0; });
      const auto filtered =
          modes_on_block(grid, block, modes, [&](const Mode& m) { return filter.factor(m.k); });
      // Two samples of three channels: the filter acts on channels 1 and 2 alone.
      const long n = long(field.size());
      std::vector<double> values;
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 3; ++c)
          for (long q = 0; q < n; ++q) values.push_back((b + 1) * (c + 1) * field[size_t(q)]);
      auto device = to_device(values);
      filter.apply(device, 2, 3, 1, 2);
      const auto out = to_host(device);
      double worst = 0;
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 3; ++c)
          for (long q = 0; q < n; ++q) {
            const double expected = (b + 1) * (c + 1) * (c == 0 ? field : filtered)[size_t(q)];
            worst = std::max(worst, std::abs(out[size_t((b * 3 + c) * n + q)] - expected));
          }
      EXPECT_LT(worst, 1e-12) << grid.size() << "D, " << layout_name(p);
    }
    // The factors: 1 at k = 0, exp(-36 ρ^p), 0 beyond the band.
    const auto decomp = decompose(grid, std::vector<int>(grid.size(), 1), MPI_COMM_SELF);
    SpectralFilter filter(grid, grid_block(decomp), order, MPI_COMM_SELF);
    EXPECT_EQ(filter.factor(std::vector<int>(grid.size(), 0)), 1.0);
    if (three) {
      const double rho2 = 1.0 / 16 + 1.0 / 9;
      EXPECT_NEAR(filter.factor({1, 1, 0}), std::exp(-36 * rho2 * rho2), 1e-15);
      EXPECT_NEAR(filter.factor({1, 1, 0}), 0.337, 0.001);
      EXPECT_EQ(filter.factor({5, 0, 1}), 0.0);
    }
  }
}

TEST(SpectralFilter, AdjointIsTheTranspose) {
  const std::vector<int> grid{9, 12, 8};
  for (const auto& p : process_grids_that_fit(grid)) {
    const auto decomp = decompose(grid, p);
    const GridBlock block = grid_block(decomp);
    SpectralFilter filter(grid, block, 8, decomp.comm());
    const long n = long(block.extent[0]) * block.extent[1] * block.extent[2];
    // Different values on every rank (the seed): the blocks of one random global field.
    const auto u = random_vector(size_t(2 * 4 * n), 11 + decomp.rank());
    const auto v = random_vector(size_t(2 * 4 * n), 97 + decomp.rank());
    auto fu = to_device(u), ftv = to_device(v);
    filter.apply(fu, 2, 4, 1, 3);
    filter.apply_adjoint(ftv, 2, 4, 1, 3);
    const double left = tessera::allreduce_sum(decomp.comm(), tessera::test::dot(to_host(fu), v));
    const double right = tessera::allreduce_sum(decomp.comm(), tessera::test::dot(u, to_host(ftv)));
    EXPECT_NEAR(left, right, 1e-12 * std::abs(left)) << layout_name(p);
    // The filter removes energy beyond the band: F u differs from u.
    EXPECT_GT(tessera::test::relative_error(to_host(fu), u), 0.1);
  }
}

}  // namespace
