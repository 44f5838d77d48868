// FBPINN (dd/partition_of_unity, dd/windowed_sum, dd/fbpinn_loss): the windows sum to one with
// vanishing derivatives; the windowed sum's gradient and Laplacian, assembled across ranks, match
// finite differences of its values; the parameter gradient, with adjoints sent back to the
// neighbours' ranks, is that of the global objective; the same tiling trains along a recorded
// trajectory and identically on every rank count (in 1D, 2D and 3D); training brings the error
// against the exact solution below a measured bound; a run restarted from a checkpoint
// (dd/checkpoint) repeats the uninterrupted one, on this rank count to the bit and on one rank
// from a checkpoint written by all to round-off.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/fbpinn_loss.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd_test_support.hpp"
#include "io/field_file.hpp"
#include "pinn/trainer.hpp"

namespace {

using namespace tessera;
using test_support::losses;
using test_support::poisson;
using test_support::world_rank;

/// A small FBPINN problem on S^dim subdomains over comm.
struct Problem {
  Problem(MPI_Comm comm, int s = 2, double frequency = 1.0, int width = 10, int dim = 2)
      : grid(comm, dim, {0, 0, 0}, {1, 1, 1}, {s, dim >= 2 ? s : 1, dim == 3 ? s : 1}),
        windows(grid, 0.3),
        nets({dim, 1, width, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size())),
        loss(dd::poisson_fbpinn_loss(grid, windows, nets, poisson(dim, frequency), points())),
        inner(grid, nets.parameters_per_network()) {
    std::vector<std::uint64_t> seeds;
    for (int id : grid.owned()) seeds.push_back(100 + id);
    nets.initialize_glorot(seeds);
  }
  static dd::SubdomainPointConfig points() {
    dd::SubdomainPointConfig c;
    c.interior_points = 96;
    c.face_points = 16;
    c.boundary_weight = 10.0;
    c.seed = 5;
    return c;
  }
  pinn::TrainingResult train(int adam, int lbfgs, pinn::TrainingControl control = {}) {
    pinn::TrainingConfig config;
    config.adam_iterations = adam;
    config.adam_learning_rate = 5e-3;
    config.adam_final_learning_rate = 1e-3;
    config.lbfgs_iterations = lbfgs;
    config.log_every = 1;
    config.verbose = false;
    control.inner = &inner;
    return pinn::train(*loss, nets.parameters(), config, control);
  }
  /// Relative L2 error against the exact solution on a 33 x 33 grid (each grid point evaluated by
  /// the subdomain whose box holds it, lower side on an interface). Collective.
  double error(const physics::Poisson2D& problem) {
    const int n = 33;
    std::vector<std::vector<double>> xy(grid.owned().size());
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = double(i) / (n - 1), y = double(j) / (n - 1);
        std::array<int, 3> c{0, 0, 0};
        const double p[2] = {x, y};
        for (int d = 0; d < 2; ++d)
          while (c[d] < grid.subdomains()[d] - 1 && p[d] > grid.plane(d, c[d] + 1)) ++c[d];
        const int l = grid.local_index(grid.id(c));
        if (l >= 0) xy[l].insert(xy[l].end(), {x, y});
      }
    const auto u = dd::windowed_values(grid, windows, nets, xy);
    double sums[2] = {0, 0};
    for (size_t l = 0; l < xy.size(); ++l)
      for (size_t p = 0; p < u[l].size(); ++p) {
        const double e = problem.exact(xy[l][2 * p], xy[l][2 * p + 1]);
        sums[0] += (u[l][p] - e) * (u[l][p] - e);
        sums[1] += e * e;
      }
    MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, grid.comm());
    return std::sqrt(sums[0] / sums[1]);
  }
  dd::SubdomainGrid grid;
  dd::PartitionOfUnity windows;
  nn::StackedMlp nets;
  std::unique_ptr<dd::FbpinnLossBase> loss;
  dd::SubdomainInnerProduct inner;
};

