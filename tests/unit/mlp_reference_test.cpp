// The MLP's output jets (value, gradient, Laplacian: what the PINN losses read) on thousands of
// points, for one network and for subdomain networks stacked in one batch as the XPINN and FBPINN
// losses run them, against a plain host reference written here from the same flat parameter
// vector: scalar loops, the full Hessian carried through every layer with the activations'
// derivatives by hand (std::tanh, std::sin, std::erf), so it shares neither the GEMMs, the
// forward-Laplacian stream nor the kernels of nn/mlp.cpp. This is the check that a backend
// (OpenMP threads, a GPU) computes the same network as the host, as PETSc's ex3k checks its
// device residual against a CPU version.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "../deeponet_reference.hpp"
#include "../host_vectors.hpp"
#include "nn/mlp.hpp"
#include "nn/stacked_gemm.hpp"

#include <Kokkos_Random.hpp>

namespace {

using namespace tessera;
using namespace tessera::nn;

/// sigma, sigma', sigma'' of the hidden activation, by hand.
void host_activation(Activation a, double z, double& s, double& d1, double& d2) {
  switch (a) {
    case Activation::Tanh:
      s = std::tanh(z);
      d1 = 1.0 - s * s;
      d2 = -2.0 * s * d1;
      return;
    case Activation::Sin:
      s = std::sin(z);
      d1 = std::cos(z);
      d2 = -s;
      return;
    default: {  // GELU z Phi(z): Phi' = phi, phi' = -z phi
      const double phi = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
      const double Phi = 0.5 * std::erfc(-z / std::sqrt(2.0));
      s = z * Phi;
      d1 = Phi + z * phi;
      d2 = (2.0 - z * z) * phi;
    }
  }
}

/// Output jets of one network of shape s (parameters from flat[offset], Mlp's layout: per layer W
/// column-major fan_out x fan_in, then b) at the point x: [output][stream] with the streams of
/// JetOrder::Laplacian, the Laplacian summed over the first lap_dims inputs.
std::vector<std::vector<double>> host_jets(const std::vector<double>& flat, long offset,
                                           const MlpShape& s, const std::vector<double>& x,
                                           int lap_dims) {
  const int d = s.inputs;
  // Value a[k], gradient g[k][i], Hessian h[k][i][j] of every feature k of the layer input.
  std::vector<double> a = x;
  std::vector<std::vector<double>> g(d, std::vector<double>(d, 0.0));
  std::vector<std::vector<std::vector<double>>> h(
      d, std::vector<std::vector<double>>(d, std::vector<double>(d, 0.0)));
  for (int i = 0; i < d; ++i) g[i][i] = 1.0;
  for (int l = 0; l <= s.depth; ++l) {
    const int in = static_cast<int>(a.size()), out = l == s.depth ? s.outputs : s.width;
    const auto w = [&](int o, int k) { return flat[offset + long(k) * out + o]; };
    std::vector<double> za(out);
    std::vector<std::vector<double>> zg(out, std::vector<double>(d, 0.0));
    std::vector<std::vector<std::vector<double>>> zh(
        out, std::vector<std::vector<double>>(d, std::vector<double>(d, 0.0)));
    for (int o = 0; o < out; ++o) {
      za[o] = flat[offset + long(in) * out + o];
      for (int k = 0; k < in; ++k) {
        za[o] += w(o, k) * a[k];
        for (int i = 0; i < d; ++i) {
          zg[o][i] += w(o, k) * g[k][i];
          for (int j = 0; j < d; ++j) zh[o][i][j] += w(o, k) * h[k][i][j];
        }
      }
      if (l == s.depth) continue;  // the output layer is affine
      double v, d1, d2;
      host_activation(s.activation, za[o], v, d1, d2);
      for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j) zh[o][i][j] = d2 * zg[o][i] * zg[o][j] + d1 * zh[o][i][j];
      for (int i = 0; i < d; ++i) zg[o][i] *= d1;
      za[o] = v;
    }
    offset += long(in) * out + out;
    a = std::move(za);
    g = std::move(zg);
    h = std::move(zh);
  }
  std::vector<std::vector<double>> jets(s.outputs, std::vector<double>(d + 2, 0.0));
  for (int o = 0; o < s.outputs; ++o) {
    jets[o][0] = a[o];
    for (int i = 0; i < d; ++i) jets[o][gradient_stream(i)] = g[o][i];
    for (int i = 0; i < lap_dims; ++i) jets[o][laplacian_stream(d)] += h[o][i][i];
  }
  return jets;
}

