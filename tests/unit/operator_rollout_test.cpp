// The operator trainer's schemes (nn/operator_training) on one rank: the rollout's gradient (the
// whole rollout's loss, backpropagated by the reverse sweep that recomputes each step) and the
// space-time scheme's against central differences of the loss on a tiny FNO; the rollout's
// first step against the network applied to the window alone; the rollout of windows of frames
// (the LES operators) with the LES residual in its loss: the loss its parts, the gradient
// against central differences, each step's last frame the record compared with the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "../host_vectors.hpp"
#include "nn/fno.hpp"
#include "nn/operator_training.hpp"
#include "physics/les_residual.hpp"

namespace {

using tessera::nn::FnoOperator;
using tessera::nn::FnoShape;
using tessera::nn::FnoWorkspace;
using tessera::nn::OperatorScheme;
using tessera::nn::OperatorTrainer;
using tessera::nn::OperatorTrainingConfig;
using tessera::nn::PointwiseNormalizer;
using tessera::nn::SampleBlock;
using tessera::nn::Vector;
using tessera::test::central_difference;
using tessera::test::random_vector;
using tessera::test::relative_error;
using tessera::test::to_device;
using tessera::test::to_host;

/// The trainer's gradient against central differences of its loss on 40 random parameters.
double gradient_error(FnoOperator& net, OperatorTrainer& trainer, const SampleBlock& data) {
  std::vector<int> index(static_cast<size_t>(data.count));
  std::iota(index.begin(), index.end(), 0);
  Vector gradient("gradient", size_t(net.parameter_count()));
  trainer.batch_loss(data, index, gradient);
  const auto g = to_host(gradient);
  auto theta = to_host(net.parameters());
  auto loss = [&]() {
    Kokkos::deep_copy(net.parameters(), to_device(theta));
    return trainer.batch_loss(data, index);
  };
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<size_t> pick(0, theta.size() - 1);
  std::vector<double> analytic, numeric;
  for (int t = 0; t < 40; ++t) {
    const size_t k = pick(rng);
    analytic.push_back(g[k]);
    numeric.push_back(central_difference(theta, k, loss, 1e-3));
  }
  Kokkos::deep_copy(net.parameters(), to_device(theta));
  return relative_error(analytic, numeric);
}

OperatorTrainingConfig config(OperatorScheme scheme, int records) {
  OperatorTrainingConfig c;
  c.scheme = scheme;
  c.records = records;
  c.batch = 2;
  return c;
}

/// count samples of x (per_x values each, from seed) and y (per_y, from seed + 1).
SampleBlock random_samples(int count, long per_x, long per_y, std::uint64_t seed) {
  SampleBlock data;
  data.count = count;
  data.x = to_device(random_vector(size_t(count * per_x), seed), "x");
  data.y = to_device(random_vector(size_t(count * per_y), seed + 1), "y");
  return data;
}

// FnoShape{dims, in, out, width, layers, modes, projection_width, padding, grid_coordinates}
TEST(OperatorRollout, WholeRolloutGradientMatchesFiniteDifferences) {
  const int window = 3, steps = 3, samples = 2;
  const std::vector<int> grid{6, 5};
  FnoOperator net(FnoShape{2, window, 1, 4, 2, {2, 2}, 6, {1, 1}, true}, grid);
  net.initialize(5);
  const long points = 30;
  const SampleBlock data = random_samples(samples, window * points, steps * points, 21);
  OperatorTrainer trainer(net, MPI_COMM_SELF, PointwiseNormalizer(),
                          config(OperatorScheme::Rollout, steps));
  const double err = gradient_error(net, trainer, data);
  std::printf("rollout (3 steps) gradient vs differences: relative error %.3e\n", err);
  EXPECT_LT(err, 1e-6);
}

TEST(OperatorRollout, FirstStepIsTheNetworkOnTheWindow) {
  const int window = 3, steps = 2, samples = 2;
  const std::vector<int> grid{6, 5};
  FnoOperator net(FnoShape{2, window, 1, 4, 2, {2, 2}, 6, {}, true}, grid);
  net.initialize(8);
  const long points = 30;
  const SampleBlock data = random_samples(samples, window * points, steps * points, 31);
  const auto x = to_host(data.x);
  OperatorTrainer trainer(net, MPI_COMM_SELF, PointwiseNormalizer(),
                          config(OperatorScheme::Rollout, steps));
  std::vector<double> predictions;
  trainer.evaluate(data, &predictions);
  ASSERT_EQ(predictions.size(), size_t(samples * steps * points));
  // Step 1 by hand: the network on the window; step 2 on the window shifted by it.
  FnoWorkspace ws;
  Vector y("y", samples * points);
  net.fno().forward(to_device(x), y, ws);
  const auto first = to_host(y);
  std::vector<double> shifted, expected_first, got_first, expected_second, got_second;
  for (int b = 0; b < samples; ++b) {
    shifted.insert(shifted.end(), x.begin() + (b * window + 1) * points,
                   x.begin() + (b + 1) * window * points);
    shifted.insert(shifted.end(), first.begin() + b * points, first.begin() + (b + 1) * points);
    expected_first.insert(expected_first.end(), first.begin() + b * points,
                          first.begin() + (b + 1) * points);
    got_first.insert(got_first.end(), predictions.begin() + b * steps * points,
                     predictions.begin() + (b * steps + 1) * points);
    got_second.insert(got_second.end(), predictions.begin() + (b * steps + 1) * points,
                      predictions.begin() + (b * steps + 2) * points);
  }
  net.fno().forward(to_device(shifted), y, ws);
  expected_second = to_host(y);
  EXPECT_LT(relative_error(got_first, expected_first), 1e-14);
  EXPECT_LT(relative_error(got_second, expected_second), 1e-14);
}

// The LES operators' rollout: one frame of 3 fields in, 2 frames a step, 2 steps, on 6³; the LES
// residual of every step's window in the loss.
struct LesWindows {
  static constexpr int fields = 3, frames = 2, steps = 2, samples = 2, n = 6;
  static constexpr long points = long(n) * n * n;
  tessera::physics::LesResidualConfig residual_config() const {
    tessera::physics::LesResidualConfig c;
    c.cells = n;
    c.viscosity = 0.05;
    c.smagorinsky_constant = 0.2;
    c.dt = 0.1;
    return c;
  }
  FnoOperator net{FnoShape{3, fields, fields* frames, 3, 2, {2, 2, 2}, 5, {}, true}, {n, n, n}};
  tessera::physics::LesResidual residual{
      residual_config(), tessera::nn::GridBlock{{0, 0, 0}, {n, n, n}}, frames + 1, MPI_COMM_SELF};
  SampleBlock data = random_samples(samples, fields* points, steps* fields* points, 51);
  OperatorTrainingConfig training(double weight, bool increments = false) {
    OperatorTrainingConfig c = config(OperatorScheme::Rollout, steps * fields);
    c.increments = increments;
    c.window_frames = frames;
    c.frame_fields = fields;
    c.physics = &residual;
    c.physics_weight = weight;
    return c;
  }
};

TEST(OperatorRollout, WindowsOfFramesWithTheLesResidual) {
  LesWindows w;
  w.net.initialize(12);
  const std::vector<int> index{0, 1};
  OperatorTrainer data_only(w.net, MPI_COMM_SELF, PointwiseNormalizer(), w.training(0.0));
  OperatorTrainer hybrid(w.net, MPI_COMM_SELF, PointwiseNormalizer(), w.training(0.3));
  // The physics term: 0.3 x 2 samples x the residual of each step's window, frames [the step's
  // input frame, its 2 predicted frames], taken from the trajectory by hand.
  std::vector<double> predictions;
  data_only.evaluate(w.data, &predictions);
  ASSERT_EQ(predictions.size(), size_t(w.samples * w.steps * w.fields * w.points));
  FnoWorkspace ws;
  const auto x = to_host(w.data.x);
  double physics = 0;
  std::vector<double> input = x, last_frames;
  for (int s = 0; s < w.steps; ++s) {
    Vector out("out", size_t(w.samples * w.frames * w.fields * w.points));
    w.net.fno().forward(to_device(input), out, ws);
    const auto o = to_host(out);
    std::vector<double> window;
    const long frame = w.fields * w.points;
    for (int b = 0; b < w.samples; ++b) {
      window.insert(window.end(), input.begin() + b * frame, input.begin() + (b + 1) * frame);
      window.insert(window.end(), o.begin() + b * w.frames * frame,
                    o.begin() + (b + 1) * w.frames * frame);
    }
    physics += w.residual.evaluate(to_device(window)).loss;
    std::vector<double> next;
    for (int b = 0; b < w.samples; ++b) {
      const auto last = o.begin() + (b * w.frames + w.frames - 1) * frame;
      next.insert(next.end(), last, last + frame);
      // The records of step s of sample b: its last frame.
      const auto got = predictions.begin() + (b * w.steps + s) * frame;
      EXPECT_LT(relative_error(std::vector<double>(got, got + frame),
                               std::vector<double>(last, last + frame)),
                1e-14);
    }
    input = next;
  }
  const double data_loss = data_only.batch_loss(w.data, index);
  EXPECT_NEAR(hybrid.batch_loss(w.data, index), data_loss + 0.3 * 2 * physics,
              1e-12 * (data_loss + physics));
  const double err = gradient_error(w.net, hybrid, w.data);
  std::printf("windows of frames with the LES residual: gradient vs differences %.3e\n", err);
  EXPECT_LT(err, 1e-6);
}

TEST(OperatorRollout, IncrementsAddTheInputFrame) {
  LesWindows w;
  w.net.initialize(13);
  OperatorTrainer plain(w.net, MPI_COMM_SELF, PointwiseNormalizer(), w.training(0.0));
  OperatorTrainer increments(w.net, MPI_COMM_SELF, PointwiseNormalizer(), w.training(0.3, true));
  // Step 1's last frame: the network's, plus the input frame.
  std::vector<double> frames, changes;
  plain.evaluate(w.data, &changes);
  increments.evaluate(w.data, &frames);
  const auto x = to_host(w.data.x);
  const long frame = w.fields * w.points;
  for (int b = 0; b < w.samples; ++b)
    for (long q = 0; q < frame; ++q) {
      const size_t at = size_t((b * w.steps) * frame + q);
      ASSERT_NEAR(frames[at], changes[at] + x[size_t(b * frame + q)], 1e-13);
    }
  const double err = gradient_error(w.net, increments, w.data);
  std::printf("increments with the LES residual: gradient vs differences %.3e\n", err);
  EXPECT_LT(err, 1e-6);
}

TEST(OperatorSpaceTime, GradientMatchesFiniteDifferences) {
  const int inputs = 2, records = 4, samples = 2;
  const std::vector<int> grid{records, 5, 4};
  FnoOperator net(FnoShape{3, inputs, 1, 3, 2, {2, 2, 2}, 5, {1, 0, 0}, true}, grid);
  net.initialize(9);
  const long points = 20;
  const SampleBlock data = random_samples(samples, inputs * points, records * points, 41);
  PointwiseNormalizer out;
  out.mean = random_vector(size_t(records * points), 43);
  out.std.assign(size_t(records * points), 0.5);
  OperatorTrainer trainer(net, MPI_COMM_SELF, out, config(OperatorScheme::SpaceTime, records));
  const double err = gradient_error(net, trainer, data);
  std::printf("space-time gradient vs differences: relative error %.3e\n", err);
  EXPECT_LT(err, 1e-6);
}

}  // namespace
