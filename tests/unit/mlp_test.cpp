// The MLP's jets and reverse pass against central finite differences, for every activation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/error.hpp"
#include "nn/mlp.hpp"

namespace {

using namespace tessera::nn;

constexpr int kDim = 2;
constexpr int kPoints = 5;

Matrix random_points(std::uint64_t seed) {
  Matrix x("x", kDim, kPoints);
  auto h = Kokkos::create_mirror_view(x);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int p = 0; p < kPoints; ++p)
    for (int i = 0; i < kDim; ++i) h(i, p) = u(rng);
  Kokkos::deep_copy(x, h);
  return x;
}

/// Output jets on the host: [stream][point] for output 0.
std::vector<std::vector<double>> jets(const Mlp& net, const Matrix& x, JetOrder order,
                                      int laplacian_dims = 0) {
  MlpWorkspace ws;
  net.prepare(ws, order, static_cast<int>(x.extent(1)), laplacian_dims);
  net.forward(x, ws);
  auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
  const int n = ws.points;
  std::vector<std::vector<double>> r(ws.streams, std::vector<double>(n));
  for (int s = 0; s < ws.streams; ++s)
    for (int p = 0; p < n; ++p) r[s][p] = out(s * n + p, 0);
  return r;
}

double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return std::sqrt(num / den);
}

Matrix shifted(const Matrix& x, int i, double h) {
  Matrix y("y", x.extent(0), x.extent(1));
  Kokkos::deep_copy(y, x);
  auto hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), y);
  for (size_t p = 0; p < y.extent(1); ++p) hy(i, p) += h;
  Kokkos::deep_copy(y, hy);
  return y;
}

/// Central differences of loss() with respect to every parameter of net (restored afterwards).
template <class Loss>
std::vector<double> finite_difference_gradient(Mlp& net, const Loss& loss, double h = 1e-6) {
  auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.parameters());
  std::vector<double> numeric(hp.extent(0));
  for (size_t k = 0; k < hp.extent(0); ++k) {
    const double saved = hp(k);
    hp(k) = saved + h;
    Kokkos::deep_copy(net.parameters(), hp);
    const double lp = loss();
    hp(k) = saved - h;
    Kokkos::deep_copy(net.parameters(), hp);
    const double lm = loss();
    hp(k) = saved;
    numeric[k] = (lp - lm) / (2 * h);
  }
  Kokkos::deep_copy(net.parameters(), hp);
  return numeric;
}

