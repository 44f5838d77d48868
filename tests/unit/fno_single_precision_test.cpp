// The FNO and TFNO computing in float (nn::FnoOf<float>, -operator_precision single) against the
// double network, which fno_test and tfno_test check against plain references and central
// differences: with the double network's parameters rounded to float, the float network's output,
// parameter gradient and input gradient equal the double ones to float round-off (the norm-wise
// relative difference, measured 6e-8 to 7.5e-7, stays below 5e-6, some 80 float epsilons, while a
// wrong index, table or missed term differs by O(1)), in 2D and 3D, padded, dense, CP and Tucker.
// The float GELU and its derivative against the double ones. nn::FnoSingleOperator: its double
// master parameters are the float network's draw exactly, its forward is the float network's,
// widened, whatever was deep-copied into the master parameters since, and its backward adds the
// widened float gradient. A float layer reduces half the bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../host_vectors.hpp"
#include "nn/activation.hpp"
#include "nn/fno.hpp"
#include "nn/operator_model.hpp"

namespace {

using tessera::nn::Factorization;
using tessera::nn::Fno;
using tessera::nn::FnoOf;
using tessera::nn::FnoShape;
using tessera::nn::FnoSingleOperator;
using tessera::nn::FnoWorkspace;
using tessera::nn::FnoWorkspaceOf;
using tessera::nn::gelu;
using tessera::nn::gelu_derivative;
using tessera::nn::Vector;
using tessera::nn::VectorOf;
using tessera::test::product;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::to_device;
using tessera::test::to_host;

/// The double values rounded to float and widened again: what the float network starts from.
std::vector<double> rounded(std::vector<double> v) {
  for (auto& x : v) x = static_cast<double>(static_cast<float>(x));
  return v;
}

struct Case {
  FnoShape shape;
  std::vector<int> grid;
  std::string name;
};

std::vector<Case> cases() {
  FnoShape tucker{2, 2, 1, 8, 3, {4, 4}, 16, {2, 2}, true};
  tucker.factorization = Factorization::Tucker;
  tucker.rank = 0.5;
  FnoShape cp = tucker;
  cp.factorization = Factorization::Cp;
  return {
      {FnoShape{2, 2, 1, 8, 4, {6, 6}, 32, {3, 3}, true}, {16, 16}, "FNO-2D, padding 3x3"},
      {FnoShape{3, 1, 2, 6, 2, {2, 3, 3}, 16, {2, 0, 0}, true}, {6, 8, 8}, "FNO-3D, padding 2x0x0"},
      {tucker, {12, 12}, "TFNO-2D Tucker 0.5"},
      {cp, {12, 12}, "TFNO-2D CP 0.5"},
  };
}

TEST(FnoSinglePrecision, OutputAndGradientsEqualTheDoubleNetworkToFloatRoundOff) {
  const int batch = 3;
  for (const auto& c : cases()) {
    Fno net(c.shape, c.grid);
    net.initialize(7);
    // Both networks hold the same (float-representable) parameters and see the same input.
    const auto theta = rounded(to_host(net.parameters()));
    Kokkos::deep_copy(net.parameters(), to_device(theta));
    FnoOf<float> single(c.shape, c.grid);
    Kokkos::deep_copy(single.parameters(), to_device<float>(theta, "theta"));

    const long points = product(c.grid);
    const auto x = rounded(random_vector(size_t(batch * c.shape.in_channels * points), 11));
    const auto dy = rounded(random_vector(size_t(batch * c.shape.out_channels * points), 13));
    FnoWorkspace ws;
    Vector y("y", size_t(batch * c.shape.out_channels * points));
    net.forward(to_device(x), y, ws);
    Vector gradient("gradient", size_t(net.parameter_count()));
    Vector dx("dx", x.size());
    net.backward(to_device(dy), gradient, ws, dx);

    FnoWorkspaceOf<float> ws_single;
    VectorOf<float> y_single("y", y.extent(0));
    single.forward(to_device<float>(x, "x"), y_single, ws_single);
    VectorOf<float> gradient_single("gradient", gradient.extent(0));
    VectorOf<float> dx_single("dx", x.size());
    single.backward(to_device<float>(dy, "dy"), gradient_single, ws_single, dx_single);

    const double ey = relative_error(to_host(y_single), to_host(y));
    const double eg = relative_error(to_host(gradient_single), to_host(gradient));
    const double ex = relative_error(to_host(dx_single), to_host(dx));
    std::printf(
        "%-24s float vs double: output %.2e, parameter gradient %.2e, input gradient %.2e\n",
        c.name.c_str(), ey, eg, ex);
    EXPECT_LT(ey, 5e-6) << c.name;
    EXPECT_LT(eg, 5e-6) << c.name;
    EXPECT_LT(ex, 5e-6) << c.name;
    // Not the double computation itself: float round-off is there.
    EXPECT_GT(ey, 1e-9) << c.name;
  }
}

TEST(FnoSinglePrecision, FloatGeluAndItsDerivativeMatchTheDoubleOnes) {
  // Over [-15, 15] (past the float form's clamps at 13): the float GELU within (8 + 2 z^2) ulp of
  // the double one's magnitude (in the left tail Phi's relative error is z^2 / 2 times that of
  // z^2 / 2 in float: the problem's conditioning, not the fit's), plus |z| 3e-16 for the double
  // form's own cancellation there (1 + erf(z / sqrt 2) loses its digits to the rounding of erf
  // near -1, and is 0 below z = -8.3); its derivative within 1e-6.
  double worst_value = 0, worst_derivative = 0;
  for (int k = -300000; k <= 300000; ++k) {
    const float z = static_cast<float>(k * 5e-5);
    const double exact = gelu(double(z));
    const float single = gelu(z);
    const double bound = (8 + 2.0 * z * z) * 5.96e-8 * std::abs(exact) + 3e-16 * std::abs(z);
    if (std::abs(exact) > 1e-12)
      worst_value = std::max(worst_value, std::abs(single - exact) / std::abs(exact));
    ASSERT_LE(std::abs(single - exact), bound) << "z = " << z;
    const double slope = gelu_derivative(double(z), exact);
    const double slope_single = gelu_derivative(z, single);
    worst_derivative = std::max(worst_derivative, std::abs(slope_single - slope));
    ASSERT_LE(std::abs(slope_single - slope), 1e-6) << "z = " << z;
  }
  std::printf("float GELU: relative difference up to %.2e, derivative up to %.2e\n", worst_value,
              worst_derivative);
}

TEST(FnoSinglePrecision, OperatorKeepsDoubleMasterParameters) {
  const Case c = cases().front();
  const int batch = 2;
  FnoSingleOperator op(c.shape, c.grid);
  op.initialize(5);
  FnoOf<float> single(c.shape, c.grid);
  single.initialize(5);
  // The master copy is the float draw, widened.
  EXPECT_EQ(to_host(op.parameters()), to_host(single.parameters()));

  // A model restored into the master parameters (as a checkpoint or the best model is) takes
  // effect at the next forward.
  const auto theta = rounded(random_vector(size_t(op.parameter_count()), 17));
  Kokkos::deep_copy(op.parameters(), to_device(theta));
  Kokkos::deep_copy(single.parameters(), to_device<float>(theta, "theta"));

  const long points = product(c.grid);
  const auto x = random_vector(size_t(batch * c.shape.in_channels * points), 19);
  const auto dy = random_vector(size_t(batch * c.shape.out_channels * points), 23);
  Vector y("y", size_t(batch * c.shape.out_channels * points));
  op.forward(to_device(x), y, batch);
  FnoWorkspaceOf<float> ws;
  VectorOf<float> y_single("y", y.extent(0));
  single.forward(to_device<float>(x, "x"), y_single, ws);
  EXPECT_EQ(to_host(y), to_host(y_single));

  // backward adds the widened float gradient: twice is twice.
  Vector gradient("gradient", size_t(op.parameter_count()));
  op.backward(to_device(dy), gradient, Vector());
  VectorOf<float> gradient_single("gradient", gradient.extent(0));
  single.backward(to_device<float>(dy, "dy"), gradient_single, ws);
  const auto once = to_host(gradient);
  EXPECT_EQ(once, to_host(gradient_single));
  op.backward(to_device(dy), gradient, Vector());
  const auto twice = to_host(gradient);
  for (size_t k = 0; k < once.size(); ++k) EXPECT_EQ(twice[k], 2 * once[k]) << k;
  EXPECT_NE(op.summary().find("single precision"), std::string::npos) << op.summary();
}

TEST(FnoSinglePrecision, FloatLayerReducesHalfTheBytes) {
  const Case c = cases().front();
  const Fno dense(c.shape, c.grid);
  const FnoOf<float> single(c.shape, c.grid);
  EXPECT_EQ(2 * single.bytes_per_layer(4).forward, dense.bytes_per_layer(4).forward);
  EXPECT_EQ(2 * single.bytes_per_layer(4).backward, dense.bytes_per_layer(4).backward);
}

}  // namespace
