// Residual-based refinement (issue 3), shown by its effect on a small problem trained the same way
// with and without it: same network size, seed and iterations; the causal weights' rule (causal
// training itself is tested through the generic loss, pde_loss_test). Every
// rank count trains the same global problem (data parallel), so the figures agree across 1, 2 and 4
// ranks up to round-off growth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "pinn/causal.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_loss.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/resampling.hpp"
#include "pinn/trainer.hpp"
#include "pinn_training_support.hpp"

namespace {

using namespace tessera;
using namespace tessera::test_support;

TEST(ResidualRefinement, SharpPeakIsResolvedBetterThanWithUniformPoints) {
  // Few points for a peak of width 0.07: where a uniform set happens to fall decides how well it
  // is resolved, so the comparison is the mean error over three point draws (seeds).
  PoissonCase c;
  c.problem.peak_width = 0.07;
  c.residual_weight = 1e-3;
  const auto config = adam_only(2000, 1e-2, 1e-3);
  auto rar_config = config;
  rar_config.resampling.every = 200;  // 9 rounds of 11: 100 + 99 points in the end
  rar_config.resampling.points = 11;
  rar_config.resampling.candidates = 4096;
  rar_config.resampling.density = true;  // RAR-D, |r|^2/mean + 1
  double uniform = 0, rar = 0;
  long added = 0;
  for (std::uint64_t seed : {1, 2, 5}) {
    c.seed = seed;
    c.interior = 199;
    uniform += train_poisson(c, config).error / 3;
    c.interior = 100;
    const auto refined = train_poisson(c, rar_config);
    rar += refined.error / 3;
    added = refined.training.refinement_points;
  }
  TESSERA_LOG(
      "residual-based refinement (RAR-D), Gaussian peak w = 0.07, 2000 Adam iterations, "
      "mean over 3 seeds: relative L2 "
      << uniform << " with 199 uniform points, " << rar << " with 100 + " << added << " refined");
  EXPECT_EQ(added, 9 * 11);
  EXPECT_LT(rar, 0.7 * uniform);
}

/// An untrained network and the Poisson losses of a peak of width 0.05 on 100 interior and 40
/// boundary points, the same each time.
struct PeakCase : PoissonCase {
  nn::Mlp net{shape};
  PeakCase() {
    problem.peak_width = 0.05;
    net.initialize_glorot(seed);
  }
  /// Collective over MPI_COMM_WORLD.
  std::unique_ptr<pinn::PdeLoss<pinn::PoissonResidual<2>>> loss() {
    return std::make_unique<pinn::PdeLoss<pinn::PoissonResidual<2>>>(
        MPI_COMM_WORLD, net, pinn::PoissonResidual<2>{problem},
        pinn::interior_points_2d(MPI_COMM_WORLD, 100, seed), 1.0,
        std::vector<pinn::ConditionPoints>{
            {"boundary", pinn::boundary_points_2d(MPI_COMM_WORLD, 40, seed), 1.0}});
  }
};

TEST(ResidualRefinement, AddsTheCandidatesOfLargestResidualOnEveryRankCount) {
  PeakCase c;
  const auto owner = c.loss();
  auto& loss = *owner;
  const long before = static_cast<long>(loss.interior().extent(1));
  pinn::ResamplingConfig rc;
  rc.candidates = 1000;
  rc.points = 10;
  EXPECT_EQ(pinn::refine_by_residual(loss, rc, 1), 10);
  EXPECT_EQ(loss.global_interior_points(), 110);
  // An untrained net is nearly flat, so the residual is about |f|, largest at the peak (800 at
  // the centre, below 220 beyond two widths): the chosen points sit within 3 widths of it.
  auto grown = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), loss.interior());
  for (long k = before; k < static_cast<long>(grown.extent(1)); ++k)
    EXPECT_LT(physics::Poisson2D::peak_radius_sq(grown(0, k), grown(1, k)), std::pow(0.15, 2));
  long mine = static_cast<long>(grown.extent(1)) - before, total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total, 10);
}

TEST(ResidualRefinement, RestoredRoundsGiveEveryRankItsPointsInTheirOrder) {
  // Two rounds (the second by density, which draws from the round's generator) recorded as a
  // checkpoint records them, then restored into a loss built afresh: every rank's interior set
  // is the refined one, value for value, and the rows are the same on every rank.
  PeakCase c;
  const auto refined_owner = c.loss();
  auto& refined = *refined_owner;
  pinn::ResamplingConfig rc;
  rc.candidates = 500;
  rc.points = 7;
  std::vector<double> rows;
  pinn::refine_by_residual(refined, rc, 1, &rows);
  rc.density = true;
  pinn::refine_by_residual(refined, rc, 2, &rows);
  ASSERT_EQ(rows.size(), 2u * 7 * 3);
  EXPECT_EQ(rows.front(), 1.0);
  EXPECT_EQ(rows[rows.size() - 3], 2.0);  // the round of the last row
  std::vector<double> root = rows;
  MPI_Bcast(root.data(), static_cast<int>(root.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_EQ(root, rows);

  const auto restored_owner = c.loss();
  auto& restored = *restored_owner;
  EXPECT_EQ(pinn::restore_refinement(restored, rows), 14);
  EXPECT_EQ(restored.global_interior_points(), 114);
  auto want = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), refined.interior());
  auto got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), restored.interior());
  ASSERT_EQ(got.extent(1), want.extent(1));
  for (std::size_t k = 0; k < got.extent(1); ++k)
    for (int i = 0; i < 2; ++i) EXPECT_EQ(got(i, k), want(i, k)) << "point " << k;
}