std::vector<double> to_host(const Vector& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

/// The value, gradient and Laplacian streams (the Laplacian summed over the first laplacian_dims
/// inputs, 0: all) against central differences of the exact lower-order streams.
void check_input_derivatives(const MlpShape& shape, int laplacian_dims = 0) {
  Mlp net(shape);
  net.initialize_glorot(11);
  const Matrix x = random_points(3);
  const auto u = jets(net, x, JetOrder::Laplacian, laplacian_dims);
  // The value stream of the Value and Laplacian jets is the same function.
  EXPECT_LT(relative_error(jets(net, x, JetOrder::Value)[0], u[0]), 1e-14);
  const double h = 1e-5;
  std::vector<double> laplacian(kPoints, 0.0);
  const int summed = laplacian_dims > 0 ? laplacian_dims : kDim;
  for (int i = 0; i < kDim; ++i) {
    const auto up = jets(net, shifted(x, i, h), JetOrder::Gradient);
    const auto um = jets(net, shifted(x, i, -h), JetOrder::Gradient);
    std::vector<double> du(kPoints);
    for (int p = 0; p < kPoints; ++p) {
      du[p] = (up[0][p] - um[0][p]) / (2 * h);
      // Second derivative as the central difference of the exact first-derivative stream.
      if (i < summed)
        laplacian[p] += (up[gradient_stream(i)][p] - um[gradient_stream(i)][p]) / (2 * h);
    }
    EXPECT_LT(relative_error(u[gradient_stream(i)], du), 1e-6) << "du/dx" << i;
  }
  EXPECT_LT(relative_error(u[laplacian_stream(kDim)], laplacian), 1e-6) << "Laplacian";
}

/// L(theta) = sum_{s,p} w_sp out_sp + 0.5 out_sp^2, so dL/d out = w + out.
double probe_loss(const Mlp& net, const Matrix& x, JetOrder order, const std::vector<double>& w,
                  int laplacian_dims = 0) {
  const auto u = jets(net, x, order, laplacian_dims);
  double l = 0;
  for (size_t s = 0; s < u.size(); ++s)
    for (int p = 0; p < kPoints; ++p) l += w[s * kPoints + p] * u[s][p] + 0.5 * u[s][p] * u[s][p];
  return l;
}

/// Reverse-mode parameter gradients of probe_loss at every jet order against central differences.
void check_parameter_gradients(const MlpShape& shape, int laplacian_dims = 0) {
  for (JetOrder order : {JetOrder::Value, JetOrder::Gradient, JetOrder::Laplacian}) {
    Mlp net(shape);
    net.initialize_glorot(5);
    // Non-zero biases, so their gradients are exercised away from the symmetric point.
    auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.parameters());
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> u(-0.3, 0.3);
    for (size_t k = 0; k < hp.extent(0); ++k) hp(k) += u(rng);
    Kokkos::deep_copy(net.parameters(), hp);
    const Matrix x = random_points(4);
    const int streams = stream_count(order, kDim);
    std::vector<double> w(streams * kPoints);
    for (auto& v : w) v = u(rng);

    MlpWorkspace ws;
    net.prepare(ws, order, kPoints, laplacian_dims);
    net.forward(x, ws);
    Matrix adjoint("adjoint", streams * kPoints, 1);
    auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    auto ha = Kokkos::create_mirror_view(adjoint);
    for (int c = 0; c < streams * kPoints; ++c) ha(c, 0) = w[c] + out(c, 0);
    Kokkos::deep_copy(adjoint, ha);
    Vector gradient("g", net.parameter_count());
    net.backward(ws, adjoint, gradient);
    const auto numeric = finite_difference_gradient(
        net, [&] { return probe_loss(net, x, order, w, laplacian_dims); });
    EXPECT_LT(relative_error(to_host(gradient), numeric), 1e-6)
        << "jet order " << static_cast<int>(order);
  }
}

class MlpActivation : public ::testing::TestWithParam<Activation> {};

TEST_P(MlpActivation, InputDerivativesMatchFiniteDifferences) {
  check_input_derivatives({kDim, 1, 7, 3, GetParam()});
}

TEST_P(MlpActivation, ParameterGradientsMatchFiniteDifferences) {
  check_parameter_gradients({kDim, 1, 6, 3, GetParam()});
}

INSTANTIATE_TEST_SUITE_P(Activations, MlpActivation,
                         ::testing::Values(Activation::Tanh, Activation::Sin, Activation::Gelu),
                         [](const auto& info) { return std::string(activation_name(info.param)); });

/// Options that change what the network computes: Fourier features, the hard-boundary ansatz,
/// a Laplacian over the first input only (x of a network of (x, t)), and their combinations.
struct Variant {
  const char* name;
  int fourier_features;
  bool hard_dirichlet;
  int laplacian_dims;
  int periodic_harmonics = 0;
  MlpShape shape() const {
    MlpShape s{kDim, 1, 6, 2, Activation::Tanh};
    s.fourier_features = fourier_features;
    s.periodic_harmonics = periodic_harmonics;
    s.fourier_scale = 0.7;
    s.fourier_seed = 17;
    s.hard_dirichlet = hard_dirichlet;
    return s;
  }
};

class MlpVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(MlpVariant, InputDerivativesMatchFiniteDifferences) {
  check_input_derivatives(GetParam().shape(), GetParam().laplacian_dims);
}

TEST_P(MlpVariant, ParameterGradientsMatchFiniteDifferences) {
  check_parameter_gradients(GetParam().shape(), GetParam().laplacian_dims);
}

