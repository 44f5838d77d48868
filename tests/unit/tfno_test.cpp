// Factorised spectral weights (nn/factorized_weight, TFNO) on one rank: the factorised layer's
// forward against the dense layer holding the reconstructed weight (reconstructed here, on the
// host, from the documented parameter layout), CP and Tucker in 2D and 3D; central differences for
// every factor block and the input; the parameter counts of the documented rank rule at ranks 1.0,
// 0.5, 0.1 and 0.05; a full-rank Tucker weight with identity factors reproducing any dense layer;
// the initial scale; the TFNO's parameter count and summary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "../host_vectors.hpp"
#include "../spectral_reference.hpp"
#include "core/error.hpp"
#include "nn/fno.hpp"
#include "nn/spectral_conv.hpp"

namespace {

using tessera::nn::Factorization;
using tessera::nn::FactorizedWeight;
using tessera::nn::SpectralConv;
using Shape = tessera::nn::SpectralConvShape;
using tessera::nn::SpectralConvWorkspace;
using tessera::nn::Vector;
using tessera::test::dot;
using tessera::test::finite_differences;
using tessera::test::forward;
using tessera::test::product;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::to_device;
using tessera::test::to_host;
using tessera::test::unflatten;
using Complex = std::complex<double>;

Shape factorized(Shape s, Factorization f, double rank) {
  s.factorization = f;
  s.rank = rank;
  return s;
}

/// Entry e of block b of a factorised layer's parameters (all real parts, then all imaginary).
Complex entry(const FactorizedWeight& w, const std::vector<double>& theta, int b, long e) {
  const size_t at = size_t(w.block_offset(b) + e), n = size_t(w.block_entries(b));
  return {theta[at], theta[at + n]};
}

/// W[i][o][q] of the factorised weight, summed from its factors as the header's formulas say.
Complex weight_entry(const FactorizedWeight& w, const std::vector<double>& theta, int i, int o,
                     const std::vector<int>& q) {
  const auto& ranks = w.ranks();
  const int dims = static_cast<int>(q.size());
  Complex sum = 0;
  if (w.factorization() == Factorization::Cp) {
    const int rank = ranks[0];
    for (int r = 0; r < rank; ++r) {
      Complex term = entry(w, theta, 0, r) * entry(w, theta, 1, long(i) * rank + r) *
                     entry(w, theta, 2, long(o) * rank + r);
      for (int d = 0; d < dims; ++d) term *= entry(w, theta, 3 + d, long(q[size_t(d)]) * rank + r);
      sum += term;
    }
    return sum;
  }
  for (long t = 0; t < product(ranks); ++t) {
    const auto c = unflatten(t, ranks);  // (p, s, t_1, .., t_D)
    Complex term = entry(w, theta, 0, t) * entry(w, theta, 1, long(i) * ranks[0] + c[0]) *
                   entry(w, theta, 2, long(o) * ranks[1] + c[1]);
    for (int d = 0; d < dims; ++d)
      term *= entry(w, theta, 3 + d, long(q[size_t(d)]) * ranks[size_t(2 + d)] + c[size_t(2 + d)]);
    sum += term;
  }
  return sum;
}

/// The dense layer's parameters (weights1..4 corner layout) holding the factorised weight.
std::vector<double> reconstruct(const SpectralConv& layer, const std::vector<double>& theta) {
  const Shape& s = layer.shape();
  const int dims = static_cast<int>(s.grid.size());
  const long corners = 1L << (dims - 1), corner = product(s.modes);
  std::vector<double> dense(size_t(layer.dense_parameter_count()));
  for (long j = 0; j < corners; ++j)
    for (int i = 0; i < s.in_channels; ++i)
      for (int o = 0; o < s.out_channels; ++o)
        for (long a = 0; a < corner; ++a) {
          auto q = unflatten(a, s.modes);
          for (int d = 0; d < dims - 1; ++d)
            if ((j >> d) & 1) q[size_t(d)] += s.modes[size_t(d)];
          const Complex w = weight_entry(layer.factorized_weight(), theta, i, o, q);
          const size_t at =
              size_t(2 * (((j * s.in_channels + i) * s.out_channels + o) * corner + a));
          dense[at] = w.real();
          dense[at + 1] = w.imag();
        }
  return dense;
}

Shape dense_of(Shape s) {
  s.factorization = Factorization::Dense;
  s.tucker_ranks.clear();
  return s;
}

const std::vector<Shape> kShapes = {Shape{3, 2, {8, 6}, {3, 2}}, Shape{2, 3, {7, 9}, {2, 4}},
                                    Shape{2, 3, {6, 5, 8}, {2, 2, 3}},
                                    Shape{3, 2, {5, 7, 6}, {1, 3, 4}}};

TEST(Tfno, ForwardEqualsDenseLayerWithReconstructedWeight) {
  const int batch = 3;
  double worst = 0;
  for (const Factorization f : {Factorization::Cp, Factorization::Tucker})
    for (const double rank : {1.0, 0.5, 0.1})
      for (const auto& base : kShapes) {
        const Shape s = factorized(base, f, rank);
        SpectralConv layer(s);
        layer.initialize(17);
        SpectralConv dense(dense_of(s));
        Kokkos::deep_copy(dense.parameters(),
                          to_device(reconstruct(layer, to_host(layer.parameters()))));
        const auto x = random_vector(size_t(batch * s.in_channels * product(s.grid)), 19);
        SpectralConvWorkspace ws, dense_ws;
        const auto y = forward(layer, ws, x, batch);
        const double err = relative_error(y, forward(dense, dense_ws, x, batch));
        worst = std::max(worst, err);
        EXPECT_LT(err, 1e-12) << to_string(f) << " rank " << rank << ", " << s.grid.size() << "D";
        // Again with the same workspace: nothing stale.
        EXPECT_LT(relative_error(forward(layer, ws, x, batch), y), 1e-14);
      }
  std::printf(
      "factorised forward vs dense layer with the reconstructed weight: max relative "
      "error %.3e\n",
      worst);
}

std::vector<double> slice(const std::vector<double>& v, long offset, long count) {
  return std::vector<double>(v.begin() + offset, v.begin() + offset + count);
}

TEST(Tfno, GradientsOfEveryFactorMatchFiniteDifferences) {
  const int batch = 2;
  const std::vector<Shape> shapes = {Shape{2, 3, {6, 5}, {2, 2}},
                                     Shape{2, 2, {5, 4, 6}, {2, 2, 2}}};
  double worst_x = 0, worst_w = 0;
  for (const Factorization f : {Factorization::Cp, Factorization::Tucker})
    for (const double rank : {1.0, 0.5})
      for (const auto& base : shapes) {
        const Shape s = factorized(base, f, rank);
        SpectralConv layer(s);
        layer.initialize(23);
        const auto& w = layer.factorized_weight();
        SpectralConvWorkspace ws;
        auto x = random_vector(size_t(batch * s.in_channels * product(s.grid)), 29);
        const auto r = random_vector(size_t(batch * s.out_channels * product(s.grid)), 31);
        auto theta = to_host(layer.parameters());
        forward(layer, ws, x, batch);
        Vector dx("dx", x.size()), gradient("gradient", size_t(layer.parameter_count()));
        layer.backward(to_device(r), dx, gradient, ws);
        const auto input_gradient = to_host(dx), weight_gradient = to_host(gradient);

        auto loss = [&]() {
          Kokkos::deep_copy(layer.parameters(), to_device(theta));
          return dot(forward(layer, ws, x, batch), r);
        };
        // L is linear in x and in each single parameter: the differences are exact but for
        // round-off.
        const double h = 1e-3;
        const auto fd = finite_differences(theta, loss, h);
        char where[64];
        std::snprintf(where, sizeof where, "%s rank %g, %zuD", to_string(f), rank, s.grid.size());
        for (int b = 0; b < w.blocks(); ++b) {
          const long at = w.block_offset(b), n = 2 * w.block_entries(b);
          const double e = relative_error(slice(weight_gradient, at, n), slice(fd, at, n));
          EXPECT_LT(e, 1e-6) << where << ", block " << b;
          worst_w = std::max(worst_w, e);
        }
        const double ex = relative_error(input_gradient, finite_differences(x, loss, h));
        EXPECT_LT(ex, 1e-6) << where;
        worst_x = std::max(worst_x, ex);
        std::printf("%-18s ranks", where);
        for (int v : w.ranks()) std::printf(" %d", v);
        std::printf(": %ld parameters\n", layer.parameter_count());
      }
  std::printf(
      "gradients vs central differences: max relative error input %.3e, factor blocks "
      "(lambda / core and every factor) %.3e\n",
      worst_x, worst_w);
}

/// The documented rule, written again: CP R = round(f P / sum s) (>= 1), 2 R (1 + sum s) doubles;
/// Tucker x from P x^N + sum s^2 x = f P by Newton's method, r = clamp(round(s x), 1, s),
/// 2 (prod r + sum s r) doubles.
long documented_count(Factorization f, double fraction, const std::vector<int>& s) {
  const double p = double(product(s));
  double sum = 0, squares = 0;
  for (int v : s) sum += v, squares += double(v) * v;
  if (f == Factorization::Cp) {
    const long r = std::max(1L, long(std::nearbyint(fraction * p / sum)));
    return 2 * r * (1 + long(sum));
  }
  const double n = double(s.size());
  double x = 1;
  for (int it = 0; it < 100; ++it)
    x -= (p * std::pow(x, n) + squares * x - fraction * p) / (n * p * std::pow(x, n - 1) + squares);
  long core = 1, factors = 0;
  for (int v : s) {
    const long r = std::clamp(long(std::nearbyint(v * x)), 1L, long(v));
    core *= r;
    factors += v * r;
  }
  return 2 * (core + factors);
}

TEST(Tfno, ParameterCountsFollowTheRankRule) {
  struct Case {
    Shape shape;
    std::vector<int> tensor;  // (I, O, K_1, .., K_D)
  };
  const std::vector<Case> cases = {{Shape{32, 32, {64, 64}, {12, 12}}, {32, 32, 24, 12}},
                                   {Shape{16, 16, {32, 32, 32}, {8, 8, 8}}, {16, 16, 16, 16, 8}}};
  for (const auto& c : cases)
    for (const Factorization f : {Factorization::Cp, Factorization::Tucker})
      for (const double rank : {1.0, 0.5, 0.1, 0.05}) {
        SpectralConv layer(factorized(c.shape, f, rank));
        EXPECT_EQ(layer.factorized_weight().tensor_shape(), c.tensor);
        EXPECT_EQ(layer.parameter_count(), documented_count(f, rank, c.tensor));
        EXPECT_EQ(layer.dense_parameter_count(), 2 * product(c.tensor));
        std::printf("%zuD %-6s rank %-4g %-32s %9ld of %9ld dense doubles (%.4f)\n",
                    c.shape.grid.size(), to_string(f), rank,
                    layer.factorized_weight().describe().c_str(), layer.parameter_count(),
                    layer.dense_parameter_count(),
                    double(layer.parameter_count()) / double(layer.dense_parameter_count()));
      }
  // The 64^2, width 32, 12 modes layer, by hand from the rule (tensorly's rounding).
  auto ranks = [](Factorization f, double rank) {
    return SpectralConv(factorized(Shape{32, 32, {64, 64}, {12, 12}}, f, rank))
        .factorized_weight()
        .ranks();
  };
  EXPECT_EQ(ranks(Factorization::Cp, 0.1), std::vector<int>{295});
  EXPECT_EQ(ranks(Factorization::Cp, 0.05), std::vector<int>{147});
  EXPECT_EQ(ranks(Factorization::Tucker, 0.1), (std::vector<int>{18, 18, 13, 7}));
  EXPECT_EQ(ranks(Factorization::Tucker, 0.5), (std::vector<int>{27, 27, 20, 10}));
}

TEST(Tfno, BadRanksThrow) {
  const Shape base{2, 2, {8, 6}, {2, 2}};
  EXPECT_THROW(SpectralConv(factorized(base, Factorization::Cp, 0.0)), tessera::Error);
  EXPECT_THROW(SpectralConv(factorized(base, Factorization::Tucker, -1.0)), tessera::Error);
  Shape s = factorized(base, Factorization::Tucker, 1.0);
  s.tucker_ranks = {2, 2, 4};
  EXPECT_THROW(SpectralConv{s}, tessera::Error);
  s.tucker_ranks = {2, 3, 4, 2};  // 3 > out_channels
  EXPECT_THROW(SpectralConv{s}, tessera::Error);
}

// A Tucker weight with full ranks is as expressive as the dense one: with identity factors and
// the core set to any dense weight (as the tensor W[i][o][q]) it is that dense layer.
TEST(Tfno, FullRankTuckerRepresentsAnyDenseLayer) {
  double worst = 0;
  for (const auto& base : {Shape{3, 2, {8, 6}, {3, 2}}, Shape{2, 3, {6, 5, 8}, {2, 2, 3}}}) {
    SpectralConv dense(base);
    dense.initialize(41);
    const auto w = to_host(dense.parameters());
    Shape s = factorized(base, Factorization::Tucker, 1.0);
    s.tucker_ranks = {s.in_channels, s.out_channels};
    const int dims = static_cast<int>(s.grid.size());
    for (int d = 0; d < dims; ++d)
      s.tucker_ranks.push_back(d == dims - 1 ? s.modes[size_t(d)] : 2 * s.modes[size_t(d)]);
    SpectralConv tucker(s);
    const auto& f = tucker.factorized_weight();
    std::vector<double> theta(size_t(tucker.parameter_count()), 0.0);
    for (int b = 1; b < f.blocks(); ++b)  // identity factors (square: rank = extent)
      for (long e = 0; e < f.block_entries(b); e += f.ranks()[size_t(b - 1)] + 1)
        theta[size_t(f.block_offset(b) + e)] = 1.0;
    // The core: G[i][o][q] = the dense weight of (i, o) at kept mode q, from its corner.
    const long corner = product(s.modes), core = f.block_entries(0);
    for (long t = 0; t < core; ++t) {
      const auto c = unflatten(t, f.ranks());
      long j = 0, a = 0;
      for (int d = 0; d < dims; ++d) {
        int q = c[size_t(2 + d)];
        if (d < dims - 1 && q >= s.modes[size_t(d)]) q -= s.modes[size_t(d)], j += 1L << d;
        a = a * s.modes[size_t(d)] + q;
      }
      const size_t at =
          size_t(2 * (((j * s.in_channels + c[0]) * s.out_channels + c[1]) * corner + a));
      theta[size_t(f.block_offset(0) + t)] = w[at];
      theta[size_t(f.block_offset(0) + core + t)] = w[at + 1];
    }
    Kokkos::deep_copy(tucker.parameters(), to_device(theta));
    const auto x = random_vector(size_t(2 * s.in_channels * product(s.grid)), 43);
    SpectralConvWorkspace ws, dense_ws;
    const double err = relative_error(forward(tucker, ws, x, 2), forward(dense, dense_ws, x, 2));
    EXPECT_LT(err, 1e-12);
    worst = std::max(worst, err);
  }
  std::printf("full-rank Tucker with identity factors vs dense: max relative error %.3e\n", worst);
}

// The mean square |W|^2 of the weight a CP and a Tucker layer of ranks 1, 0.5, 0.1 rebuild from
// their initial factors, averaged over 8 seeds (with small ranks one draw's mean square is a
// product of few-sample averages, the core's above all, and spreads widely), within 0.6 to 1.6
// times expected.
void expect_factorized_initial_mean_square(const Shape& base, double expected) {
  for (const Factorization f : {Factorization::Cp, Factorization::Tucker})
    for (const double rank : {1.0, 0.5, 0.1}) {
      SpectralConv layer(factorized(base, f, rank));
      double ms = 0;
      const int seeds = 8;
      for (int seed = 0; seed < seeds; ++seed) {
        layer.initialize(std::uint64_t(5 + seed));
        const auto w = reconstruct(layer, to_host(layer.parameters()));
        ms += dot(w, w) / double(w.size() / 2) / seeds;
      }
      std::printf("%-6s rank %-4g: initial mean square |W|^2 %.3e, expected %.3e (ratio %.2f)\n",
                  to_string(f), rank, ms, expected, ms / expected);
      EXPECT_GT(ms / expected, 0.6) << to_string(f) << " rank " << rank;
      EXPECT_LT(ms / expected, 1.6) << to_string(f) << " rank " << rank;
    }
}

// The reconstructed weight's mean square is the dense initialisation's, 2 c^2 / 3 with
// c = 1 / (in out), to sampling error.
TEST(Tfno, InitialWeightHasTheDenseScale) {
  const Shape base{8, 8, {16, 16}, {4, 4}};
  SpectralConv dense(base);
  dense.initialize(3);
  const auto wd = to_host(dense.parameters());
  expect_factorized_initial_mean_square(base, dot(wd, wd) / double(wd.size() / 2));
}

// -operator_spectral_init neuraloperator: the dense weight's mean square is 2 / (in + out)
// (neuraloperator's init_std "auto"), zero mean; a factorised weight rebuilds the same mean square
// to sampling error.
TEST(Tfno, NeuraloperatorInitialWeightScale) {
  Shape base{8, 24, {16, 16}, {4, 4}};
  base.init = tessera::nn::SpectralInit::Neuraloperator;
  const double expected = 2.0 / (8 + 24);
  SpectralConv dense(base);
  dense.initialize(3);
  const auto wd = to_host(dense.parameters());
  const double n = double(wd.size() / 2);
  double mean = 0;
  for (double v : wd) mean += v / double(wd.size());
  // 3072 complex normals (2 corners x 8 x 24 x 4 x 4): |W|^2 has relative deviation 1, so the
  // sample mean square's is 1.8%: within 6%; the mean of the 6144 re and im parts, deviation
  // 0.009 sqrt(2/(in + out)): within 0.04 of it.
  EXPECT_NEAR(dot(wd, wd) / n / expected, 1.0, 0.06);
  EXPECT_LT(std::abs(mean), 0.04 * std::sqrt(expected));
  std::printf("neuraloperator init, dense: mean square %.4e (2/(in + out) = %.4e), mean %.1e\n",
              dot(wd, wd) / n, expected, mean);
  expect_factorized_initial_mean_square(base, expected);
}

TEST(Tfno, NetworkCountsAndSummary) {
  using tessera::nn::Fno;
  using tessera::nn::FnoShape;
  const std::vector<int> grid = {16, 16};
  FnoShape s{2, 1, 1, 8, 3, {4, 4}, 16, {2, 2}, true};
  const Fno fno(s, grid);
  for (const Factorization f : {Factorization::Cp, Factorization::Tucker}) {
    s.factorization = f;
    s.rank = 0.1;
    const Fno tfno(s, grid);
    const long dense_layer = fno.spectral(0).parameter_count();
    const long layer = tfno.spectral(0).parameter_count();
    EXPECT_EQ(tfno.parameter_count(), fno.parameter_count() - s.layers * (dense_layer - layer));
    for (int l = 1; l < s.layers; ++l)
      EXPECT_EQ(tfno.spectral_offset(l), tfno.spectral_offset(l - 1) + layer);
    const std::string summary = tfno.summary();
    std::printf("%s\n", summary.c_str());
    EXPECT_EQ(summary.rfind("TFNO-2D", 0), 0u) << summary;
    EXPECT_NE(summary.find(f == Factorization::Cp ? "CP rank 0.1" : "Tucker rank 0.1"),
              std::string::npos)
        << summary;
    EXPECT_NE(summary.find("compression"), std::string::npos) << summary;
  }
  EXPECT_EQ(fno.summary().find("compression"), std::string::npos);
}

}  // namespace
