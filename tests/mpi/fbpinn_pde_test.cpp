// FBPINN over the PdeLoss residual interface beyond Poisson (dd/windowed_sum, dd/fbpinn_loss):
// the windowed sum of three outputs with the Laplacian over x only matches finite differences of
// its assembled values (across ranks); FbpinnLoss<Pde>'s local gradients are those of the global
// objective for Burgers and Allen–Cahn on space-time boxes (a Dirichlet or Neumann side, the
// initial value, a free final time) and steady Navier–Stokes (three outputs, the pressure gauge on
// one face), with the conditions run: pde -pde_method fbpinn uses; the same tiling trains along
// a recorded trajectory and identically on every rank count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "dd/fbpinn_loss.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd_test_support.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/xpinn_learner.hpp"

namespace {

using namespace tessera;
using test_support::losses;
using test_support::world_rank;

TEST(WindowedSum, ThreeOutputsWithASpatialLaplacianMatchFiniteDifferences) {
  // 4 x 4 subdomains of the Kovasznay box: on 4 ranks every rank has neighbours on 3 others.
  const auto box = test_support::pde_box("kovasznay");
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, box[0], box[1], {4, 4, 1});
  dd::PartitionOfUnity pu(grid, 0.3);
  nn::StackedMlp nets({2, 3, 8, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size()));
  std::vector<std::uint64_t> seeds;
  for (int id : grid.owned()) seeds.push_back(60 + id);
  nets.initialize_glorot(seeds);
  // Per owned box: 20 centres and their 5-point stencils, all inside the box.
  const double h = 1e-4;
  const int centres = 20;
  const auto xy = test_support::stencil_points(grid, h, centres);
  dd::WindowedSum sum(grid, pu, nets, xy, 1);  // the Laplacian over x only
  ASSERT_EQ(sum.outputs(), 3);
  sum.forward();
  const int streams = dd::jet_count(2), width = 3 * streams;
  const auto jets = sum.host_jets();
  double worst[3] = {0, 0, 0};
  for (size_t l = 0; l < xy.size(); ++l)
    for (int c = 0; c < centres; ++c)
      for (int k = 0; k < 3; ++k) {
        // Jet q of output k at stencil point s.
        const auto u = [&](int s, int q) { return jets[l][width * (5 * c + s) + streams * k + q]; };
        const double dx = (u(1, 0) - u(2, 0)) / (2 * h), dy = (u(3, 0) - u(4, 0)) / (2 * h);
        const double uxx = (u(1, 0) + u(2, 0) - 2 * u(0, 0)) / (h * h);
        worst[0] = std::max(worst[0], std::abs(u(0, 1) - dx) / (1 + std::abs(dx)));
        worst[1] = std::max(worst[1], std::abs(u(0, 2) - dy) / (1 + std::abs(dy)));
        worst[2] = std::max(worst[2], std::abs(u(0, 3) - uxx) / (1 + std::abs(uxx)));
      }
  MPI_Allreduce(MPI_IN_PLACE, worst, 3, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (world_rank() == 0)
    std::printf("3 outputs vs central differences (h = %g): d/dx %.1e, d/dy %.1e, d2/dx2 %.1e\n", h,
                worst[0], worst[1], worst[2]);
  // O(h²) errors of the central differences; a wrong product-rule term (the y part of the
  // window's Laplacian or of ∇w·∇N left in) would be O(1).
  EXPECT_LT(worst[0], 3e-5);
  EXPECT_LT(worst[1], 3e-5);
  EXPECT_LT(worst[2], 1e-3);
}

/// A small FBPINN problem of -pde `pde` on 2 x 2 subdomains of its box over comm.
struct Problem {
  Problem(MPI_Comm comm, const std::string& pde, dd::Corner lo, dd::Corner hi, int outputs)
      : grid(comm, test_support::pde_dim(pde), lo, hi, {2, 2, 1}),
        windows(grid, 0.3),
        nets(test_support::small_networks(grid, outputs)),
        inner(grid, nets.parameters_per_network()) {
    std::visit(
        [&](const auto& residual) {
          using Pde = std::decay_t<decltype(residual)>;
          loss = std::make_unique<dd::FbpinnLoss<Pde>>(grid, windows, nets, residual,
                                                       test_support::small_points(),
                                                       problems::domain_conditions(pde));
        },
        test_support::plane_pde(pde));
  }
  pinn::TrainingResult train(int adam, int lbfgs) {
    return test_support::train_briefly(*loss, nets, inner, adam, lbfgs);
  }
  dd::SubdomainGrid grid;
  dd::PartitionOfUnity windows;
  nn::StackedMlp nets;
  std::unique_ptr<dd::FbpinnLossBase> loss;
  dd::SubdomainInnerProduct inner;
};

std::unique_ptr<Problem> problem(MPI_Comm comm, const std::string& pde) {
  const auto box = test_support::pde_box(pde);
  return std::make_unique<Problem>(comm, pde, box[0], box[1], pde == "kovasznay" ? 3 : 1);
}

TEST(FbpinnPdeLoss, GradientIsThatOfTheGlobalObjective) {
  for (const char* pde : {"burgers", "allen_cahn", "kovasznay", "heat3d"}) {
    SCOPED_TRACE(pde);
    auto p = problem(MPI_COMM_WORLD, pde);
    test_support::expect_gradient_matches_differences(p->grid, *p->loss, p->nets);
  }
}

TEST(FbpinnPdeLoss, FreeFacesGetNoPoints) {
  // Burgers: x = ±1 and t = 0 constrained, t = 1 free. Subdomain 0 (x < 0, t < 1/2) has the faces
  // -x and -t; subdomain 3 (x > 0, t > 1/2) only +x, its +t face being the final time.
  const auto faces = problems::domain_conditions("burgers");
  dd::SubdomainGrid grid(MPI_COMM_SELF, 2, {-1, 0, 0}, {1, 1, 1}, {2, 2, 1});
  dd::SubdomainPointConfig points;
  points.interior_points = 10;
  points.face_points = 4;
  EXPECT_EQ(dd::FbpinnLossBase::training_points(grid, 0, points, faces).size(), 2u * (10 + 2 * 4));
  const auto last = dd::FbpinnLossBase::training_points(grid, 3, points, faces);
  ASSERT_EQ(last.size(), 2u * (10 + 4));
  for (int p = 10; p < 14; ++p) EXPECT_EQ(last[2 * p], grid.box(3).hi[0]);  // on x = 1
}

TEST(FbpinnPdeLoss, HeatSubdomainsSpanTheTimeRangeWithTheInitialValueAtItsStart) {
  // 2 x 2 x 1 subdomains of the unit cube, each over t in [0, 1] (time is not tiled): subdomain 0
  // (x, y < 1/2) has the domain faces -x, -y, -z, +z and t = 0; t = 1 is free.
  const auto faces = problems::domain_conditions("heat3d");
  dd::SubdomainGrid grid(MPI_COMM_SELF, 4, {0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 1});
  EXPECT_EQ(grid.count(), 4);
  EXPECT_EQ(grid.tiled_dim(), 3);
  EXPECT_EQ(grid.face_count(), 8);
  EXPECT_TRUE(grid.neighbour(0, 1).exists());   // +x
  EXPECT_FALSE(grid.neighbour(0, 6).exists());  // -t
  EXPECT_FALSE(grid.neighbour(3, 7).exists());  // +t
  EXPECT_STREQ(dd::face_name(6), "-t");
  for (int id = 0; id < grid.count(); ++id) {
    EXPECT_EQ(grid.box(id).lo[3], 0.0);
    EXPECT_EQ(grid.box(id).hi[3], 1.0);
  }
  dd::SubdomainPointConfig points;
  points.interior_points = 10;
  points.face_points = 4;
  const auto xyzt = dd::FbpinnLossBase::training_points(grid, 0, points, faces);
  ASSERT_EQ(xyzt.size(), 4u * (10 + 5 * 4));
  for (size_t p = 0; p < xyzt.size() / 4; ++p) {
    EXPECT_GE(xyzt[4 * p + 3], 0.0);
    EXPECT_LE(xyzt[4 * p + 3], 1.0);
  }
  for (int p = 26; p < 30; ++p) EXPECT_EQ(xyzt[4 * p + 3], 0.0);  // the last face's: t = 0
}

TEST(FbpinnPdeLoss, NavierStokesTrainsTheSameOnEveryRankCount) {
  const auto shared = test_support::expect_same_trajectory_on_every_rank_count(
      [](MPI_Comm comm) { return problem(comm, "kovasznay"); }, 20, 10, "fbpinn_kovasznay");
  const auto a = losses(shared.history);
  EXPECT_LT(a.back(), 0.5 * a.front());  // it trains
}

TEST(FbpinnPdeLoss, ConditionsNameOnlyWhatTheNetworksHave) {
  // Navier–Stokes conditions (outputs 0..2) on one-output networks.
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, {0, 0, 0}, {1, 1, 1}, {2, 2, 1});
  dd::PartitionOfUnity windows(grid, 0.3);
  nn::StackedMlp nets({2, 1, 4, 1, nn::Activation::Tanh}, static_cast<int>(grid.owned().size()));
  EXPECT_THROW(dd::FbpinnLoss<pinn::HelmholtzResidual>(
                   grid, windows, nets, pinn::HelmholtzResidual{}, dd::SubdomainPointConfig{},
                   problems::domain_conditions("kovasznay")),
               Error);
}

}  // namespace