INSTANTIATE_TEST_SUITE_P(Variants, MlpVariant,
                         ::testing::Values(Variant{"fourier", 5, false, 0},
                                           Variant{"hard_dirichlet", 0, true, 0},
                                           Variant{"spatial_laplacian", 0, false, 1},
                                           Variant{"all", 4, true, 1},
                                           Variant{"periodic", 0, false, 1, 3}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Mlp, HardDirichletAnsatzVanishesOnTheUnitSquareBoundary) {
  MlpShape shape{kDim, 1, 8, 2, Activation::Tanh};
  shape.hard_dirichlet = true;
  shape.fourier_features = 3;
  Mlp net(shape);
  net.initialize_glorot(2);
  Matrix x("x", kDim, 8);
  auto h = Kokkos::create_mirror_view(x);
  const double side[8][2] = {{0, 0.3}, {1, 0.7}, {0.2, 0}, {0.9, 1},
                             {0, 0},   {1, 1},   {0.5, 0}, {0.5, 1}};
  for (int p = 0; p < 8; ++p) h(0, p) = side[p][0], h(1, p) = side[p][1];
  Kokkos::deep_copy(x, h);
  const auto u = jets(net, x, JetOrder::Gradient);
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(u[0][p], 0.0) << "point " << p;  // exactly, not to a tolerance
    // The derivative along the edge vanishes too: x = 0 or 1 edges have du/dy = 0.
    if (side[p][0] == 0.0 || side[p][0] == 1.0) {
      EXPECT_EQ(u[gradient_stream(1)][p], 0.0);
    }
  }
  // Inside, the network is not trivially zero.
  Matrix inside = random_points(6);
  const auto v = jets(net, inside, JetOrder::Value);
  double norm = 0;
  for (double value : v[0]) norm += std::abs(value);
  EXPECT_GT(norm, 1e-3);
}

TEST(Mlp, PeriodicEmbeddingRepeatsTheNetworkOverOnePeriod) {
  // x_0 and x_0 + L give the same value and the same derivatives, to round-off: periodic exactly.
  MlpShape shape{kDim, 1, 8, 2, Activation::Tanh};
  shape.periodic_harmonics = 2;
  shape.periodic_length = 2.0;
  Mlp net(shape);
  net.initialize_glorot(5);
  EXPECT_EQ(net.parameter_count(), (6 * 8 + 8) + (8 * 8 + 8) + (8 + 1));  // 2 (K + 1) features
  const Matrix x = random_points(7);
  const auto u = jets(net, x, JetOrder::Laplacian);
  const auto v = jets(net, shifted(x, 0, -2.0), JetOrder::Laplacian);
  for (size_t s = 0; s < u.size(); ++s) EXPECT_LT(relative_error(v[s], u[s]), 1e-12) << s;
}

TEST(Mlp, FourierFeaturesAreSeededAndFrozen) {
  MlpShape shape{kDim, 1, 8, 2, Activation::Tanh};
  shape.fourier_features = 16;
  shape.fourier_seed = 3;
  Mlp a(shape), b(shape);
  shape.fourier_seed = 4;
  Mlp c(shape);
  a.initialize_glorot(1), b.initialize_glorot(1), c.initialize_glorot(1);
  // The first layer sees 2M features; B is not a parameter.
  EXPECT_EQ(a.parameter_count(), (32 * 8 + 8) + (8 * 8 + 8) + (8 + 1));
  const Matrix x = random_points(7);
  EXPECT_EQ(relative_error(jets(a, x, JetOrder::Value)[0], jets(b, x, JetOrder::Value)[0]), 0.0);
  EXPECT_GT(relative_error(jets(a, x, JetOrder::Value)[0], jets(c, x, JetOrder::Value)[0]), 1e-3);
}

