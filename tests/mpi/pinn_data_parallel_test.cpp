// Data-parallel PINN training: the loss gradient is exact (finite differences), and the training
// follows a recorded trajectory whatever the number of ranks that share the collocation points.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/trainer.hpp"
#include "pinn_training_support.hpp"

namespace {

using namespace tessera;

constexpr long kInterior = 300, kBoundary = 64;
constexpr std::uint64_t kSeed = 7;

struct Problem {
  explicit Problem(MPI_Comm comm, double frequency = 1.0)
      : net({2, 1, 12, 2, nn::Activation::Tanh}),
        interior(pinn::interior_points_2d(comm, kInterior, kSeed)),
        boundary(pinn::boundary_points_2d(comm, kBoundary, kSeed)),
        loss(comm, net, {physics::Poisson2D{frequency}}, interior, 1.0,
             {{"boundary", boundary, 10.0}}) {
    net.initialize_glorot(kSeed);
  }
  nn::Mlp net;
  nn::Matrix interior, boundary;
  pinn::PdeLoss<pinn::PoissonResidual<2>> loss;
};

std::vector<double> host_copy(const nn::Vector& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

TEST(PoissonPdeLoss, GradientMatchesFiniteDifferences) {
  Problem p(MPI_COMM_WORLD, 2.0);
  nn::Vector x("x", p.net.parameter_count());
  Kokkos::deep_copy(x, p.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(p.loss, x), 1e-6);
}

TEST(PoissonPdeLoss, TermsSumToTheValueAndMatchTheExactSolutionLimit) {
  Problem p(MPI_COMM_WORLD);
  nn::Vector g("g", p.net.parameter_count());
  const double value = p.loss.value_and_gradient(p.net.parameters(), g);
  const auto terms = p.loss.term_values();
  EXPECT_NEAR(terms[0] + terms[1], value, 1e-14 * value);
  // An untrained net is nearly flat, so the residual term is about mean(f^2) = (2 pi^2)^2 / 4.
  EXPECT_NEAR(terms[0], std::pow(2 * M_PI * M_PI, 2) / 4, 0.25 * std::pow(2 * M_PI * M_PI, 2) / 4);
}

TEST(DataParallel, TrainingIsIndependentOfTheRankCount) {
  pinn::TrainingConfig config;
  config.adam_iterations = 40;
  config.adam_learning_rate = 1e-2;
  config.adam_final_learning_rate = 1e-3;
  config.lbfgs_iterations = 15;
  config.log_every = 1;
  config.verbose = false;
  // The same problem on all ranks of the world (points split) and on this rank alone (all points).
  Problem world(MPI_COMM_WORLD), alone(MPI_COMM_SELF);
  const auto rw = pinn::train(world.loss, world.net, config);
  // Against the losses recorded once, so that one rank, where world and alone coincide, checks too.
  test_support::expect_recorded_losses(
      rw.history, test_support::recorded_losses("poisson_data_parallel"), "poisson_data_parallel");
  const auto ra = pinn::train(alone.loss, alone.net, config);
  const auto pw = host_copy(world.net.parameters()), pa = host_copy(alone.net.parameters());
  double diff = 0, norm = 0;
  for (size_t k = 0; k < pw.size(); ++k)
    diff = std::max(diff, std::abs(pw[k] - pa[k])), norm = std::max(norm, std::abs(pa[k]));
  EXPECT_LT(diff / norm, 1e-9) << "parameters differ between rank counts";
  EXPECT_NEAR(rw.final_loss, ra.final_loss, 1e-9 * ra.final_loss);
  EXPECT_LT(rw.final_loss, 0.1 * rw.history.rows[2]) << "training did not reduce the loss";
}

}  // namespace