TEST(PartitionOfUnity, SumsToOneWithVanishingDerivatives) {
  dd::SubdomainGrid grid(MPI_COMM_SELF, 2, {0, 0, 0}, {1, 1, 1}, {4, 4, 1});
  dd::PartitionOfUnity pu(grid, 0.4);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double h = 1e-4;
  for (int trial = 0; trial < 200; ++trial) {
    const double x = unit(rng), y = unit(rng);
    std::array<int, 3> c{std::min(3, int(4 * x)), std::min(3, int(4 * y)), 0};
    const auto ids = pu.cover(grid.id(c));
    const auto w = pu.windows(ids, {x, y, 0});
    dd::WindowJet sum{};
    for (const auto& wk : w)
      for (int q = 0; q < 4; ++q) sum[q] += wk[q];
    EXPECT_NEAR(sum[0], 1.0, 1e-14);
    EXPECT_NEAR(sum[1], 0.0, 1e-12);
    EXPECT_NEAR(sum[2], 0.0, 1e-12);
    EXPECT_NEAR(sum[3], 0.0, 1e-10);
    // The quotient rule against central differences, where the stencil stays in the same cover.
    if (std::min({x, y, 1 - x, 1 - y}) < 2 * h || std::abs(4 * x - std::round(4 * x)) < 8 * h ||
        std::abs(4 * y - std::round(4 * y)) < 8 * h)
      continue;
    const auto xp = pu.windows(ids, {x + h, y, 0}), xm = pu.windows(ids, {x - h, y, 0});
    const auto yp = pu.windows(ids, {x, y + h, 0}), ym = pu.windows(ids, {x, y - h, 0});
    for (size_t k = 0; k < ids.size(); ++k) {
      EXPECT_NEAR(w[k][1], (xp[k][0] - xm[k][0]) / (2 * h), 1e-5 * (1 + std::abs(w[k][1])))
          << "window " << ids[k];
      EXPECT_NEAR(w[k][2], (yp[k][0] - ym[k][0]) / (2 * h), 1e-5 * (1 + std::abs(w[k][2])))
          << "window " << ids[k];
      const double lap = (xp[k][0] + xm[k][0] + yp[k][0] + ym[k][0] - 4 * w[k][0]) / (h * h);
      EXPECT_NEAR(w[k][3], lap, 2e-3 * (1 + std::abs(lap))) << "window " << ids[k];
    }
  }
}

TEST(WindowedSum, JetsMatchFiniteDifferences) {
  // 4 x 4 subdomains: on 4 ranks every rank has neighbours on 3 others, diagonals included.
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, {0, 0, 0}, {1, 1, 1}, {4, 4, 1});
  dd::PartitionOfUnity pu(grid, 0.3);
  nn::StackedMlp nets({2, 1, 8, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size()));
  std::vector<std::uint64_t> seeds;
  for (int id : grid.owned()) seeds.push_back(40 + id);
  nets.initialize_glorot(seeds);
  // Per owned box: 20 centres and their 5-point stencils, all inside the box.
  const double h = 1e-4;
  const int centres = 20;
  const auto xy = test_support::stencil_points(grid, h, centres);
  dd::WindowedSum sum(grid, pu, nets, xy);
  sum.forward();
  const auto jets = sum.host_jets();
  double worst[3] = {0, 0, 0};
  for (size_t l = 0; l < xy.size(); ++l)
    for (int c = 0; c < centres; ++c) {
      const double* u = jets[l].data() + 4 * 5 * c;  // jets of the 5 stencil points
      const double dx = (u[4] - u[8]) / (2 * h), dy = (u[12] - u[16]) / (2 * h);
      const double lap = (u[4] + u[8] + u[12] + u[16] - 4 * u[0]) / (h * h);
      worst[0] = std::max(worst[0], std::abs(u[1] - dx) / (1 + std::abs(dx)));
      worst[1] = std::max(worst[1], std::abs(u[2] - dy) / (1 + std::abs(dy)));
      worst[2] = std::max(worst[2], std::abs(u[3] - lap) / (1 + std::abs(lap)));
    }
  MPI_Allreduce(MPI_IN_PLACE, worst, 3, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (world_rank() == 0)
    std::printf(
        "windowed sum vs central differences (h = %g): d/dx %.1e, d/dy %.1e, "
        "Laplacian %.1e\n",
        h, worst[0], worst[1], worst[2]);
  // Central differences err by O(h²) times the windows' higher derivatives: 1.1e-5 (gradient) and
  // 2.8e-4 (Laplacian) measured at h = 1e-4, 100 times less than at h = 1e-3, as O(h²) must; a
  // wrong product-rule term would be O(1).
  EXPECT_LT(worst[0], 3e-5);
  EXPECT_LT(worst[1], 3e-5);
  EXPECT_LT(worst[2], 1e-3);
}

TEST(PartitionOfUnity, SumsToOneIn3D) {
  dd::SubdomainGrid grid(MPI_COMM_SELF, 3, {0, 0, 0}, {1, 1, 1}, {3, 3, 3});
  dd::PartitionOfUnity pu(grid, 0.4);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 100; ++trial) {
    const dd::Point x{unit(rng), unit(rng), unit(rng)};
    std::array<int, 3> c{};
    for (int d = 0; d < 3; ++d) c[d] = std::min(2, int(3 * x[d]));
    const auto ids = pu.cover(grid.id(c));
    EXPECT_LE(ids.size(), 27u);
    dd::WindowJet sum{};
    for (const auto& wk : pu.windows(ids, x))
      for (int q = 0; q < dd::jet_count(3); ++q) sum[q] += wk[q];
    EXPECT_NEAR(sum[0], 1.0, 1e-14);
    for (int q = 1; q < dd::jet_count(3); ++q) EXPECT_NEAR(sum[q], 0.0, 1e-10) << q;
  }
}

TEST(FbpinnLoss, GradientIsThatOfTheGlobalObjective) {
  for (int dim : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(dim) + "D");
    Problem p(MPI_COMM_WORLD, dim == 1 ? 4 : 2, 2.0, 10, dim);
    // The loss at the neighbours' overlap points, on their ranks, depends on this network too.
    test_support::expect_gradient_matches_differences(p.grid, *p.loss, p.nets);
  }
}

