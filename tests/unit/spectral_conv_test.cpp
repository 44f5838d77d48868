// The FNO spectral convolution (nn/spectral_conv) on one rank: forward against a direct O(N^2)
// DFT reference written here (numpy's rfftn / irfftn semantics and the FNO code's corner
// slicing), a single kept cosine mode against its closed form, input and weight gradients
// against central differences, and the Nyquist check.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "../host_vectors.hpp"
#include "../spectral_reference.hpp"
#include "core/error.hpp"
#include "nn/spectral_conv.hpp"

namespace {

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

TEST(SpectralConv, ForwardMatchesDirectDft) {
  const std::vector<Shape> cases = {
      Shape{2, 3, {8, 6}, {3, 2}},       Shape{2, 3, {8, 6}, {4, 4}},
      Shape{2, 3, {7, 9}, {2, 3}},       Shape{2, 3, {7, 9}, {3, 5}},
      Shape{2, 3, {6, 5, 8}, {2, 2, 3}}, Shape{2, 3, {6, 5, 8}, {3, 2, 5}},
      Shape{2, 3, {5, 7, 6}, {1, 3, 4}}};
  const int batch = 2;
  double worst = 0;
  for (const auto& s : cases) {
    SpectralConv layer(s);
    layer.initialize(7);
    SpectralConvWorkspace ws;
    const auto x = random_vector(size_t(batch * s.in_channels * product(s.grid)), 11);
    const auto y = forward(layer, ws, x, batch);
    const auto ref =
        tessera::test::reference_spectral_conv(s, to_host(layer.parameters()), x, batch);
    const double err = relative_error(y, ref);
    worst = std::max(worst, err);
    EXPECT_LT(err, 1e-12) << "grid " << s.grid.size() << "D, first extent " << s.grid[0];
    // A second call with the same workspace gives the same output (nothing stale in ws).
    EXPECT_LT(relative_error(forward(layer, ws, x, batch), ref), 1e-12);
  }
  RecordProperty("max_relative_error", std::to_string(worst));
  std::printf("forward vs direct DFT: max relative error %.3e\n", worst);
}

// x = cos(2 pi (k1 j1 / n1 + k2 j2 / n2)) has X(k) = N/2 at the stored half-spectrum mode k
// (k2 > 0), so y = (1/N) 2 Re(W N/2 e^{i theta}) = Re W cos(theta) - Im W sin(theta).
TEST(SpectralConv, SingleCosineModeHasClosedForm) {
  const int n1 = 8, n2 = 6;
  const auto s = Shape{1, 1, {n1, n2}, {3, 3}};
  SpectralConv layer(s);
  layer.initialize(3);
  const auto w = to_host(layer.parameters());
  SpectralConvWorkspace ws;
  struct Mode {
    int k1, k2, corner, a1;
  };
  // k1 = 2 is in the positive corner (a1 = 2); k1 = 6 = n1 - 2 in the negative one (a1 = 1).
  for (const Mode mode : {Mode{2, 1, 0, 2}, Mode{6, 2, 1, 1}}) {
    std::vector<double> x(size_t(n1 * n2)), expected(x.size());
    const size_t wi = size_t(2 * ((mode.corner * 3 + mode.a1) * 3 + mode.k2));
    for (int j1 = 0; j1 < n1; ++j1)
      for (int j2 = 0; j2 < n2; ++j2) {
        const double theta = 2 * M_PI * (double(mode.k1) * j1 / n1 + double(mode.k2) * j2 / n2);
        x[size_t(j1 * n2 + j2)] = std::cos(theta);
        expected[size_t(j1 * n2 + j2)] = w[wi] * std::cos(theta) - w[wi + 1] * std::sin(theta);
      }
    const auto y = forward(layer, ws, x, 1);
    double err = 0;
    for (size_t p = 0; p < y.size(); ++p) err = std::max(err, std::abs(y[p] - expected[p]));
    EXPECT_LT(err, 1e-13) << "mode (" << mode.k1 << ", " << mode.k2 << ")";
    std::printf("cosine mode (%d, %d): max abs error %.3e\n", mode.k1, mode.k2, err);
  }
}

// L = sum(y .* r) is linear in x and in W: the central differences are exact but for round-off.
TEST(SpectralConv, GradientsMatchFiniteDifferences) {
  const int batch = 2;
  for (const auto& s : {Shape{2, 2, {5, 6}, {2, 3}}, Shape{2, 2, {4, 3, 5}, {2, 1, 3}}}) {
    SpectralConv layer(s);
    layer.initialize(5);
    SpectralConvWorkspace ws;
    auto x = random_vector(size_t(batch * s.in_channels * product(s.grid)), 21);
    const auto r = random_vector(size_t(batch * s.out_channels * product(s.grid)), 22);
    auto w = to_host(layer.parameters());

    forward(layer, ws, x, batch);
    Vector dx("dx", x.size()), gradient("gradient", size_t(layer.parameter_count()));
    layer.backward(to_device(r, "r"), dx, gradient, ws);
    const auto input_gradient = to_host(dx), weight_gradient = to_host(gradient);

    auto loss = [&]() {
      Kokkos::deep_copy(layer.parameters(), to_device(w));
      return dot(forward(layer, ws, x, batch), r);
    };
    const double h = 1e-3;
    const double ex = relative_error(input_gradient, finite_differences(x, loss, h));
    const double ew = relative_error(weight_gradient, finite_differences(w, loss, h));
    EXPECT_LT(ex, 1e-6);
    EXPECT_LT(ew, 1e-6);
    std::printf("%zuD gradients vs central differences: input %.3e, weights %.3e\n", s.grid.size(),
                ex, ew);
  }
}

// Dense and factorised (TFNO) weights alike.
TEST(SpectralConv, BackwardAccumulatesWeightGradient) {
  using tessera::nn::Factorization;
  for (const auto f : {Factorization::Dense, Factorization::Cp, Factorization::Tucker}) {
    auto s = Shape{1, 2, {6, 4}, {2, 2}};
    s.factorization = f;
    s.rank = 0.5;
    SpectralConv layer(s);
    layer.initialize(9);
    SpectralConvWorkspace ws;
    const auto x = random_vector(size_t(s.in_channels * 24), 1);
    const auto r = random_vector(size_t(s.out_channels * 24), 2);
    forward(layer, ws, x, 1);
    Vector dx("dx", x.size()), gradient("gradient", size_t(layer.parameter_count()));
    layer.backward(to_device(r), dx, gradient, ws);
    const auto once = to_host(gradient);
    layer.backward(to_device(r), dx, gradient, ws);
    auto twice = to_host(gradient);
    for (auto& g : twice) g *= 0.5;
    EXPECT_LT(relative_error(twice, once), 1e-14) << to_string(f);
  }
}

TEST(SpectralConv, ModesAboveNyquistThrow) {
  auto message = [](const Shape& s) -> std::string {
    try {
      SpectralConv layer(s);
    } catch (const tessera::Error& e) {
      return e.message();
    }
    return "";
  };
  EXPECT_EQ(message(Shape{2, 3, {8, 6}, {4, 4}}), "");
  EXPECT_EQ(message(Shape{2, 3, {7, 9}, {3, 5}}), "");
  for (const auto& s :
       {Shape{2, 3, {8, 6}, {5, 2}}, Shape{2, 3, {8, 6}, {2, 5}}, Shape{2, 3, {7, 9}, {4, 2}},
        Shape{2, 3, {6, 5, 8}, {2, 3, 2}}, Shape{2, 3, {6, 5, 8}, {2, 2, 6}}}) {
    const std::string m = message(s);
    EXPECT_NE(m.find("Nyquist"), std::string::npos) << m;
    EXPECT_NE(m.find("modes"), std::string::npos) << m;
  }
  EXPECT_THROW(SpectralConv(Shape{2, 3, {8, 6, 4, 4}, {1, 1, 1, 1}}), tessera::Error);
}

}  // namespace