/// Glorot weights plus a perturbation of every parameter (non-zero, distinct biases, so that a
/// wrong bias offset or a wrong network's block shows).
void randomize(const Vector& parameters, std::uint64_t seed) {
  auto v = test::to_host(parameters);
  const auto r = test::random_vector(v.size(), seed);
  for (size_t k = 0; k < v.size(); ++k) v[k] += 0.2 * r[k];
  Kokkos::deep_copy(parameters, test::to_device(v));
}

/// Worst error of the device jets (out, rows b S N + s N + p) of `blocks` networks at every
/// order's streams against the host reference, per output and stream relative to that stream's
/// largest reference value over the points.
struct Comparison {
  double worst = 0.0;
  std::string where;
};

void compare_block(const Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace>& out,
                   const std::vector<std::vector<std::vector<double>>>& expected, int block,
                   JetOrder order, int n, Comparison& c) {
  const int outputs = static_cast<int>(expected[0].size());
  const int dim = static_cast<int>(expected[0][0].size()) - 2;
  const int streams = stream_count(order, dim);
  for (int o = 0; o < outputs; ++o)
    for (int st = 0; st < streams; ++st) {
      double scale = 0.0, error = 0.0;
      for (int p = 0; p < n; ++p) {
        const double e = expected[p][o][st];
        scale = std::max(scale, std::abs(e));
        error = std::max(error, std::abs(out((long(block) * streams + st) * n + p, o) - e));
      }
      ASSERT_GT(scale, 1e-3) << "stream " << st << " vanishes: the comparison would be empty";
      if (error / scale > c.worst) {
        c.worst = error / scale;
        c.where = "network " + std::to_string(block) + ", jet order " +
                  std::to_string(static_cast<int>(order)) + ", output " + std::to_string(o) +
                  ", stream " + std::to_string(st);
      }
    }
}

// GEMMs over widths of 16 to 32 and the Laplacian stream's cancellation (s'' |grad z|^2 against
// s' z_lap) leave the device jets within a few 1e-15 of the host reference, relative to each
// stream's size: worst measured 6.3e-15 on OpenBLAS (1 or 2 threads, its Sandybridge and Prescott
// kernels) and netlib's reference BLAS. 1e-12 leaves two decades for a GPU's fused multiply-adds
// and other summation orders, while a wrong term (a missing s'' |grad z|^2, a wrong bias offset,
// another network's weights) is O(1).
constexpr double kTolerance = 1e-12;
constexpr int kPoints = 4096;

struct Case {
  const char* name;
  MlpShape shape;
  int laplacian_dims;  // 0: all inputs
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MlpAgainstHost : public ::testing::TestWithParam<Case> {};

TEST_P(MlpAgainstHost, JetsOnThousandsOfPoints) {
  const auto& [name, shape, laplacian_dims] = GetParam();
  Mlp net(shape);
  net.initialize_glorot(7);
  randomize(net.parameters(), 8);
  const int d = shape.inputs, lap = laplacian_dims > 0 ? laplacian_dims : d;
  const Matrix x = test::random_matrix(d, kPoints, 9);
  const auto flat = test::to_host(net.parameters());
  const auto xh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  std::vector<std::vector<std::vector<double>>> expected(kPoints);
  for (int p = 0; p < kPoints; ++p) {
    std::vector<double> point(d);
    for (int i = 0; i < d; ++i) point[i] = xh(i, p);
    expected[p] = host_jets(flat, 0, shape, point, lap);
  }
  Comparison c;
  for (JetOrder order : {JetOrder::Value, JetOrder::Gradient, JetOrder::Laplacian}) {
    MlpWorkspace ws;
    net.prepare(ws, order, kPoints, laplacian_dims);
    net.forward(x, ws);
    compare_block(Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output()), expected,
                  0, order, kPoints, c);
  }
  std::printf("%s: worst relative error against the host reference %.2e (%s)\n", name, c.worst,
              c.where.c_str());
  RecordProperty("max_relative_error", test::scientific(c.worst));
  EXPECT_LT(c.worst, kTolerance) << c.where;
}

