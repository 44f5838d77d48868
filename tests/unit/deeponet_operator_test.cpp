// DeepONet as a model of run: operator (nn/deeponet_operator) behind the operator trainer: its
// sensors and coordinates, its batch forward against nn::DeepOnet on the same inputs, and the
// gradient of the trainer's decoded relative-L2 loss against central differences of that loss.
#include <gtest/gtest.h>

#include <vector>

#include "../host_vectors.hpp"
#include "nn/deeponet_operator.hpp"
#include "nn/operator_training.hpp"

namespace {

using namespace tessera;

const std::vector<int> kGrid{7, 6};
constexpr int kStride = 2, kSamples = 3;

nn::DeepOnetShape small_shape(nn::Activation activation) {
  nn::DeepOnetShape s;
  s.branch_width = 6;
  s.branch_depth = 2;
  s.trunk_width = 5;
  s.trunk_depth = 2;
  s.features = 4;
  s.activation = activation;
  return s;
}

/// A model with every parameter non-zero (b0 included), so no gradient entry is trivially 0.
nn::DeepOnetOperator make_model(nn::Activation activation) {
  nn::DeepOnetOperator model(small_shape(activation), 1, 1, kGrid, kStride);
  const auto p = test::random_vector(size_t(model.parameter_count()), 21);
  Kokkos::deep_copy(model.parameters(), test::to_device(p));
  return model;
}

TEST(DeepOnetOperator, SensorsEveryStrideThPointFromTheFirst) {
  EXPECT_EQ(nn::DeepOnetOperator::sensor_grid({85, 85}, 4), (std::vector<int>{22, 22}));
  EXPECT_EQ(nn::DeepOnetOperator::sensor_grid({33, 33}, 32), (std::vector<int>{2, 2}));
  EXPECT_EQ(nn::DeepOnetOperator::sensor_grid({7, 6}, 2), (std::vector<int>{4, 3}));
  const nn::DeepOnetOperator model(small_shape(nn::Activation::Tanh), 1, 1, {85, 85}, 4);
  EXPECT_EQ(model.deeponet().shape().sensors, 484);
  EXPECT_EQ(model.deeponet().shape().coordinates, 2);
  EXPECT_EQ(model.local_points(), 85 * 85);
}

// The model's [B][1][N] -> [B][1][N] forward is DeepOnet's cartesian forward with the branch fed
// the input at grid points (2 i, 2 j) and the trunk the coordinates (i / 6, j / 5).
TEST(DeepOnetOperator, ForwardIsDeepOnetAtSensorsAndCoordinates) {
  auto model = make_model(nn::Activation::Tanh);
  const long n = model.local_points();
  const auto x = test::random_vector(size_t(kSamples * n), 3);
  nn::Vector y("y", size_t(kSamples * n));
  model.forward(test::to_device(x), y, kSamples);
  const auto got = test::to_host(y);

  const auto sensors_per_dim = nn::DeepOnetOperator::sensor_grid(kGrid, kStride);
  const int m = int(test::product(sensors_per_dim));
  nn::Matrix sensors("sensors", m, kSamples), points("points", 2, n);
  auto hs = Kokkos::create_mirror_view(sensors);
  auto hp = Kokkos::create_mirror_view(points);
  for (int b = 0; b < kSamples; ++b)
    for (int s = 0; s < m; ++s) {
      const auto i = test::unflatten(s, sensors_per_dim);
      hs(s, b) = x[size_t(b * n + (kStride * i[0]) * kGrid[1] + kStride * i[1])];
    }
  for (long j = 0; j < n; ++j) {
    const auto i = test::unflatten(j, kGrid);
    hp(0, j) = i[0] / double(kGrid[0] - 1);
    hp(1, j) = i[1] / double(kGrid[1] - 1);
  }
  Kokkos::deep_copy(sensors, hs);
  Kokkos::deep_copy(points, hp);
  nn::DeepOnetWorkspace ws;
  model.deeponet().prepare(ws, nn::DeepOnetForm::Cartesian, kSamples, int(n));
  const auto g = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                     model.deeponet().forward(sensors, points, ws));
  std::vector<double> want;
  for (int b = 0; b < kSamples; ++b)
    for (long j = 0; j < n; ++j) want.push_back(g(b, j));
  EXPECT_LT(test::relative_error(got, want), 1e-14);
}

// The gradient the trainer steps with (decoded relative-L2 loss, summed over the batch, through
// a non-trivial output normaliser) against central differences of the same loss.
void expect_gradient_matches_differences(nn::Activation activation) {
  auto model = make_model(activation);
  const long n = model.local_points();
  nn::PointwiseNormalizer out_norm;
  out_norm.mean = test::random_vector(size_t(n), 5);
  out_norm.std = test::random_vector(size_t(n), 6);
  for (double& s : out_norm.std) s = 1.5 + s;  // in [0.5, 2.5)
  nn::OperatorTrainingConfig config;
  config.batch = kSamples;
  nn::OperatorTrainer trainer(model, MPI_COMM_SELF, out_norm, config);
  nn::SampleBlock data;
  data.count = kSamples;
  data.x = test::to_device(test::random_vector(size_t(kSamples * n), 7));
  data.y = test::to_device(test::random_vector(size_t(kSamples * n), 8));
  const std::vector<int> batch{2, 0, 1};

  nn::Vector gradient("gradient", size_t(model.parameter_count()));
  const double loss = trainer.batch_loss(data, batch, gradient);
  EXPECT_GT(loss, 0.0);
  auto p = test::to_host(model.parameters());
  const auto fd = test::finite_differences(
      p,
      [&]() {
        Kokkos::deep_copy(model.parameters(), test::to_device(p));
        return trainer.batch_loss(data, batch);
      },
      1e-6);
  EXPECT_LT(test::relative_error(test::to_host(gradient), fd), 1e-6);
}

TEST(DeepOnetOperator, TrainerGradientMatchesCentralDifferencesTanh) {
  expect_gradient_matches_differences(nn::Activation::Tanh);
}

TEST(DeepOnetOperator, TrainerGradientMatchesCentralDifferencesGelu) {
  expect_gradient_matches_differences(nn::Activation::Gelu);
}

}  // namespace
