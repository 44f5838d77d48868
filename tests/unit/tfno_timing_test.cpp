// One timing, printed and not asserted: the forward + backward of a spectral layer at 64^2, width
// 32, 12 modes, batch 10, dense (FNO) against CP and Tucker factorised weights (TFNO) at several
// rank fractions. The truncated DFTs are the same in all; only the channel mixing differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "../host_vectors.hpp"
#include "nn/spectral_conv.hpp"

namespace {

using tessera::nn::Factorization;
using tessera::nn::SpectralConv;
using tessera::nn::SpectralConvShape;
using tessera::nn::SpectralConvWorkspace;
using tessera::nn::Vector;

/// Seconds of the fastest of repeats forward + backward passes (after one warm-up pass).
double time_pass(const SpectralConv& layer, int batch, int repeats) {
  const long points = layer.local_points();
  const Vector x = tessera::test::to_device(
      tessera::test::random_vector(size_t(batch * layer.shape().in_channels * points), 1));
  const Vector dy = tessera::test::to_device(
      tessera::test::random_vector(size_t(batch * layer.shape().out_channels * points), 2));
  Vector y("y", dy.extent(0)), dx("dx", x.extent(0)), gradient("g", layer.parameter_count());
  SpectralConvWorkspace ws;
  double best = 1e30;
  for (int r = 0; r <= repeats; ++r) {
    Kokkos::fence();
    const auto start = std::chrono::steady_clock::now();
    layer.forward(x, y, ws);
    layer.backward(dy, dx, gradient, ws);
    Kokkos::fence();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r > 0) best = std::min(best, s);
  }
  return best;
}

TEST(TfnoTiming, SpectralLayerAt64SquaredWidth32Modes12Batch10) {
  const int batch = 10, repeats = 3;
  const SpectralConvShape dense{32, 32, {64, 64}, {12, 12}};
  struct Case {
    Factorization f;
    double rank;
  };
  const std::vector<Case> cases = {{Factorization::Dense, 1.0},  {Factorization::Cp, 0.1},
                                   {Factorization::Cp, 0.05},    {Factorization::Tucker, 1.0},
                                   {Factorization::Tucker, 0.5}, {Factorization::Tucker, 0.1},
                                   {Factorization::Tucker, 0.05}};
  double dense_seconds = 0;
  for (const auto& c : cases) {
    SpectralConvShape s = dense;
    s.factorization = c.f;
    s.rank = c.rank;
    SpectralConv layer(s);
    layer.initialize(3);
    const double seconds = time_pass(layer, batch, repeats);
    if (c.f == Factorization::Dense) dense_seconds = seconds;
    std::printf(
        "%-36s %8ld parameters: forward + backward %8.2f ms (%.2fx dense)\n",
        c.f == Factorization::Dense ? "dense" : layer.factorized_weight().describe().c_str(),
        layer.parameter_count(), 1e3 * seconds, seconds / dense_seconds);
  }
}

}  // namespace