// The PINN networks: 2D and 3D Poisson, 3D heat in (x, y, z, t) with the spatial Laplacian,
// Burgers in (x, t) with u_xx, Kovasznay's (u, v, p), and the other activations.
INSTANTIATE_TEST_SUITE_P(
    Networks, MlpAgainstHost,
    ::testing::Values(Case{"poisson2d_tanh", {2, 1, 32, 3, Activation::Tanh}, 0},
                      Case{"poisson3d_tanh", {3, 1, 20, 3, Activation::Tanh}, 0},
                      Case{"heat3d_time_tanh", {4, 1, 16, 3, Activation::Tanh}, 3},
                      Case{"burgers_tanh", {2, 1, 20, 4, Activation::Tanh}, 1},
                      Case{"kovasznay_tanh", {2, 3, 24, 3, Activation::Tanh}, 0},
                      Case{"poisson2d_sin", {2, 1, 24, 3, Activation::Sin}, 0},
                      Case{"poisson2d_gelu", {2, 1, 24, 3, Activation::Gelu}, 0}),
    [](const auto& info) { return std::string(info.param.name); });

class StackedAgainstHost : public ::testing::TestWithParam<Case> {};

// Six subdomain networks with 1024 points each in one batch, as the XPINN / FBPINN losses stack
// them: block k against network k's parameter block evaluated alone on the host.
TEST_P(StackedAgainstHost, EveryNetworkOfTheBatch) {
  const auto& [name, shape, laplacian_dims] = GetParam();
  const int count = 6, n = 1024;
  StackedMlp nets(shape, count);
  nets.initialize_glorot({31, 32, 33, 34, 35, 36});
  randomize(nets.parameters(), 37);
  const int d = shape.inputs, lap = laplacian_dims > 0 ? laplacian_dims : d;
  const Matrix x = test::random_matrix(d, long(count) * n, 38);
  const auto flat = test::to_host(nets.parameters());
  const auto xh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  Comparison c;
  for (JetOrder order : {JetOrder::Value, JetOrder::Gradient, JetOrder::Laplacian}) {
    MlpWorkspace ws;
    nets.prepare(ws, order, n, laplacian_dims);
    nets.forward(x, ws);
    const auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    for (int k = 0; k < count; ++k) {
      std::vector<std::vector<std::vector<double>>> expected(n);
      for (int p = 0; p < n; ++p) {
        std::vector<double> point(d);
        for (int i = 0; i < d; ++i) point[i] = xh(i, long(k) * n + p);
        expected[p] = host_jets(flat, k * nets.parameters_per_network(), shape, point, lap);
      }
      compare_block(out, expected, k, order, n, c);
    }
  }
  std::printf("%s x %d: worst relative error against the host reference %.2e (%s)\n", name, count,
              c.worst, c.where.c_str());
  RecordProperty("max_relative_error", test::scientific(c.worst));
  EXPECT_LT(c.worst, kTolerance) << c.where;
}

