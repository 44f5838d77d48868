// Domain-decomposed PINN training (dd/xpinn_loss): the local, neighbour-as-constant gradients
// are the exact gradient of the global objective F (finite differences across subdomains and
// ranks); the same tiling trains identically on every rank count; each interface condition alone
// drives its interface mismatch down; a run restarted from a checkpoint repeats the uninterrupted
// run's loss trajectory.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd/xpinn_loss.hpp"
#include "dd_test_support.hpp"
#include "pinn/trainer.hpp"

namespace {

using namespace tessera;
using test_support::host_copy;
using test_support::losses;

/// A small XPINN problem on 2 x 2 subdomains over comm.
struct Problem {
  Problem(MPI_Comm comm, const dd::InterfaceWeights& weights, double frequency = 1.0)
      : grid(comm, 2, {0, 0, 0}, {1, 1, 1}, {2, 2, 1}),
        nets({2, 1, 10, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size())),
        loss(grid, nets, physics::Poisson2D{frequency}, points(), weights),
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
  dd::XpinnLoss loss;
  dd::SubdomainInnerProduct inner;
};

dd::InterfaceWeights all_terms() { return {2.0, 1.0, 0.5, 0.1}; }
dd::InterfaceWeights no_terms() { return {0.0, 0.0, 0.0, 0.0}; }

/// The history's loss by iteration (the last row of an iteration, i.e. the final evaluation).
std::map<int, double> by_iteration(const pinn::TrainingHistory& h) {
  std::map<int, double> m;
  for (long r = 0; r < h.row_count(); ++r)
    m[static_cast<int>(h.rows[r * h.columns.size()])] = h.rows[r * h.columns.size() + 2];
  return m;
}

TEST(XpinnLoss, GradientIsThatOfTheGlobalObjective) {
  Problem p(MPI_COMM_WORLD, all_terms(), 2.0);
  // The neighbours' interface terms depend on this network through the exchanged values.
  test_support::expect_gradient_matches_differences(p.grid, p.loss, p.nets);
}

TEST(XpinnLoss, SameTrajectoryOnEveryRankCount) {
  // The whole tiling trained on this run's ranks and on rank 0 alone.
  Problem everyone(MPI_COMM_WORLD, all_terms());
  const auto shared = everyone.train(30, 15);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) return;
  Problem alone(MPI_COMM_SELF, all_terms());
  const auto single = alone.train(30, 15);
  const auto a = losses(shared.history), b = losses(single.history);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12 * std::abs(b[i])) << i;
  // Subdomain 0 lives on rank 0 in both runs: its network must match too.
  const auto x = host_copy(everyone.nets.parameters()), y = host_copy(alone.nets.parameters());
  for (long k = 0; k < everyone.nets.parameters_per_network(); ++k)
    EXPECT_NEAR(x[k], y[k], 1e-10) << k;
}

/// RMS interface jump (0: u, 1: d_n u, 2: residual) after the same training with the weights.
double mismatch_after_training(const dd::InterfaceWeights& weights, int jump) {
  Problem p(MPI_COMM_WORLD, weights);
  p.train(300, 0);
  return p.loss.interface_mismatch()[jump];
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
  for (const auto& c : cases) {
    const double without = mismatch_after_training(no_terms(), c.jump);
    const double with = mismatch_after_training(c.weights, c.jump);
    EXPECT_LT(with, 0.5 * without) << c.name << ": " << with << " with, " << without << " without";
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0)
      std::printf("%-10s RMS jump %.3e with the term, %.3e without\n", c.name, with, without);
  }
}

TEST(Checkpoint, RestartRepeatsTheLossTrajectory) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string stem =
      std::string(TESSERA_BINARY_DIR) + "/tests/mpi/dd_checkpoint_np" + std::to_string(size) + "_";
  // A checkpoint in each phase: after 20 of 40 Adam iterations, after 10 of 20 L-BFGS ones.
  const int adam = 40, lbfgs = 20;
  const int stops[] = {20, adam + 10};
  Problem whole(MPI_COMM_WORLD, all_terms());
  pinn::TrainingControl control;
  control.checkpoint_every = 10;
  control.checkpoint = [&](const pinn::TrainingCheckpoint& state) {
    for (int stop : stops)
      if (state.iteration == stop)
        dd::write_checkpoint(whole.grid, whole.nets.parameters_per_network(),
                             stem + std::to_string(stop) + ".h5", state);
  };
  const auto uninterrupted = by_iteration(whole.train(adam, lbfgs, control).history);

  for (int stop : stops) {
    // Another initialisation, so only the checkpoint can make the runs agree.
    Problem resumed(MPI_COMM_WORLD, all_terms());
    Kokkos::deep_copy(resumed.nets.parameters(), 0.1);
    const auto state = dd::read_checkpoint(resumed.grid, resumed.nets.parameters_per_network(),
                                           stem + std::to_string(stop) + ".h5");
    ASSERT_EQ(state.iteration, stop);
    EXPECT_EQ(state.phase, stop < adam ? 0 : 1);
    pinn::TrainingControl restart;
    restart.resume = &state;
    const auto continued = by_iteration(resumed.train(adam, lbfgs, restart).history);
    // Every iteration after the checkpoint (and the final evaluation), the same loss to the bit.
    // An Adam restart evaluates its checkpoint's iteration again; L-BFGS continues after it.
    size_t expected = 0;
    for (const auto& row : uninterrupted)
      expected += row.first > stop || (row.first == stop && stop < adam);
    EXPECT_EQ(continued.size(), expected);
    for (const auto& [iteration, loss] : continued) {
      ASSERT_TRUE(uninterrupted.count(iteration)) << iteration;
      EXPECT_EQ(uninterrupted.at(iteration), loss)
          << "iteration " << iteration << " after " << stop;
    }
  }
}

}  // namespace
