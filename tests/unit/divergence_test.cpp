// Issue 13: a training whose loss or gradient stops being finite, or whose loss runs away, stops
// with DivergenceError at that iteration, in either optimizer phase, before the checkpoint of the
// bad state; an operator training epoch likewise, on every rank together (run at 1 and 2 ranks);
// options record the values a checkpoint's physics is compared by.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../host_vectors.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "nn/lbfgs.hpp"
#include "nn/operator_model.hpp"
#include "nn/operator_training.hpp"
#include "pinn/trainer.hpp"

namespace {

using tessera::DivergenceError;
using tessera::nn::Vector;

/// f = |x|²/2 (gradient x), except at the evaluation numbered `bad` (0 first), where it returns
/// `bad_value` (and, with bad_gradient, a NaN gradient with a finite loss). Checkpointing every
/// iteration, Adam iteration k evaluates x_k as evaluation 2k and its checkpoint x_{k+1} (for the
/// loss it records) as evaluation 2k + 1.
class Faulty : public tessera::pinn::Loss {
public:
  Faulty(int bad, double bad_value, bool bad_gradient = false)
      : bad_(bad), bad_value_(bad_value), bad_gradient_(bad_gradient) {}
  double value_and_gradient(const Vector& x, const Vector& g) override {
    Kokkos::deep_copy(g, x);
    auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
    double f = 0;
    for (size_t i = 0; i < hx.extent(0); ++i) f += 0.5 * hx(i) * hx(i);
    if (evaluations_++ != bad_) return last_ = f;
    if (bad_gradient_) {
      Kokkos::deep_copy(g, std::numeric_limits<double>::quiet_NaN());
      return last_ = f;
    }
    return last_ = bad_value_;
  }
  std::vector<std::string> term_names() const override { return {"f"}; }
  std::vector<double> term_values() const override { return {last_}; }

private:
  int bad_, evaluations_ = 0;
  double bad_value_, last_ = 0;
  bool bad_gradient_;
};

tessera::pinn::TrainingConfig recipe(int adam, int lbfgs) {
  tessera::pinn::TrainingConfig c;
  c.adam_iterations = adam;
  c.lbfgs_iterations = lbfgs;
  c.adam_learning_rate = 1e-2;
  c.adam_final_learning_rate = 1e-3;
  c.verbose = false;
  return c;
}

Vector start() {
  Vector x("x", 4);
  Kokkos::deep_copy(x, 1.0);
  return x;
}

/// Trains, checkpointing every iteration; returns the message of the DivergenceError (empty if
/// none) and the last checkpointed iteration.
std::string train_until_stopped(Faulty& loss, const tessera::pinn::TrainingConfig& config,
                                int& last_checkpoint) {
  tessera::pinn::TrainingControl control;
  control.checkpoint_every = 1;
  last_checkpoint = -1;
  control.checkpoint = [&](const tessera::pinn::TrainingCheckpoint& s) {
    last_checkpoint = s.iteration;
  };
  try {
    tessera::pinn::train(loss, start(), config, control);
  } catch (const DivergenceError& e) {
    return e.message();
  }
  return "";
}

TEST(Divergence, NanLossInAdamStopsAtThatIterationBeforeItsCheckpoint) {
  // Found by the evaluation of x_7 for its checkpoint, which is then not written.
  Faulty loss(13, std::numeric_limits<double>::quiet_NaN());
  int last = 0;
  const std::string message = train_until_stopped(loss, recipe(20, 0), last);
  EXPECT_NE(message.find("the loss is nan at Adam iteration 7"), std::string::npos) << message;
  EXPECT_EQ(last, 6);  // the state after iteration 5's step; none from the NaN evaluation
  // Found by iteration 7's own evaluation of x_7, after its (finite) checkpoint.
  Faulty later(14, std::numeric_limits<double>::quiet_NaN());
  const std::string again = train_until_stopped(later, recipe(20, 0), last);
  EXPECT_NE(again.find("the loss is nan at Adam iteration 7"), std::string::npos) << again;
  EXPECT_EQ(last, 7);
}

TEST(Divergence, NanGradientWithFiniteLossStops) {
  Faulty loss(6, 0.0, true);
  int last = 0;
  const std::string message = train_until_stopped(loss, recipe(20, 0), last);
  EXPECT_NE(message.find("the gradient norm is nan at Adam iteration 3"), std::string::npos)
      << message;
  EXPECT_EQ(last, 3);
}

TEST(Divergence, LossGrowingBeyondTheBoundStopsWhileFinite) {
  // The first loss is 2 (|x|² / 2 at x = 1); 1e9 times it is finite but a runaway.
  Faulty loss(5, 2e9 * 2.0);
  int last = 0;
  const std::string message = train_until_stopped(loss, recipe(20, 0), last);
  EXPECT_NE(message.find("more than 1e+08 times the first loss"), std::string::npos) << message;
  // Below the bound it is no divergence.
  Faulty tolerated(5, 1e7 * 2.0);
  EXPECT_EQ(train_until_stopped(tolerated, recipe(20, 0), last), "");
}

TEST(Divergence, NanLossInLbfgsStopsAtThatIteration) {
  // Evaluation 20 is L-BFGS's start, after 10 Adam iterations of two. (A NaN at a later trial
  // point is one the line search backs off from, as from any loss above the start's.)
  Faulty at_start(20, std::numeric_limits<double>::quiet_NaN());
  int last = 0;
  const std::string message = train_until_stopped(at_start, recipe(10, 20), last);
  EXPECT_NE(message.find("L-BFGS: the loss nan"), std::string::npos) << message;
  EXPECT_EQ(last, 10);  // Adam's last checkpoint; none in L-BFGS
}

TEST(Divergence, LbfgsRefusesANonFiniteStartWhateverTheObjective) {
  Faulty loss(0, std::numeric_limits<double>::infinity());
  tessera::nn::Lbfgs lbfgs({}, 4);
  auto x = start();
  EXPECT_THROW(lbfgs.minimize(loss, x), DivergenceError);
}

/// Trains a tiny FNO (8 samples on 6 x 5 points, batch 4, the samples split over the ranks) for
/// three epochs, from epoch `bad_epoch` (0-based; -1: never) with a NaN in the first output value
/// of rank 0's first sample. Returns the DivergenceError's message (empty if none) and the epochs
/// that returned: the run checkpoints after an epoch returns, so none of them may hold the NaN.
std::string train_operator(int bad_epoch, const char* where, int& epochs_returned) {
  using namespace tessera::nn;
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const long points = 30, samples = 8;
  FnoOperator net(FnoShape{2, 1, 1, 4, 1, {2, 2}, 6, {}, true}, {6, 5});
  net.initialize(3);
  OperatorTrainingConfig config;
  config.batch = 4;
  const LaneSchedule lanes(samples, config.batch, rank, ranks, 17);
  const int held = static_cast<int>(lanes.held().size());
  auto x = tessera::test::random_vector(size_t(held * points), 5 + rank);
  auto y = tessera::test::random_vector(size_t(held * points), 50 + rank);
  SampleBlock data;
  data.count = held;
  data.x = tessera::test::to_device(x, "x");
  data.y = tessera::test::to_device(y, "y");
  PointwiseNormalizer identity;  // decode y = out (std + eps) + mean: the identity to 1e-5
  identity.mean.assign(size_t(points), 0.0);
  identity.std.assign(size_t(points), 1.0);
  OperatorTrainer trainer(net, MPI_COMM_WORLD, identity, config);
  epochs_returned = 0;
  for (int epoch = 0; epoch < 3; ++epoch) {
    if (epoch == bad_epoch && rank == 0) {
      auto& values = std::string(where) == "x" ? x : y;
      values.front() = std::numeric_limits<double>::quiet_NaN();
      data.x = tessera::test::to_device(x, "x");
      data.y = tessera::test::to_device(y, "y");
    }
    try {
      trainer.train_epoch(epoch, lanes, data);
    } catch (const DivergenceError& e) {
      return e.message();
    }
    ++epochs_returned;
  }
  return "";
}

TEST(Divergence, OperatorEpochWithANanOutputStopsOnEveryRank) {
  int returned = 0;
  EXPECT_EQ(train_operator(-1, "y", returned), "");
  EXPECT_EQ(returned, 3);
  const std::string message = train_operator(1, "y", returned);
  EXPECT_NE(message.find("operator training diverged in epoch 2: the loss is not finite"),
            std::string::npos)
      << message;
  EXPECT_EQ(returned, 1);  // epoch 2 never returned: its parameters are never checkpointed
}

TEST(Divergence, OperatorEpochWithANanInputStopsOnEveryRank) {
  int returned = 0;
  const std::string message = train_operator(0, "x", returned);
  EXPECT_NE(message.find("operator training diverged in epoch 1: the loss is not finite"),
            std::string::npos)
      << message;
  EXPECT_EQ(returned, 0);
}

TEST(Divergence, OptionsRecordTheValuesARunUses) {
  char name[] = "test";
  char* argv[] = {name};
  tessera::Options options(MPI_COMM_WORLD, 1, argv);
  options.real("divergence_test_viscosity", 0.1, 0.0, 1.0, "a real left at its default");
  options.integer("divergence_test_cells", 16, 1, 100, "an integer");
  const auto values =
      options.values({"divergence_test_cells", "not_declared", "divergence_test_viscosity"});
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].first, "divergence_test_cells");
  EXPECT_EQ(values[0].second, "16");
  // 17 digits: the double, not its 6-digit display.
  EXPECT_EQ(values[1].second, "0.10000000000000001");
}

}  // namespace
