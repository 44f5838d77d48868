// The Fourier Neural Operator (nn/fno) on one rank: forward against a plain host reference
// written here (naive loops for the pointwise layers, the direct DFT of spectral_reference.hpp
// for the Fourier layers, zero padding and cropping by index, the parameters read in the
// documented torch order), in 2D and 3D, with and without padding and grid coordinates; the
// parameter and input gradients against central differences on a random subset of every
// parameter block, with padding per dimension; the parameter count against the FNO code's closed
// form; FnoPadding's pad and crop as each other's adjoint, and padding 0 as no padding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "../host_vectors.hpp"
#include "../spectral_reference.hpp"
#include "core/error.hpp"
#include "nn/activation.hpp"
#include "nn/fno.hpp"
#include "nn/fno_padding.hpp"

namespace {

using tessera::nn::Fno;
using tessera::nn::FnoPadding;
using tessera::nn::FnoShape;
using tessera::nn::FnoWorkspace;
using tessera::nn::GridBlock;
using tessera::nn::Vector;
using tessera::test::central_difference;
using tessera::test::product;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::to_device;
using tessera::test::to_host;
using tessera::test::unflatten;

/// Where the documented layout puts each block, computed from the shape alone: fc0, conv_0..L-1,
/// w_0..L-1, fc1, fc2 (torch's registration order).
struct Offsets {
  long lifting = 0, spectral_size = 0, total = 0;
  std::vector<long> spectral, pointwise;
  long fc1 = 0, fc2 = 0;
};

Offsets offsets(const FnoShape& s) {
  Offsets o;
  const long w = s.width, lift_in = s.in_channels + (s.grid_coordinates ? s.dims : 0);
  o.spectral_size = 2 * (1L << (s.dims - 1)) * w * w * product(s.modes);
  long at = lift_in * w + w;
  for (int l = 0; l < s.layers; ++l, at += o.spectral_size) o.spectral.push_back(at);
  for (int l = 0; l < s.layers; ++l, at += w * w + w) o.pointwise.push_back(at);
  o.fc1 = at;
  at += w * s.projection_width + s.projection_width;
  o.fc2 = at;
  o.total = at + long(s.projection_width) * s.out_channels + s.out_channels;
  return o;
}

double gelu(double z) { return 0.5 * z * (1.0 + std::erf(z / std::sqrt(2.0))); }

/// y[b][o][p] = sum_i W[o][i] x[b][i][p] + bias[o], W (out, in) in C order at theta[offset].
std::vector<double> pointwise(const std::vector<double>& theta, long offset, int in, int out,
                              const std::vector<double>& x, int batch, long points) {
  std::vector<double> y(size_t(batch * out * points));
  for (int b = 0; b < batch; ++b)
    for (int o = 0; o < out; ++o)
      for (long p = 0; p < points; ++p) {
        double sum = theta[size_t(offset + long(in) * out + o)];
        for (int i = 0; i < in; ++i)
          sum += theta[size_t(offset + long(o) * in + i)] * x[size_t((b * in + i) * points + p)];
        y[size_t((b * out + o) * points + p)] = sum;
      }
  return y;
}

/// Index of point p of grid in the grid padded by padding[d] at the end of dimension d.
long padded_index(long p, const std::vector<int>& grid, const std::vector<int>& padding) {
  const auto j = unflatten(p, grid);
  long q = 0;
  for (size_t d = 0; d < grid.size(); ++d) q = q * (grid[d] + padding[d]) + j[d];
  return q;
}

/// The FNO2d / FNO3d forward of the paper's code, by plain loops.
std::vector<double> reference_fno(const FnoShape& s, const std::vector<int>& grid,
                                  const std::vector<double>& theta, const std::vector<double>& x,
                                  int batch) {
  const Offsets off = offsets(s);
  const long n = product(grid);
  const int w = s.width, dims = s.dims;
  // [x, gridx, gridy(, gridz)], linspace(0, 1, n_d) along dimension d.
  const int lift_in = s.in_channels + (s.grid_coordinates ? dims : 0);
  std::vector<double> a(size_t(batch * lift_in * n));
  for (int b = 0; b < batch; ++b)
    for (int c = 0; c < lift_in; ++c)
      for (long p = 0; p < n; ++p) {
        double value;
        if (c < s.in_channels) {
          value = x[size_t((b * s.in_channels + c) * n + p)];
        } else {
          const int d = c - s.in_channels;
          value = double(unflatten(p, grid)[size_t(d)]) / (grid[size_t(d)] - 1);
        }
        a[size_t((b * lift_in + c) * n + p)] = value;
      }
  const auto lifted = pointwise(theta, 0, lift_in, w, a, batch, n);
  const std::vector<int> padding = s.padding.empty() ? std::vector<int>(grid.size(), 0) : s.padding;
  std::vector<int> padded_grid = grid;
  for (size_t d = 0; d < grid.size(); ++d) padded_grid[d] += padding[d];
  const long np = product(padded_grid);
  std::vector<double> h(size_t(batch * w * np), 0.0);
  for (long f = 0; f < long(batch) * w; ++f)
    for (long p = 0; p < n; ++p)
      h[size_t(f * np + padded_index(p, grid, padding))] = lifted[size_t(f * n + p)];
  const tessera::nn::SpectralConvShape spectral{w, w, padded_grid, s.modes};
  for (int l = 0; l < s.layers; ++l) {
    const auto begin = theta.begin() + off.spectral[size_t(l)];
    const std::vector<double> weights(begin, begin + off.spectral_size);
    const auto k = tessera::test::reference_spectral_conv(spectral, weights, h, batch);
    auto z = pointwise(theta, off.pointwise[size_t(l)], w, w, h, batch, np);
    for (size_t t = 0; t < z.size(); ++t) z[t] = l < s.layers - 1 ? gelu(z[t] + k[t]) : z[t] + k[t];
    h = z;
  }
  std::vector<double> cropped(size_t(batch * w * n));
  for (long f = 0; f < long(batch) * w; ++f)
    for (long p = 0; p < n; ++p)
      cropped[size_t(f * n + p)] = h[size_t(f * np + padded_index(p, grid, padding))];
  auto q = pointwise(theta, off.fc1, w, s.projection_width, cropped, batch, n);
  for (auto& v : q) v = gelu(v);
  return pointwise(theta, off.fc2, s.projection_width, s.out_channels, q, batch, n);
}

struct Case {
  FnoShape shape;
  std::vector<int> grid;
  std::string name;
};

std::vector<Case> cases() {
  // FnoShape{dims, in, out, width, layers, modes, projection_width, padding, grid_coordinates}
  return {
      {FnoShape{2, 2, 2, 4, 3, {2, 2}, 5, {}, true}, {7, 6}, "2D grid"},
      {FnoShape{2, 2, 2, 4, 3, {3, 2}, 5, {2, 2}, true}, {7, 6}, "2D grid, padding 2x2"},
      {FnoShape{2, 1, 3, 3, 2, {2, 3}, 4, {3, 3}, false}, {6, 5}, "2D, padding 3x3, no grid"},
      {FnoShape{2, 2, 1, 3, 2, {2, 2}, 4, {0, 0}, false}, {5, 8}, "2D, no grid"},
      {FnoShape{2, 1, 2, 3, 2, {3, 2}, 4, {3, 0}, true}, {6, 5}, "2D grid, padding 3x0"},
      {FnoShape{2, 2, 1, 3, 2, {2, 3}, 4, {0, 2}, false}, {5, 5}, "2D, padding 0x2, no grid"},
      {FnoShape{3, 2, 2, 3, 2, {2, 1, 2}, 4, {}, true}, {5, 4, 6}, "3D grid"},
      {FnoShape{3, 1, 2, 3, 2, {2, 2, 2}, 4, {2, 2, 2}, true}, {4, 3, 5}, "3D grid, padding 2x2x2"},
      {FnoShape{3, 2, 1, 2, 2, {1, 2, 2}, 3, {1, 1, 1}, false}, {4, 5, 3}, "3D, padding 1x1x1"},
      // The space-time FNO-3D's padding: the leading (time) axis only.
      {FnoShape{3, 2, 1, 3, 2, {2, 2, 2}, 4, {3, 0, 0}, true}, {4, 4, 5}, "3D grid, padding 3x0x0"},
      {FnoShape{3, 1, 1, 2, 2, {2, 2, 2}, 3, {0, 1, 2}, true}, {5, 4, 4}, "3D grid, padding 0x1x2"},
  };
}

std::vector<double> forward(const Fno& net, FnoWorkspace& ws, const std::vector<double>& x) {
  const long batch = long(x.size()) / (net.shape().in_channels * net.local_points());
  Vector y("y", size_t(batch * net.shape().out_channels * net.local_points()));
  net.forward(to_device(x, "x"), y, ws);
  return to_host(y);
}

TEST(Fno, LayoutIsTorchsRegistrationOrder) {
  for (const auto& c : cases()) {
    const Fno net(c.shape, c.grid);
    const Offsets o = offsets(c.shape);
    EXPECT_EQ(net.parameter_count(), o.total) << c.name;
    EXPECT_EQ(net.projection(0).offset, o.fc1) << c.name;
    EXPECT_EQ(net.projection(1).offset, o.fc2) << c.name;
    for (int l = 0; l < c.shape.layers; ++l) {
      EXPECT_EQ(net.spectral_offset(l), o.spectral[size_t(l)]) << c.name;
      EXPECT_EQ(net.pointwise(l).offset, o.pointwise[size_t(l)]) << c.name;
    }
  }
}

TEST(Fno, ForwardMatchesPlainReference) {
  const int batch = 2;
  double worst = 0;
  for (const auto& c : cases()) {
    Fno net(c.shape, c.grid);
    net.initialize(41);
    FnoWorkspace ws;
    const auto x = random_vector(size_t(batch * c.shape.in_channels * product(c.grid)), 43);
    const auto ref = reference_fno(c.shape, c.grid, to_host(net.parameters()), x, batch);
    const double err = relative_error(forward(net, ws, x), ref);
    EXPECT_LT(err, 1e-12) << c.name;
    // Again with the same workspace: nothing stale is reused.
    EXPECT_LT(relative_error(forward(net, ws, x), ref), 1e-12) << c.name;
    worst = std::max(worst, err);
    std::printf("%-28s forward vs reference: relative error %.3e\n", c.name.c_str(), err);
  }
  RecordProperty("max_relative_error", std::to_string(worst));
}

/// Up to count distinct random indices in [begin, end).
std::vector<size_t> sample(long begin, long end, int count, std::mt19937_64& rng) {
  std::vector<size_t> picked;
  std::uniform_int_distribution<long> u(begin, end - 1);
  for (int t = 0; t < count && long(picked.size()) < end - begin; ++t) {
    const auto k = size_t(u(rng));
    if (std::find(picked.begin(), picked.end(), k) == picked.end()) picked.push_back(k);
  }
  return picked;
}

TEST(Fno, GradientsMatchFiniteDifferences) {
  const int batch = 2;
  for (const auto& c : cases()) {
    const FnoShape& s = c.shape;
    Fno net(s, c.grid);
    net.initialize(51);
    FnoWorkspace ws;
    auto x = random_vector(size_t(batch * s.in_channels * product(c.grid)), 53);
    const auto r = random_vector(size_t(batch * s.out_channels * product(c.grid)), 54);
    auto theta = to_host(net.parameters());

    forward(net, ws, x);
    Vector gradient("gradient", size_t(net.parameter_count())), dx("dx", x.size());
    net.backward(to_device(r, "r"), gradient, ws, dx);
    const auto g = to_host(gradient), gx = to_host(dx);

    auto loss = [&]() {
      Kokkos::deep_copy(net.parameters(), to_device(theta));
      const auto y = forward(net, ws, x);
      double sum = 0;
      for (size_t t = 0; t < y.size(); ++t) sum += y[t] * r[t];
      return sum;
    };
    // A random subset of every block: fc0, each corner of each spectral layer, each w_l, fc1,
    // fc2.
    const Offsets o = offsets(s);
    std::mt19937_64 rng(7);
    std::vector<std::pair<std::string, std::vector<size_t>>> blocks;
    blocks.push_back({"fc0", sample(0, o.spectral[0], 4, rng)});
    const long corners = 1L << (s.dims - 1), corner = o.spectral_size / corners;
    for (int l = 0; l < s.layers; ++l) {
      for (long j = 0; j < corners; ++j) {
        const long begin = o.spectral[size_t(l)] + j * corner;
        blocks.push_back({"conv" + std::to_string(l) + ".weights" + std::to_string(j + 1),
                          sample(begin, begin + corner, 3, rng)});
      }
      const long begin = o.pointwise[size_t(l)];
      blocks.push_back(
          {"w" + std::to_string(l), sample(begin, begin + s.width * s.width + s.width, 3, rng)});
    }
    blocks.push_back({"fc1", sample(o.fc1, o.fc2, 4, rng)});
    blocks.push_back({"fc2", sample(o.fc2, o.total, 3, rng)});
    std::vector<double> analytic, numeric;
    const double h = 1e-3;
    for (const auto& [name, indices] : blocks) {
      std::vector<double> a, n;
      for (size_t k : indices) {
        a.push_back(g[k]);
        n.push_back(central_difference(theta, k, loss, h));
      }
      const double err = relative_error(a, n);
      EXPECT_LT(err, 1e-6) << c.name << ", block " << name;
      analytic.insert(analytic.end(), a.begin(), a.end());
      numeric.insert(numeric.end(), n.begin(), n.end());
    }
    const double ep = relative_error(analytic, numeric);
    Kokkos::deep_copy(net.parameters(), to_device(theta));

    std::vector<double> ax, nx;
    for (size_t k : sample(0, long(x.size()), 12, rng)) {
      ax.push_back(gx[k]);
      nx.push_back(central_difference(x, k, loss, h));
    }
    const double ex = relative_error(ax, nx);
    EXPECT_LT(ep, 1e-6) << c.name;
    EXPECT_LT(ex, 1e-6) << c.name;
    std::printf("%-28s gradients vs differences: parameters %.3e (%zu), input %.3e\n",
                c.name.c_str(), ep, analytic.size(), ex);
  }
}

TEST(Fno, BackwardAccumulates) {
  const auto c = cases()[1];
  Fno net(c.shape, c.grid);
  net.initialize(3);
  FnoWorkspace ws;
  const auto x = random_vector(size_t(c.shape.in_channels * product(c.grid)), 1);
  const auto r = random_vector(size_t(c.shape.out_channels * product(c.grid)), 2);
  forward(net, ws, x);
  Vector gradient("gradient", size_t(net.parameter_count()));
  net.backward(to_device(r), gradient, ws);
  const auto once = to_host(gradient);
  net.backward(to_device(r), gradient, ws);
  auto twice = to_host(gradient);
  for (auto& v : twice) v *= 0.5;
  EXPECT_LT(relative_error(twice, once), 1e-14);
}

// The backward pass's GELU derivative (branch-free, through exp_in_range) against the closed form
// Phi(z) + z phi(z) with libm's erf and exp, from the activation the forward pass stores; and
// exp_in_range against libm over its range.
TEST(Fno, GeluDerivativeMatchesClosedForm) {
  using tessera::nn::Activation;
  double worst_exp = 0;
  for (int k = 0; k <= 20000; ++k) {
    const double x = -708.0 + 1417.0 * k / 20000.0;
    worst_exp = std::max(worst_exp, std::abs(tessera::nn::exp_in_range(x) / std::exp(x) - 1.0));
  }
  EXPECT_LT(worst_exp, 5e-16);
  double worst = 0;
  for (int k = 0; k <= 20000; ++k) {
    const double z = -40.0 + 80.0 * k / 20000.0;
    const double a = tessera::nn::activate(Activation::Gelu, z);
    const double exact = 0.5 * (1.0 + std::erf(z / std::sqrt(2.0))) +
                         z * std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
    worst = std::max(worst, std::abs(tessera::nn::gelu_derivative(z, a) - exact));
  }
  EXPECT_LT(worst, 1e-15);  // absolute: values in [-0.17, 1.13]
  EXPECT_EQ(tessera::nn::gelu_derivative(0.0, 0.0), 0.5);
  EXPECT_EQ(tessera::nn::gelu_derivative(1e300, 1e300), 1.0);
  EXPECT_NEAR(tessera::nn::gelu_derivative(-1e300, 0.0), 0.0, 1e-290);
  EXPECT_TRUE(std::isnan(tessera::nn::gelu_derivative(std::nan(""), std::nan(""))));
}

// The FNO code's count (utilities3.count_params: complex entries count twice):
//   (in + dims) w + w                       fc0
//   + L 2^(dims-1) 2 w^2 prod_d m_d          conv_l.weights*
//   + L (w^2 + w)                            w_l
//   + w P + P + P out + out                  fc1, fc2 (P = projection width)
TEST(Fno, ParameterCountIsTheReferenceFormula) {
  auto formula = [](long in, long out, long w, long layers, long dims, long modes, long p) {
    long corner = 1;
    for (int d = 0; d < dims; ++d) corner *= modes;
    return (in + dims) * w + w + layers * (1L << (dims - 1)) * 2 * w * w * corner +
           layers * (w * w + w) + w * p + p + p * out + out;
  };
  // FNO2d of the Darcy example: modes 12, width 32, a(x, y) and the two grid channels, padding 9.
  const Fno fno2d(FnoShape{2, 1, 1, 32, 4, {12, 12}, 128, {9, 9}, true}, {85, 85});
  std::printf("%s\n", fno2d.summary().c_str());
  EXPECT_EQ(fno2d.parameter_count(), formula(1, 1, 32, 4, 2, 12, 128));
  EXPECT_EQ(fno2d.parameter_count(), 2368001L);
  EXPECT_EQ(fno2d.summary(),
            "FNO-2D: width 32, 4 layers, modes 12x12, projection 128, padding 9x9, grid "
            "coordinates, 2,368,001 parameters");
  // FNO3d of the Navier-Stokes example: modes 8, width 20, 10 time steps and three grid channels.
  const Fno fno3d(FnoShape{3, 10, 1, 20, 4, {8, 8, 8}, 128, {}, true}, {16, 16, 16});
  std::printf("%s\n", fno3d.summary().c_str());
  EXPECT_EQ(fno3d.parameter_count(), formula(10, 1, 20, 4, 3, 8, 128));
  EXPECT_EQ(fno3d.parameter_count(), 6558377L);
  // The paper's 6,558,537 (ANCHORS.md) counts, beyond these, the affine scale and shift of the four
  // BatchNorm3d(width) modules its fourier_3d.py declares (bn0..bn3: 2 x 20 each), which the
  // released forward pass does not apply; Tessera's FNO has no normalisation layer.
  EXPECT_EQ(fno3d.parameter_count() + 4 * 2 * 20, 6558537L);
  // One Fourier layer reduces batch K width complex numbers each way, K = 2 m1 m2.
  EXPECT_EQ(fno2d.bytes_per_layer(3).forward, 16L * 3 * (2 * 12 * 12) * 32);
  EXPECT_EQ(fno2d.bytes_per_layer(3).backward, 16L * 3 * (2 * 12 * 12) * 32);
}

TEST(Fno, ShapesThatDoNotFitThrow) {
  EXPECT_THROW(Fno(FnoShape{4, 1, 1, 4, 2, {2, 2, 2, 2}, 4, {}, true}, {8, 8, 8, 8}),
               tessera::Error);
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 0, 2, {2, 2}, 4, {}, true}, {8, 8}), tessera::Error);
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 2, {2, 2}, 4, {-1, -1}, true}, {8, 8}), tessera::Error);
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 2, {2, 2}, 4, {0, -1}, true}, {8, 8}), tessera::Error);
  // One count per dimension, not one for all.
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 2, {2, 2}, 4, {2}, true}, {8, 8}), tessera::Error);
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 2, {2, 2}, 4, {2, 2, 2}, true}, {8, 8}), tessera::Error);
  // 5 modes need 10 points: 8 + padding 2 fit, 8 alone does not, nor padding of the other axis.
  EXPECT_NO_THROW(Fno(FnoShape{2, 1, 1, 4, 1, {5, 2}, 4, {2, 2}, true}, {8, 8}));
  EXPECT_NO_THROW(Fno(FnoShape{2, 1, 1, 4, 1, {5, 2}, 4, {2, 0}, true}, {8, 8}));
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 1, {5, 2}, 4, {0, 2}, true}, {8, 8}), tessera::Error);
  EXPECT_THROW(Fno(FnoShape{2, 1, 1, 4, 1, {5, 2}, 4, {}, true}, {8, 8}), tessera::Error);
}

