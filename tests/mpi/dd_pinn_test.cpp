// Domain-decomposed PINN training (dd/xpinn_loss) in 1, 2 and 3 dimensions: the local,
// neighbour-as-constant gradients are the exact gradient of the global objective F (finite
// differences across subdomains and ranks); the same tiling trains along a recorded trajectory
// and identically on every rank count; each interface condition alone drives its interface
// mismatch down (2D and 3D); a run restarted from a checkpoint repeats the uninterrupted run's
// loss trajectory.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd/xpinn_loss.hpp"
#include "dd_test_support.hpp"
#include "pinn/trainer.hpp"

namespace {

using namespace tessera;
using test_support::by_iteration;
using test_support::host_copy;
using test_support::losses;
using test_support::poisson;

/// Subdomains per direction: 4 in 1D, 2 x 2 in 2D, 2 x 2 x 2 in 3D (each fits 1, 2 and 4 ranks).
std::array<int, 3> tiling(int dim) {
  if (dim == 1) return {4, 1, 1};
  if (dim == 2) return {2, 2, 1};
  return {2, 2, 2};
}

/// A small XPINN problem of dimension dim over comm.
struct Problem {
  Problem(MPI_Comm comm, const dd::InterfaceWeights& weights, int dim = 2, double frequency = 1.0)
      : grid(comm, dim, {0, 0, 0}, {1, 1, 1}, tiling(dim)),
        nets({dim, 1, 10, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size())),
        xpinn(dd::poisson_xpinn_loss(grid, nets, poisson(dim, frequency), points(), weights)),
        loss(*xpinn),
        inner(grid, nets.parameters_per_network()) {
    std::vector<std::uint64_t> seeds;
    for (int id : grid.owned()) seeds.push_back(100 + id);
    nets.initialize_glorot(seeds);
  }
  static dd::SubdomainPointConfig points() {
    dd::SubdomainPointConfig c;
    c.interior_points = 64;
    c.face_points = 16;
    c.boundary_weight = 10.0;
    c.seed = 5;
    return c;
  }
  /// Trains (Adam then L-BFGS), recording every iteration.
  pinn::TrainingResult train(int adam, int lbfgs, pinn::TrainingControl control = {}) {
    pinn::TrainingConfig config;
    config.adam_iterations = adam;
    config.lbfgs_iterations = lbfgs;
    config.log_every = 1;
    config.verbose = false;
    control.inner = &inner;
    return pinn::train(loss, nets.parameters(), config, control);
  }
  dd::SubdomainGrid grid;
  nn::StackedMlp nets;
  std::unique_ptr<dd::XpinnLossBase> xpinn;
  dd::XpinnLossBase& loss;
  dd::SubdomainInnerProduct inner;
};

dd::InterfaceWeights all_terms() { return {2.0, 1.0, 0.5, 0.1}; }
dd::InterfaceWeights no_terms() { return {0.0, 0.0, 0.0, 0.0}; }

TEST(XpinnLoss, GradientIsThatOfTheGlobalObjective) {
  for (int dim : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(dim) + "D");
    Problem p(MPI_COMM_WORLD, all_terms(), dim, 2.0);
    // The neighbours' interface terms depend on this network through the exchanged values.
    test_support::expect_gradient_matches_differences(p.grid, p.loss, p.nets);
  }
}

TEST(XpinnLoss, SameTrajectoryOnEveryRankCount) {
  for (int dim : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(dim) + "D");
    test_support::expect_same_trajectory_on_every_rank_count(
        [&](MPI_Comm comm) { return std::make_unique<Problem>(comm, all_terms(), dim); }, 30, 15,
        "xpinn_poisson" + std::to_string(dim) + "d");
  }
}

/// RMS interface jumps (u, d_n u, residual) after the same training with the weights.
std::array<double, 3> mismatch_after_training(const dd::InterfaceWeights& weights, int dim = 2) {
  Problem p(MPI_COMM_WORLD, weights, dim);
  p.train(300, 0);
  return p.loss.interface_mismatch();
}

TEST(InterfaceCondition, EachTermAloneReducesItsMismatch) {
  struct Case {
    const char* name;
    dd::InterfaceWeights weights;
    int jump;
  };
  const Case cases[] = {{"continuity", {10, 0, 0, 0}, 0},
                        {"average", {0, 40, 0, 0}, 0},
                        {"flux", {0, 0, 10, 0}, 1},
                        {"residual", {0, 0, 0, 10}, 2}};
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int dim : {2, 3}) {
    const auto without = mismatch_after_training(no_terms(), dim);
    for (const auto& c : cases) {
      const double with = mismatch_after_training(c.weights, dim)[c.jump];
      EXPECT_LT(with, 0.5 * without[c.jump])
          << dim << "D " << c.name << ": " << with << " with, " << without[c.jump] << " without";
      if (rank == 0)
        std::printf("%dD %-10s RMS jump %.3e with the term, %.3e without\n", dim, c.name, with,
                    without[c.jump]);
    }
  }
}

/// A tiling of dimension dim checkpointed and restarted in each phase.
void expect_restart_repeats_trajectory(int dim) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string stem = std::string(TESSERA_BINARY_DIR) + "/tests/mpi/dd_checkpoint_" +
                           std::to_string(dim) + "d_np" + std::to_string(size) + "_";
  // A checkpoint in each phase: after 20 of 40 Adam iterations, after 10 of 20 L-BFGS ones.
  const int adam = 40, lbfgs = 20;
  const int stops[] = {20, adam + 10};
  Problem whole(MPI_COMM_WORLD, all_terms(), dim);
  pinn::TrainingControl control;
  control.checkpoint_every = 10;
  control.checkpoint = [&](const pinn::TrainingCheckpoint& state) {
    for (int stop : stops)
      if (state.iteration == stop)
        dd::write_checkpoint(whole.grid, whole.nets.parameters_per_network(), "xpinn",
                             stem + std::to_string(stop) + ".h5", state);
  };
  const auto uninterrupted = by_iteration(whole.train(adam, lbfgs, control).history);

  for (int stop : stops) {
    // Another initialisation; every iteration after the checkpoint has the same loss to the bit.
    Problem resumed(MPI_COMM_WORLD, all_terms(), dim);
    test_support::expect_restart_continues(resumed, "xpinn", stem + std::to_string(stop) + ".h5",
                                           stop, adam, lbfgs, uninterrupted, 0.0);
  }
}

TEST(Checkpoint, RestartRepeatsTheLossTrajectory) {
  for (int dim : {2, 3}) {
    SCOPED_TRACE(std::to_string(dim) + "D");
    expect_restart_repeats_trajectory(dim);
  }
}

}  // namespace
