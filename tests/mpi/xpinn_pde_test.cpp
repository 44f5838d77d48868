// XpinnLoss over the PdeLoss residual interface beyond Poisson: Burgers and Allen–Cahn on
// space-time subdomains (a Dirichlet or Neumann side, the initial value, a free final time) and
// steady Navier–Stokes (three outputs, three interface channels, the pressure gauge on one face),
// with the conditions run: pde -pde_method xpinn uses. The local gradients are those of the
// global objective (finite differences across subdomains and ranks), and the same tiling trains
// along a recorded trajectory and identically on every rank count.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>

#include "dd/subdomain_sums.hpp"
#include "dd/xpinn_loss.hpp"
#include "dd_test_support.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/xpinn_learner.hpp"

namespace {

using namespace tessera;
using test_support::losses;

/// A small XPINN problem of -pde `pde` on 2 x 2 subdomains of its box over comm.
struct Problem {
  Problem(MPI_Comm comm, const std::string& pde, dd::Corner lo, dd::Corner hi, int outputs)
      : grid(comm, test_support::pde_dim(pde), lo, hi, {2, 2, 1}),
        nets(test_support::small_networks(grid, outputs)),
        inner(grid, nets.parameters_per_network()) {
    std::visit(
        [&](const auto& residual) {
          using Pde = std::decay_t<decltype(residual)>;
          loss = std::make_unique<dd::XpinnLoss<Pde>>(
              grid, nets, residual, test_support::small_points(),
              dd::InterfaceWeights{2.0, 1.0, 0.5, 0.1}, problems::domain_conditions(pde));
        },
        test_support::plane_pde(pde));
  }
  pinn::TrainingResult train(int adam, int lbfgs) {
    return test_support::train_briefly(*loss, nets, inner, adam, lbfgs);
  }
  dd::SubdomainGrid grid;
  nn::StackedMlp nets;
  std::unique_ptr<dd::XpinnLossBase> loss;
  dd::SubdomainInnerProduct inner;
};

std::unique_ptr<Problem> problem(MPI_Comm comm, const std::string& pde) {
  const auto box = test_support::pde_box(pde);
  return std::make_unique<Problem>(comm, pde, box[0], box[1], pde == "kovasznay" ? 3 : 1);
}

TEST(XpinnPdeLoss, GradientIsThatOfTheGlobalObjective) {
  for (const char* pde : {"burgers", "allen_cahn", "kovasznay", "heat3d"}) {
    SCOPED_TRACE(pde);
    auto p = problem(MPI_COMM_WORLD, pde);
    test_support::expect_gradient_matches_differences(p->grid, *p->loss, p->nets);
  }
}

TEST(XpinnPdeLoss, NavierStokesTrainsTheSameOnEveryRankCount) {
  const auto shared = test_support::expect_same_trajectory_on_every_rank_count(
      [](MPI_Comm comm) { return problem(comm, "kovasznay"); }, 20, 10, "xpinn_kovasznay");
  const auto a = losses(shared.history);
  EXPECT_LT(a.back(), 0.5 * a.front());  // it trains
}

TEST(XpinnPdeLoss, ConditionsNameOnlyWhatTheNetworksHave) {
  // Navier–Stokes conditions (outputs 0..2) on one-output networks.
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, {0, 0, 0}, {1, 1, 1}, {2, 2, 1});
  nn::StackedMlp nets({2, 1, 4, 1, nn::Activation::Tanh}, static_cast<int>(grid.owned().size()));
  EXPECT_THROW(dd::XpinnLoss<pinn::HelmholtzResidual>(
                   grid, nets, pinn::HelmholtzResidual{}, dd::SubdomainPointConfig{},
                   dd::InterfaceWeights{}, problems::domain_conditions("kovasznay")),
               Error);
}

}  // namespace