// <pad x, y> = <x, crop y> on whole grids and on blocks at the padded ends and away from them
// (pad zeroes the padded points, so the products agree to round-off of the sums alone), pad puts
// every value at its place, and crop(pad x) = x exactly.
TEST(FnoPadding, CropIsTheAdjointOfPad) {
  struct Block {
    std::vector<int> grid, padding;
    GridBlock block;
  };
  const std::vector<Block> blocks{
      {{7, 6}, {3, 0}, {{0, 0}, {7, 6}}},
      {{7, 6}, {0, 2}, {{0, 0}, {7, 6}}},
      {{7, 6}, {2, 3}, {{4, 0}, {3, 4}}},  // the end of dimension 0 only
      {{7, 6}, {2, 3}, {{0, 2}, {4, 4}}},  // the end of dimension 1 only
      {{7, 6}, {2, 3}, {{0, 0}, {4, 4}}},  // neither end: nothing padded here
      {{4, 5, 6}, {6, 0, 0}, {{0, 0, 0}, {4, 5, 6}}},
      {{4, 5, 6}, {1, 2, 3}, {{1, 2, 3}, {3, 3, 3}}},
  };
  const int fields = 3;
  for (const auto& b : blocks) {
    const FnoPadding padding(b.grid, b.block, b.padding);
    long expected = 1;
    for (size_t d = 0; d < b.grid.size(); ++d)
      expected *= b.block.extent[d] +
                  (b.block.offset[d] + b.block.extent[d] == b.grid[d] ? b.padding[d] : 0);
    ASSERT_EQ(padding.padded_points, expected);
    const auto x = random_vector(size_t(fields * padding.local_points), 81);
    const auto y = random_vector(size_t(fields * padding.padded_points), 82);
    Vector padded("padded", y.size()), cropped("cropped", x.size());
    tessera::nn::pad_points(padding, to_device(x), padded);
    tessera::nn::crop_points(padding, to_device(y), cropped);
    const auto px = to_host(padded), cy = to_host(cropped);
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t t = 0; t < y.size(); ++t) lhs += px[t] * y[t];
    for (size_t t = 0; t < x.size(); ++t) {
      rhs += x[t] * cy[t];
      scale += std::abs(x[t] * cy[t]);
    }
    EXPECT_LE(std::abs(lhs - rhs), 1e-14 * scale) << padding.padded_points << " padded points";
    // The values at their places (the unpadded block's C order inside the padded one), 0 else.
    double sum_padded = 0, sum_x = 0;
    for (const double v : px) sum_padded += std::abs(v);
    for (const double v : x) sum_x += std::abs(v);
    EXPECT_EQ(sum_padded, sum_x);
    Vector back("back", x.size());
    tessera::nn::crop_points(padding, padded, back);
    EXPECT_EQ(to_host(back), x);
  }
  EXPECT_THROW(FnoPadding({7, 6}, GridBlock{{0, 0}, {7, 6}}, {1, -1}), tessera::Error);
  EXPECT_THROW(FnoPadding({7, 6}, GridBlock{{0, 0}, {7, 6}}, {1}), tessera::Error);
}