TEST(Mlp, MultiOutputParameterGradientsMatchFiniteDifferences) {
  // Three outputs (as u, v, p of a flow): every output's adjoint reaches every parameter.
  Mlp net({kDim, 3, 6, 2, Activation::Tanh});
  net.initialize_glorot(21);
  const Matrix x = random_points(8);
  const int rows = stream_count(JetOrder::Laplacian, kDim) * kPoints;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> w(rows * 3);
  for (auto& v : w) v = u(rng);
  auto loss = [&](std::vector<double>* adjoint) {
    MlpWorkspace ws;
    net.prepare(ws, JetOrder::Laplacian, kPoints);
    net.forward(x, ws);
    auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    double l = 0;
    for (int o = 0; o < 3; ++o)
      for (int c = 0; c < rows; ++c) {
        l += w[o * rows + c] * out(c, o) + 0.5 * out(c, o) * out(c, o);
        if (adjoint) (*adjoint)[o * rows + c] = w[o * rows + c] + out(c, o);
      }
    return l;
  };
  std::vector<double> adjoint_values(rows * 3);
  loss(&adjoint_values);
  MlpWorkspace ws;
  net.prepare(ws, JetOrder::Laplacian, kPoints);
  net.forward(x, ws);
  Matrix adjoint("adjoint", rows, 3);
  auto ha = Kokkos::create_mirror_view(adjoint);
  for (int o = 0; o < 3; ++o)
    for (int c = 0; c < rows; ++c) ha(c, o) = adjoint_values[o * rows + c];
  Kokkos::deep_copy(adjoint, ha);
  Vector gradient("g", net.parameter_count());
  net.backward(ws, adjoint, gradient);
  const auto numeric = finite_difference_gradient(net, [&] { return loss(nullptr); });
  EXPECT_LT(relative_error(to_host(gradient), numeric), 1e-6);
}

TEST(Mlp, ParameterCountAndGlorotBounds) {
  Mlp net({2, 1, 50, 4, Activation::Tanh});
  EXPECT_EQ(net.parameter_count(), (2 * 50 + 50) + 3 * (50 * 50 + 50) + (50 + 1));
  net.initialize_glorot(1);
  auto w =
      Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.weight(net.parameters(), 1));
  const double limit = std::sqrt(6.0 / 100.0);
  double max_abs = 0, mean = 0;
  for (int i = 0; i < 50; ++i)
    for (int j = 0; j < 50; ++j) max_abs = std::max(max_abs, std::abs(w(i, j))), mean += w(i, j);
  EXPECT_LE(max_abs, limit);
  EXPECT_GT(max_abs, 0.9 * limit);  // uniform on [-limit, limit] reaches near the ends
  EXPECT_LT(std::abs(mean / 2500), 0.02);
}

// An Mlp bound to a slice of a larger vector computes with the slice and writes its gradient
// where asked; values (no derivative streams) take any number of inputs, derivative jets 1 to 4.
TEST(Mlp, BoundToASliceAndWideValueInputs) {
  const MlpShape shape{9, 2, 5, 2, Activation::Tanh};
  Mlp alone(shape), bound(shape);
  alone.initialize_glorot(3);
  const long p = alone.parameter_count();
  Vector flat("flat", p + 4);
  Kokkos::deep_copy(Kokkos::subview(flat, std::make_pair(4L, p + 4)), alone.parameters());
  bound.bind(Kokkos::subview(flat, std::make_pair(4L, p + 4)));
  EXPECT_EQ(bound.parameters().data(), flat.data() + 4);
  EXPECT_THROW(bound.bind(flat), tessera::Error);
  Matrix x("x", 9, 3);
  Kokkos::deep_copy(x, 0.25);
  MlpWorkspace wa, wb;
  alone.prepare(wa, JetOrder::Value, 3);
  bound.prepare(wb, JetOrder::Value, 3);
  alone.forward(x, wa);
  bound.forward(x, wb);
  auto ya = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), wa.output());
  auto yb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), wb.output());
  for (int i = 0; i < 3; ++i)
    for (int o = 0; o < 2; ++o) EXPECT_EQ(ya(i, o), yb(i, o));
  MlpWorkspace jets;
  bound.prepare(jets, JetOrder::Gradient, 3);
  EXPECT_THROW(bound.forward(x, jets), tessera::Error);
}

// Three networks stacked side by side give, block by block, the output jets and parameter
// gradients of each network run alone (the stacked kernels only change where rows live), for a
// wide hidden layer (adjoint by GEMM) and the narrow output layer (adjoint on the fly); with the
// Laplacian over all inputs and over the first one only.
class StackedLaplacian : public ::testing::TestWithParam<int> {};