TEST(ResidualRefinement, DrawsTheCandidatesInTheProblemsBox) {
  // Helmholtz on [-1, 1]^2 with a zero network: the residual is |f|, and the 20 candidates of 2000
  // chosen lie in the box (some at negative coordinates, which the unit square has none of), each
  // with |f| above the 95th percentile of |f| over uniform points of the box.
  const physics::Helmholtz2D problem;
  nn::Mlp net({2, 1, 8, 2, nn::Activation::Tanh});
  Kokkos::deep_copy(net.parameters(), 0.0);
  const auto interior = pinn::interior_points_2d(MPI_COMM_WORLD, 200, 3);
  const auto boundary = pinn::boundary_points_2d(MPI_COMM_WORLD, 40, 3);
  pinn::map_to_box(interior, {-1, -1}, {1, 1});
  pinn::map_to_box(boundary, {-1, -1}, {1, 1});
  pinn::PdeLoss<pinn::HelmholtzResidual> loss(MPI_COMM_WORLD, net, pinn::HelmholtzResidual{problem},
                                              interior, 1.0, {{"boundary", boundary, 1.0}});
  pinn::ResamplingConfig rc;
  rc.candidates = 2000;
  rc.points = 20;
  rc.lower = {-1, -1};
  rc.upper = {1, 1};
  const long before = static_cast<long>(loss.interior().extent(1));
  std::vector<double> rows;
  EXPECT_EQ(pinn::refine_by_residual(loss, rc, 1, &rows), 20);
  ASSERT_EQ(rows.size(), 20u * 3);
  std::vector<double> uniform;
  const auto sample = pinn::interior_points_2d(MPI_COMM_SELF, 2000, 17);
  pinn::map_to_box(sample, {-1, -1}, {1, 1});
  const auto u = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sample);
  for (size_t k = 0; k < u.extent(1); ++k)
    uniform.push_back(std::abs(problem.source(u(0, k), u(1, k))));
  std::sort(uniform.begin(), uniform.end());
  const double p95 = uniform[uniform.size() * 95 / 100];
  bool negative = false;
  for (size_t r = 0; r < rows.size(); r += 3) {
    const double x = rows[r + 1], y = rows[r + 2];
    EXPECT_TRUE(x >= -1 && x <= 1 && y >= -1 && y <= 1) << x << ", " << y;
    EXPECT_GT(std::abs(problem.source(x, y)), p95) << x << ", " << y;
    negative = negative || x < 0 || y < 0;
  }
  EXPECT_TRUE(negative);
  // Every rank keeps its share, in the loss's interior set.
  long mine = static_cast<long>(loss.interior().extent(1)) - before, total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(total, 20);
}

TEST(ResidualRefinement, ThreeDimensionalRoundsRestoreAsRecorded) {
  // 3D Poisson: rows (round, x, y, z), the columns a checkpoint names them by, and two rounds
  // restored into a loss built afresh give every rank its interior set value for value.
  const physics::PoissonProblem problem{physics::Poisson3D{}};
  nn::Mlp net({3, 1, 8, 2, nn::Activation::Tanh});
  net.initialize_glorot(7);
  const auto make = [&] {
    return std::make_unique<pinn::PdeLoss<pinn::PoissonResidual<3>>>(
        MPI_COMM_WORLD, net, pinn::PoissonResidual<3>{problem},
        pinn::interior_points(MPI_COMM_WORLD, 3, 100, 7), 1.0,
        std::vector<pinn::ConditionPoints>{
            {"boundary", pinn::face_points(MPI_COMM_WORLD, 3, 3, 60, 7), 1.0}});
  };
  const auto refined = make();
  pinn::ResamplingConfig rc;
  rc.candidates = 300;
  rc.points = 5;
  std::vector<double> rows;
  pinn::refine_by_residual(*refined, rc, 1, &rows);
  pinn::refine_by_residual(*refined, rc, 2, &rows);
  ASSERT_EQ(rows.size(), 2u * 5 * 4);
  EXPECT_EQ(rows[rows.size() - 4], 2.0);  // the round of the last row
  EXPECT_EQ(pinn::refinement_columns(3), (std::vector<std::string>{"round", "x", "y", "z"}));
  const auto restored = make();
  EXPECT_EQ(pinn::restore_refinement(*restored, rows), 10);
  EXPECT_EQ(restored->global_interior_points(), 110);
  auto want = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), refined->interior());
  auto got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), restored->interior());
  ASSERT_EQ(got.extent(1), want.extent(1));
  for (std::size_t k = 0; k < got.extent(1); ++k)
    for (int i = 0; i < 3; ++i) EXPECT_EQ(got(i, k), want(i, k)) << "point " << k;
}

TEST(CausalWeights, AreMonotoneAndStartAtOne) {
  const auto w = pinn::causal_weights({0.5, 2.0, 0.1, 1.0}, 2.0);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], 1.0);
  EXPECT_NEAR(w[1], std::exp(-1.0), 1e-15);
  EXPECT_NEAR(w[3], std::exp(-2.0 * 2.6), 1e-15);
  for (size_t i = 1; i < w.size(); ++i) EXPECT_LE(w[i], w[i - 1]);
  EXPECT_EQ(pinn::time_slab(0.0, 8), 0);
  EXPECT_EQ(pinn::time_slab(1.0, 8), 7);
  EXPECT_EQ(pinn::time_slab(0.49, 8), 3);
}

}  // namespace