// Padding 0 in every dimension is the unpadded network, bit for bit: outputs, parameter and
// input gradients; and a padded network differs (the test can fail).
TEST(Fno, PaddingZeroIsTheUnpaddedNetwork) {
  for (const std::vector<int>& grid : {std::vector<int>{7, 6}, std::vector<int>{4, 5, 6}}) {
    const int dims = int(grid.size());
    auto shape = [&](std::vector<int> padding) {
      return FnoShape{dims, 2, 1, 3, 2, std::vector<int>(size_t(dims), 2), 4, padding, true};
    };
    const int batch = 2;
    const auto x = random_vector(size_t(batch * 2 * product(grid)), 91);
    const auto r = random_vector(size_t(batch * product(grid)), 92);
    auto pass = [&](const FnoShape& s) {
      Fno net(s, grid);
      net.initialize(93);
      FnoWorkspace ws;
      const auto y = forward(net, ws, x);
      Vector gradient("gradient", size_t(net.parameter_count())), dx("dx", x.size());
      net.backward(to_device(r), gradient, ws, dx);
      return std::vector<std::vector<double>>{y, to_host(gradient), to_host(dx)};
    };
    const auto none = pass(shape({}));
    EXPECT_EQ(pass(shape(std::vector<int>(size_t(dims), 0))), none);
    std::vector<int> one(size_t(dims), 0);
    one.front() = 1;
    EXPECT_NE(pass(shape(one))[0], none[0]);
    EXPECT_EQ(Fno(shape(std::vector<int>(size_t(dims), 0)), grid).summary().find("padding"),
              std::string::npos);
    EXPECT_NE(Fno(shape(one), grid).summary().find(dims == 2 ? "padding 1x0" : "padding 1x0x0"),
              std::string::npos);
  }
}

}  // namespace