TEST(FbpinnLoss, SameTrajectoryOnEveryRankCount) {
  for (int dim : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(dim) + "D");
    test_support::expect_same_trajectory_on_every_rank_count(
        [&](MPI_Comm comm) {
          return std::make_unique<Problem>(comm, dim == 1 ? 4 : 2, 1.0, 10, dim);
        },
        30, 15, "fbpinn_poisson" + std::to_string(dim) + "d");
  }
}

TEST(FbpinnLoss, TrainingReducesTheError) {
  const physics::Poisson2D problem{1.0};
  Problem p(MPI_COMM_WORLD);
  const double before = p.error(problem);
  const auto result = p.train(500, 500);
  const double after = p.error(problem);
  if (world_rank() == 0)
    std::printf(
        "FBPINN 2 x 2, overlap 0.3: relative L2 %.3e -> %.3e, loss %.3e, %.1f s, L-BFGS: %s\n",
        before, after, result.final_loss, result.seconds, nn::stop_reason(result.lbfgs.reason));
  // Measured 1.097 -> 4.676e-2 after 500 Adam + 500 L-BFGS iterations (1.459e-2 after 1000 +
  // 1000), the same on every rank count (previous test).
  EXPECT_GT(before, 0.5);
  EXPECT_LT(after, 6e-2);
}

TEST(FbpinnCheckpoint, RestartRepeatsTheLossTrajectory) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string stem = std::string(TESSERA_BINARY_DIR) + "/tests/mpi/fbpinn_checkpoint_np" +
                           std::to_string(size) + "_";
  // A checkpoint in each phase: after 20 of 30 Adam iterations, after 10 of 20 L-BFGS ones.
  const int adam = 30, lbfgs = 20;
  const int stops[] = {20, adam + 10};
  Problem whole(MPI_COMM_WORLD);
  pinn::TrainingControl control;
  control.checkpoint_every = 10;
  control.checkpoint = [&](const pinn::TrainingCheckpoint& state) {
    for (int stop : stops)
      if (state.iteration == stop)
        dd::write_checkpoint(whole.grid, whole.nets.parameters_per_network(), "fbpinn",
                             stem + std::to_string(stop) + ".h5", state);
  };
  const auto uninterrupted = test_support::by_iteration(whole.train(adam, lbfgs, control).history);
  for (int stop : stops) {
    const std::string path = stem + std::to_string(stop) + ".h5";
    // On this rank count: the same loss to the bit.
    Problem resumed(MPI_COMM_WORLD);
    test_support::expect_restart_continues(resumed, "fbpinn", path, stop, adam, lbfgs,
                                           uninterrupted, 0.0);
    // On one rank, from the checkpoint all ranks wrote: the same to round-off (the sums over
    // subdomains run in another order), as in SameTrajectoryOnEveryRankCount.
    if (size > 1 && world_rank() == 0) {
      Problem alone(MPI_COMM_SELF);
      test_support::expect_restart_continues(alone, "fbpinn", path, stop, adam, lbfgs,
                                             uninterrupted, test_support::kRankCountTolerance);
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

TEST(FbpinnCheckpoint, MismatchedCheckpointIsAnInputError) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string path = std::string(TESSERA_BINARY_DIR) + "/tests/mpi/fbpinn_checkpoint_np" +
                           std::to_string(size) + "_20.h5";
  Problem wider(MPI_COMM_WORLD, 2, 1.0, 12);  // other network size, same tiling
  EXPECT_THROW(dd::read_checkpoint(wider.grid, wider.nets.parameters_per_network(), "fbpinn", path),
               InputError);
  EXPECT_THROW(dd::read_checkpoint(wider.grid, wider.nets.parameters_per_network(), "fbpinn",
                                   path + ".missing"),
               InputError);

  // The same tiling and network size, but a run of another kind, a file written before the kind
  // was recorded, and a file that is not HDF5: each refused on every rank, naming what is wrong.
  Problem same(MPI_COMM_WORLD);
  const long per_network = same.nets.parameters_per_network();
  const std::string untagged = path + ".untagged.h5", text = path + ".txt";
  {
    io::FieldFile file(MPI_COMM_WORLD, untagged);
    file.set_attribute("parameters_per_network", per_network);
    file.commit();
  }
  if (world_rank() == 0) std::ofstream(text) << "not a checkpoint\n";
  MPI_Barrier(MPI_COMM_WORLD);
  const auto expect_refusal = [&](const std::string& kind, const std::string& file,
                                  const std::string& expected) {
    try {
      dd::read_checkpoint(same.grid, per_network, kind, file);
      ADD_FAILURE() << "a run of kind " << kind << " accepted " << file;
    } catch (const InputError& e) {
      EXPECT_NE(e.message().find(expected), std::string::npos) << e.message();
    }
  };
  expect_refusal("xpinn", path, "written by a run of kind 'fbpinn'; this run's kind is 'xpinn'");
  expect_refusal("fbpinn", untagged, "checkpoint '" + untagged + "' records no run kind");
  expect_refusal("fbpinn", text, "checkpoint '" + text + "' is not an HDF5 file");
}

}  // namespace