// Today each network's block runs the same GEMMs as the network alone (equal to the bit); a
// batched or strided GEMM for the stack sums in another order. The absolute 1e-14 (jets, up to 1.8
// here) and 1e-13 (parameter gradients, up to 11, sums of 20 rows with cancellation) left about 50
// ulp, which another summation order of a cancelling sum can use up. Relative 1e-12, as the host
// reference of mlp_reference_test; a wrong offset or another network's weights are O(1).
constexpr double kStackedTolerance = 1e-12;

TEST_P(StackedLaplacian, EachBlockMatchesItsNetworkAlone) {
  const int laplacian_dims = GetParam();
  const MlpShape shape{kDim, 1, 6, 2, Activation::Tanh};
  const int count = 3;
  StackedMlp stack(shape, count);
  stack.initialize_glorot({11, 12, 13});
  {  // Non-zero biases, different in every network, so a wrong bias offset shows.
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), stack.parameters());
    for (size_t i = 0; i < h.extent(0); ++i) h(i) += 0.1 * std::sin(0.7 * double(i));
    Kokkos::deep_copy(stack.parameters(), h);
  }
  Matrix x("x", kDim, count * kPoints);
  std::vector<Matrix> alone_points;
  for (int k = 0; k < count; ++k) {
    alone_points.push_back(random_points(50 + k));
    Kokkos::deep_copy(
        Kokkos::subview(x, Kokkos::ALL(), std::make_pair(k * kPoints, (k + 1) * kPoints)),
        alone_points.back());
  }
  const int streams = stream_count(JetOrder::Laplacian, kDim);
  MlpWorkspace ws;
  stack.prepare(ws, JetOrder::Laplacian, kPoints, laplacian_dims);
  stack.forward(x, ws);
  Matrix adjoint("adjoint", count * streams * kPoints, 1);
  Kokkos::deep_copy(adjoint, 1.0);
  Vector gradient("gradient", stack.parameter_count());
  stack.backward(ws, adjoint, gradient);
  auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
  auto g = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), gradient);
  for (int k = 0; k < count; ++k) {
    const Mlp net = stack.network(k);
    const auto expected = jets(net, alone_points[k], JetOrder::Laplacian, laplacian_dims);
    for (int st = 0; st < streams; ++st)
      for (int p = 0; p < kPoints; ++p)
        EXPECT_NEAR(out((k * streams + st) * kPoints + p, 0), expected[st][p],
                    kStackedTolerance * (1.0 + std::abs(expected[st][p])))
            << "network " << k << ", stream " << st << ", point " << p;
    MlpWorkspace alone;
    net.prepare(alone, JetOrder::Laplacian, kPoints, laplacian_dims);
    net.forward(alone_points[k], alone);
    Matrix alone_adjoint("alone_adjoint", streams * kPoints, 1);
    Kokkos::deep_copy(alone_adjoint, 1.0);
    Vector alone_gradient("alone_gradient", net.parameter_count());
    net.backward(alone, alone_adjoint, alone_gradient);
    auto ga = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), alone_gradient);
    for (long i = 0; i < net.parameter_count(); ++i)
      EXPECT_NEAR(g(k * net.parameter_count() + i), ga(i),
                  kStackedTolerance * (1.0 + std::abs(ga(i))))
          << "network " << k << ", " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(LaplacianDims, StackedLaplacian, ::testing::Values(0, 1));

// Stacked networks have neither the Fourier encoding nor the hard-boundary ansatz: asking for
// either is an error at construction, not a silently different network.
TEST(StackedMlp, RefusesFourierFeaturesAndHardDirichlet) {
  MlpShape fourier{kDim, 1, 6, 2, Activation::Tanh};
  fourier.fourier_features = 4;
  EXPECT_THROW(StackedMlp(fourier, 2), tessera::Error);
  MlpShape hard{kDim, 1, 6, 2, Activation::Tanh};
  hard.hard_dirichlet = true;
  EXPECT_THROW(StackedMlp(hard, 2), tessera::Error);
  EXPECT_NO_THROW(StackedMlp(MlpShape{kDim, 1, 6, 2, Activation::Tanh}, 2));
}

}  // namespace
