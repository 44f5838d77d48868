// run: operator, reduced (tests/regression/CMakeLists.txt: 16 training samples at 33², 6 epochs):
// the histories of the runs on 1 rank, 2 sample groups and 2 x 2 ranks agree to round-off; the
// run stopped after epoch 3 and restarted on the same 2 ranks has the uninterrupted run's history
// exactly (same rank count, same arithmetic); the loss falls; the evaluation files hold every test
// sample's prediction and error; the single-precision runs follow the double one's history to
// float round-off. The same for the DeepONet runs (-operator_model deeponet, their
// directories prefixed deeponet_).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "io/field_reader.hpp"

namespace {

using namespace tessera;

std::string result(const std::string& run, const std::string& file = "operator.h5") {
  return std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/operator/" + run + "/" + file;
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

io::Table history(const std::string& run) {
  const io::FieldFileReader file(MPI_COMM_WORLD, result(run));
  return file.read_table("history");
}

// The 1-rank run of model (a directory prefix) and its 2- and 4-rank runs agree to round-off.
void expect_every_split_alike(const std::string& model, size_t epochs) {
  const io::Table one = history(model + "train1");
  ASSERT_EQ(one.rows(), epochs);
  for (const std::string split : {"train2", "train4"}) {
    const std::string run = model + split;
    if (!exists(result(run))) continue;  // rank counts above the test machine's limit
    const io::Table other = history(run);
    ASSERT_EQ(other.values.size(), one.values.size()) << run;
    for (size_t row = 0; row < one.rows(); ++row)
      for (const size_t column : {2u, 3u, 4u})  // train loss, train error, validation error
        EXPECT_NEAR(other.at(row, column), one.at(row, column), 1e-10 * one.at(row, column))
            << run << " epoch " << row + 1 << " column " << one.columns[column];
  }
}

// The run stopped part way and restarted on 2 ranks has the 2-rank run's history exactly.
void expect_restart_exact(const std::string& model) {
  const io::Table full = history(model + "train2"), restarted = history(model + "restarted");
  ASSERT_EQ(full.values.size(), restarted.values.size());
  for (size_t row = 0; row < full.rows(); ++row)
    for (const size_t column : {0u, 1u, 2u, 3u, 4u})
      EXPECT_EQ(restarted.at(row, column), full.at(row, column))
          << "epoch " << row + 1 << " column " << full.columns[column];
}

// The single-precision runs (1 rank, 2 x 2 ranks) follow the double run's history to float
// round-off: every epoch's train loss, train error and validation error within rel_tol.
void expect_single_follows_double(double rel_tol) {
  const io::Table one = history("train1");
  for (const std::string run : {"single_train1", "single_train4"}) {
    if (!exists(result(run))) continue;  // rank counts above the test machine's limit
    const io::Table single = history(run);
    ASSERT_EQ(single.values.size(), one.values.size()) << run;
    double worst = 0;
    for (size_t row = 0; row < one.rows(); ++row)
      for (const size_t column : {2u, 3u, 4u}) {
        const double d = std::abs(single.at(row, column) / one.at(row, column) - 1);
        worst = std::max(worst, d);
        EXPECT_LT(d, rel_tol) << run << " epoch " << row + 1 << " column " << one.columns[column];
      }
    std::printf("%s against the double run: histories differ by up to %.2e (relative)\n",
                run.c_str(), worst);
  }
}

TEST(OperatorResult, EverySplitTrainsTheSameNetwork) { expect_every_split_alike("", 6); }
TEST(OperatorResult, SinglePrecisionFollowsTheDoubleRun) { expect_single_follows_double(1e-5); }
TEST(OperatorResult, RestartEqualsTheUninterruptedRun) { expect_restart_exact(""); }
TEST(OperatorResult, DeepOnetEverySplitTrainsTheSameNetwork) {
  expect_every_split_alike("deeponet_", 20);
}
TEST(OperatorResult, DeepOnetRestartEqualsTheUninterruptedRun) {
  expect_restart_exact("deeponet_");
}

TEST(OperatorResult, LossFallsAndEvaluationFilesAreComplete) {
  const io::Table h = history("train1");
  EXPECT_LT(h.at(h.rows() - 1, 2), 0.8 * h.at(0, 2));  // measured ratio 0.572
  for (const std::string run : {"train1", "evaluate", "super"}) {
    const io::FieldFileReader file(MPI_COMM_WORLD, result(run));
    const auto shape = file.dataset_shape("predictions");
    ASSERT_EQ(shape.size(), 4u);
    EXPECT_EQ(shape[0], 4u);
    EXPECT_EQ(shape[2], run == "super" ? 65u : 33u);
    const io::Table errors = file.read_table("test_errors");
    ASSERT_EQ(errors.rows(), 4u);
    for (size_t k = 0; k < errors.rows(); ++k) {
      EXPECT_GT(errors.at(k, 1), 0.0);
      EXPECT_LT(errors.at(k, 1), 1.0);
    }
    EXPECT_TRUE(exists(result(run, "operator.xmf"))) << run;
  }
  // The evaluation of the trained network at its own grid reproduces the training run's test
  // errors.
  const io::FieldFileReader trained(MPI_COMM_WORLD, result("train1")),
      evaluated(MPI_COMM_WORLD, result("evaluate"));
  EXPECT_NEAR(evaluated.real_attribute("test_error_mean"),
              trained.real_attribute("test_error_mean"), 1e-12);
}

}  // namespace