// The subdomain networks of the decks: 1D, 2D and 3D Poisson, Burgers' (x, t) with u_xx, the
// Navier–Stokes decks' three outputs.
INSTANTIATE_TEST_SUITE_P(Subdomains, StackedAgainstHost,
                         ::testing::Values(Case{"poisson1d", {1, 1, 20, 2, Activation::Tanh}, 0},
                                           Case{"poisson2d", {2, 1, 16, 2, Activation::Tanh}, 0},
                                           Case{"poisson3d", {3, 1, 16, 2, Activation::Tanh}, 0},
                                           Case{"burgers", {2, 1, 16, 3, Activation::Tanh}, 1},
                                           Case{"kovasznay", {2, 3, 16, 3, Activation::Tanh}, 0}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

namespace {

/// The batched team GEMM of the stacked networks' layers (the path a device build takes) and the
/// per-block BLAS GEMMs (the host path), each against scalar loops, for the three products a
/// layer's forward and reverse passes take, on blocks whose rows are no multiple of the tile.
TEST(StackedGemm, BatchedTeamKernelAndPerBlockBlasMatchScalarLoops) {
  constexpr int blocks = 3, fan_in = 5, fan_out = 7;
  constexpr long rows = 70;
  Matrix x("x", blocks * rows, fan_in), zbar("zbar", blocks * rows, fan_out);
  Vector flat("flat", blocks * 2L * fan_out * fan_in);
  Kokkos::Random_XorShift64_Pool<> pool(17);
  Kokkos::fill_random(x, pool, -1.0, 1.0);
  Kokkos::fill_random(zbar, pool, -1.0, 1.0);
  Kokkos::fill_random(flat, pool, -1.0, 1.0);
  const long stride = 2L * fan_out * fan_in;
  const WeightBlocks w{flat.data(), stride, 0, fan_out, fan_in};
  const auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  const auto hz = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), zbar);
  const auto hw = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), flat);
  auto weight = [&](int b, int o, int i) { return hw(b * stride + o + long(fan_out) * i); };
  auto worst = [](const auto& got, const auto& expected) {
    const auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), got);
    double e = 0;
    for (size_t i = 0; i < h.extent(0); ++i)
      for (size_t j = 0; j < h.extent(1); ++j) e = std::max(e, std::abs(h(i, j) - expected(i, j)));
    return e;
  };
  for (int path = 0; path < 2; ++path) {
    const bool batched = path == 1;
    SCOPED_TRACE(batched ? "batched team GEMM" : "per-block BLAS");
    // The path under test, the transpositions as tags.
    const auto gemm = [batched](auto ta, auto tb, auto&&... args) {
      using TA = decltype(ta);
      using TB = decltype(tb);
      if (batched)
        stacked_gemm_batched<TA, TB>(args...);
      else
        stacked_gemm_blas<TA, TB>(args...);
    };
    // Forward: Z_b = X_b W_b^T.
    Matrix z("z", blocks * rows, fan_out);
    gemm(Trans::NoTranspose(), Trans::Transpose(), blocks, 0.0, RowBlocks{x, rows}, w,
         RowBlocks{z, rows});
    EXPECT_LT(worst(z,
                    [&](long r, int o) {
                      const int b = static_cast<int>(r / rows);
                      double s = 0;
                      for (int i = 0; i < fan_in; ++i) s += hx(r, i) * weight(b, o, i);
                      return s;
                    }),
              1e-14);
    // Reverse, input adjoint: X̄_b = Z̄_b W_b.
    Matrix xbar("xbar", blocks * rows, fan_in);
    gemm(Trans::NoTranspose(), Trans::NoTranspose(), blocks, 0.0, RowBlocks{zbar, rows}, w,
         RowBlocks{xbar, rows});
    EXPECT_LT(worst(xbar,
                    [&](long r, int i) {
                      const int b = static_cast<int>(r / rows);
                      double s = 0;
                      for (int o = 0; o < fan_out; ++o) s += hz(r, o) * weight(b, o, i);
                      return s;
                    }),
              1e-14);
    // Reverse, weight gradient accumulated onto 1: G_b += Z̄_b^T X_b (stored after the weights).
    Vector g("g", flat.extent(0));
    Kokkos::deep_copy(g, 1.0);
    const WeightBlocks gw{g.data(), stride, long(fan_out) * fan_in, fan_out, fan_in};
    gemm(Trans::Transpose(), Trans::NoTranspose(), blocks, 1.0, RowBlocks{zbar, rows},
         RowBlocks{x, rows}, gw);
    const auto hg = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g);
    double e = 0;
    for (int b = 0; b < blocks; ++b)
      for (int o = 0; o < fan_out; ++o)
        for (int i = 0; i < fan_in; ++i) {
          double s = 1.0;
          for (long p = 0; p < rows; ++p) s += hz(b * rows + p, o) * hx(b * rows + p, i);
          e = std::max(
              e, std::abs(hg(b * stride + long(fan_out) * fan_in + o + long(fan_out) * i) - s));
        }
    EXPECT_LT(e, 1e-12);
    for (long k = 0; k < long(fan_out) * fan_in; ++k) EXPECT_EQ(hg(k), 1.0);  // weights untouched
  }
}

}  // namespace
