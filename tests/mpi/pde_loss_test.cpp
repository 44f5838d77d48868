// The generic PINN loss (pinn/pde_loss.hpp) with the Burgers, Helmholtz and Allen–Cahn residuals
// (the last with a Neumann condition): the gradient through each residual's jet sensitivities
// matches finite differences, and the terms of a zero network match their closed-form limits.
// Causal training: the gradient with the weights frozen, the weights' independence of the rank
// count, and their effect on a heat problem's late times.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/log.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn_training_support.hpp"

namespace {

using namespace tessera;

constexpr std::uint64_t kSeed = 11;

struct BurgersCase {
  explicit BurgersCase(MPI_Comm comm)
      : net({2, 1, 12, 2, nn::Activation::Tanh}),
        points(pinn::space_time_points(comm, 300, 64, 64, kSeed)) {
    for (const auto* set : {&points.interior, &points.initial, &points.boundary})
      pinn::map_to_box(*set, {-1, 0}, {1, 1});
    net.initialize_glorot(kSeed);
  }
  nn::Mlp net;
  pinn::SpaceTimePoints points;
};

struct HelmholtzCase {
  explicit HelmholtzCase(MPI_Comm comm)
      : net({2, 1, 12, 2, nn::Activation::Tanh}),
        interior(pinn::interior_points_2d(comm, 2000, kSeed)),
        boundary(pinn::boundary_points_2d(comm, 64, kSeed)) {
    pinn::map_to_box(interior, {-1, -1}, {1, 1});
    pinn::map_to_box(boundary, {-1, -1}, {1, 1});
    net.initialize_glorot(kSeed);
  }
  nn::Mlp net;
  nn::Matrix interior, boundary;
};

TEST(PdeLoss, BurgersGradientMatchesFiniteDifferences) {
  BurgersCase c(MPI_COMM_WORLD);
  // A viscosity of 0.1 keeps the second-derivative stream's share of the gradient visible.
  pinn::PdeLoss<pinn::BurgersResidual> loss(
      MPI_COMM_WORLD, c.net, pinn::BurgersResidual{physics::Burgers1D{0.1}}, c.points.interior, 1.0,
      {{"initial", c.points.initial, 10.0}, {"boundary", c.points.boundary, 10.0}});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss, HelmholtzGradientMatchesFiniteDifferences) {
  HelmholtzCase c(MPI_COMM_WORLD);
  // A residual weight ~ 1/max f² (as in the deck) keeps the loss O(1), so the differences are not
  // lost to round-off; the k²u term still carries ~1% of the gradient.
  pinn::PdeLoss<pinn::HelmholtzResidual> loss(MPI_COMM_WORLD, c.net,
                                              pinn::HelmholtzResidual{physics::Helmholtz2D{}},
                                              c.interior, 1e-4, {{"boundary", c.boundary, 1.0}});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss, AllenCahnGradientWithANeumannConditionMatchesFiniteDifferences) {
  BurgersCase c(MPI_COMM_WORLD);  // the same (x, t) point sets
  // A diffusion of 0.1 keeps the u_xx stream's share of the gradient visible.
  pinn::PdeLoss<pinn::AllenCahnResidual> loss(
      MPI_COMM_WORLD, c.net, pinn::AllenCahnResidual{physics::AllenCahn1D{0.1, 5.0}},
      c.points.interior, 1.0,
      {{"initial", c.points.initial, 10.0}, {"boundary", c.points.boundary, 10.0, 0}});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss, AllenCahnGradientWithCausalWeightsFrozenMatchesFiniteDifferences) {
  // The optimizer's gradient treats the causal weights as constants: frozen after one evaluation,
  // the loss is a fixed weighted sum of slab losses whose gradient finite differences check.
  BurgersCase c(MPI_COMM_WORLD);
  pinn::PdeLoss<pinn::AllenCahnResidual> loss(
      MPI_COMM_WORLD, c.net, pinn::AllenCahnResidual{physics::AllenCahn1D{0.1, 5.0}},
      c.points.interior, 1.0,
      {{"initial", c.points.initial, 10.0}, {"boundary", c.points.boundary, 10.0, 0}},
      pinn::CausalConfig{4, 1.0});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  nn::Vector g("g", c.net.parameter_count());
  loss.value_and_gradient(x, g);
  const auto w = loss.causal_weights();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_LT(w.back(), 0.99);  // the weights are not all 1: the check covers the slab scaling
  loss.freeze_causal_weights(true);
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
  EXPECT_EQ(loss.causal_weights(), w);
}

TEST(PdeLoss, CausalWeightsAreTheSameOnAnyRankCountAndWeighTheSlabLosses) {
  // The distributed loss against one rank holding every point (the point sets are drawn the same
  // way on any rank count): the same slab losses and weights, and a residual term that is
  // (w_r / S) sum_i c_i L_i.
  const pinn::CausalConfig causal{8, 2.0};
  const pinn::AllenCahnResidual pde{physics::AllenCahn1D{1e-4, 5.0}};
  BurgersCase all(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  pinn::PdeLoss<pinn::AllenCahnResidual> distributed(MPI_COMM_WORLD, all.net, pde,
                                                     all.points.interior, 3.0,
                                                     {{"initial", all.points.initial}}, causal);
  pinn::PdeLoss<pinn::AllenCahnResidual> one_rank(MPI_COMM_SELF, self.net, pde,
                                                  self.points.interior, 3.0,
                                                  {{"initial", self.points.initial}}, causal);
  nn::Vector g("g", all.net.parameter_count());
  distributed.value_and_gradient(all.net.parameters(), g);
  one_rank.value_and_gradient(self.net.parameters(), g);
  const auto& w = distributed.causal_weights();
  const auto& losses = distributed.slab_losses();
  ASSERT_EQ(w.size(), 8u);
  double weighted = 0, preceding = 0;
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR(losses[i], one_rank.slab_losses()[i], 1e-12 * losses[i]);
    EXPECT_NEAR(w[i], one_rank.causal_weights()[i], 1e-12);
    EXPECT_NEAR(w[i], std::exp(-2.0 * preceding), 1e-14);
    preceding += losses[i];
    weighted += w[i] * losses[i];
  }
  EXPECT_LT(w.back(), 0.5);  // an untrained network: the late slabs wait for the early ones
  EXPECT_NEAR(distributed.term_values()[0], 3.0 * weighted / 8, 1e-12 * weighted);
}

/// The 1D heat equation u_t = nu u_xx as a PdeLoss residual, for the causal training test: its
/// exact solution shows what each training reached at late times.
struct HeatResidual {
  physics::Heat1D problem;
  static constexpr int inputs = 2, outputs = 1, residuals = 1, laplacian_dims = 1;

  KOKKOS_INLINE_FUNCTION void residual(const pinn::PointJet& jet, double* r,
                                       pinn::JetSensitivity* dr) const {
    dr[0].gradient[0][1] = 1.0;
    dr[0].laplacian[0] = -problem.diffusivity;
    r[0] = problem.residual(jet.gradient[0][1], jet.laplacian[0]);
  }
  KOKKOS_INLINE_FUNCTION double condition(int, const double* x) const {
    return problem.exact(x[0], x[1]);  // the initial value at t = 0, 0 at x = 0, 1
  }
};

TEST(PdeLoss, HeatGradientMatchesFiniteDifferences) {
  // u_t from the gradient stream and u_xx from the Laplacian restricted to x (laplacian_dims = 1),
  // with weights 2 and 3 on the initial and boundary terms.
  const physics::Heat1D problem{0.1, 1.0};
  nn::Mlp net({2, 1, 6, 2, nn::Activation::Tanh});
  net.initialize_glorot(3);
  const auto points = pinn::space_time_points(MPI_COMM_WORLD, 64, 16, 16, 3);
  pinn::PdeLoss<HeatResidual> loss(
      MPI_COMM_WORLD, net, HeatResidual{problem}, points.interior, 1.0,
      {{"initial", points.initial, 2.0}, {"boundary", points.boundary, 3.0}});
  nn::Vector x("x", net.parameter_count());
  Kokkos::deep_copy(x, net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-7);
}

struct CausalOutcome {
  double late_error = 0;
  std::vector<double> weights;
};

CausalOutcome train_heat(double epsilon) {
  const physics::Heat1D problem{0.05, 2.0};
  nn::Mlp net({2, 1, 24, 2, nn::Activation::Tanh});
  net.initialize_glorot(9);
  const auto points = pinn::space_time_points(MPI_COMM_WORLD, 1024, 128, 128, 9);
  pinn::PdeLoss<HeatResidual> loss(MPI_COMM_WORLD, net, HeatResidual{problem}, points.interior, 1.0,
                                   {{"initial", points.initial}, {"boundary", points.boundary}},
                                   pinn::CausalConfig{16, epsilon});
  pinn::train(loss, net, test_support::adam_only(600, 1e-2, 1e-3));
  return {test_support::relative_error(
              net, [&](double x, double t) { return problem.exact(x, t); }, 65, 0.75),
          loss.causal_weights()};
}

TEST(PdeLoss, CausalTrainingFitsTheLateTimesBetter) {
  // A heat problem: after the same 600 Adam iterations, the causally trained network is the more
  // accurate on t in [0.75, 1].
  const auto plain = train_heat(0.0), causal = train_heat(10.0);
  TESSERA_LOG("PdeLoss causal training, heat u_t = 0.05 u_xx, k = 2, 600 Adam iterations: "
              << "relative L2 on t in [0.75, 1] " << plain.late_error << " plain, "
              << causal.late_error << " causal (eps 10); last slab weight "
              << causal.weights.back());
  EXPECT_EQ(plain.weights, std::vector<double>{1.0});  // epsilon 0: one slab, the plain mean
  ASSERT_EQ(causal.weights.size(), 16u);
  EXPECT_LT(causal.weights.back(), 1.0);
  EXPECT_LT(causal.late_error, 0.9 * plain.late_error);  // 0.054 vs 0.067 measured
}

/// Kovasznay flow at Re = 10 on a (u, v, p) network: three residuals coupling the outputs; 300
/// interior and 64 boundary points over the flow's box.
struct KovasznayCase {
  using Residual = pinn::SteadyNavierStokesResidual<physics::Kovasznay>;
  KovasznayCase()
      : net({2, 3, 12, 2, nn::Activation::Tanh}),
        interior(pinn::interior_points_2d(MPI_COMM_WORLD, 300, kSeed)),
        boundary(pinn::boundary_points_2d(MPI_COMM_WORLD, 64, kSeed)) {
    net.initialize_glorot(kSeed);
    for (const auto* set : {&interior, &boundary})
      pinn::map_to_box(*set, {physics::Kovasznay::x_min, physics::Kovasznay::y_min},
                       {physics::Kovasznay::x_max, physics::Kovasznay::y_max});
  }
  nn::Mlp net;
  nn::Matrix interior, boundary;
  Residual pde{physics::Kovasznay{10.0}};
};

TEST(PdeLoss, NavierStokesGradientOfThreeOutputsMatchesFiniteDifferences) {
  // A Dirichlet condition on each velocity component and a Neumann one on the pressure.
  KovasznayCase c;
  pinn::PdeLoss<KovasznayCase::Residual> loss(MPI_COMM_WORLD, c.net, c.pde, c.interior, 1.0,
                                              {{"u", c.boundary, 10.0, -1, 0},
                                               {"v", c.boundary, 10.0, -1, 1},
                                               {"p_x", c.boundary, 1.0, 0, 2}});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss, NavierStokesTermsVanishOnlyForTheExactFlow) {
  // A (u, v, p) network with zero parameters is (0, 0, 0): it solves the equations (every residual
  // 0) but misses the boundary data, whose term is then w mean over the boundary of u_exact².
  using Residual = pinn::SteadyNavierStokesResidual<physics::Kovasznay>;
  nn::Mlp net({2, 3, 8, 2, nn::Activation::Tanh});
  Kokkos::deep_copy(net.parameters(), 0.0);
  const physics::Kovasznay flow{40.0};
  const auto interior = pinn::interior_points_2d(MPI_COMM_WORLD, 100, kSeed);
  const auto boundary = pinn::boundary_points_2d(MPI_COMM_WORLD, 64, kSeed);
  for (const auto* set : {&interior, &boundary})
    pinn::map_to_box(*set, {physics::Kovasznay::x_min, physics::Kovasznay::y_min},
                     {physics::Kovasznay::x_max, physics::Kovasznay::y_max});
  pinn::PdeLoss<Residual> loss(MPI_COMM_WORLD, net, Residual{flow}, interior, 1.0,
                               {{"u", boundary, 2.0, -1, 0}});
  nn::Vector g("g", net.parameter_count());
  loss.value_and_gradient(net.parameters(), g);
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), boundary);
  double local = 0;
  for (size_t p = 0; p < host.extent(1); ++p)
    local += std::pow(flow.velocity_x(host(0, p), host(1, p)), 2);
  long count = static_cast<long>(host.extent(1));
  double sum = 0;
  long total = 0;
  MPI_Allreduce(&local, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(&count, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(loss.term_values()[0], 0.0);
  EXPECT_NEAR(loss.term_values()[1], 2.0 * sum / total, 1e-12);
}

TEST(PdeLoss, BatchesGiveTheValueAndGradientOfOneBatch) {
  // The Kovasznay loss, its interior in batches of 37 points (a remainder batch on every rank
  // count): the same value and gradient as all points at once, up to the sums' order, and a
  // gradient that still matches finite differences.
  KovasznayCase c;
  auto& net = c.net;
  const std::vector<pinn::ConditionPoints> conditions{{"u", c.boundary, 10.0, -1, 0},
                                                      {"v", c.boundary, 10.0, -1, 1}};
  pinn::PdeLoss<KovasznayCase::Residual> whole(MPI_COMM_WORLD, net, c.pde, c.interior, 1.0,
                                               conditions);
  pinn::PdeLoss<KovasznayCase::Residual> batched(MPI_COMM_WORLD, net, c.pde, c.interior, 1.0,
                                                 conditions, {}, 37);
  nn::Vector x("x", net.parameter_count()), g0("g0", x.extent(0)), g1("g1", x.extent(0));
  Kokkos::deep_copy(x, net.parameters());
  const double v0 = whole.value_and_gradient(x, g0), v1 = batched.value_and_gradient(x, g1);
  EXPECT_NEAR(v1, v0, 1e-13 * v0);
  const auto h0 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g0);
  const auto h1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g1);
  double diff = 0, norm = 0;
  for (size_t k = 0; k < h0.extent(0); ++k)
    diff = std::max(diff, std::abs(h1(k) - h0(k))), norm = std::max(norm, std::abs(h0(k)));
  EXPECT_LT(diff, 1e-12 * norm);
  EXPECT_LT(test_support::gradient_difference_error(batched, x), 1e-6);
}

TEST(PdeLoss, ResidualMagnitudesOfAZeroNetworkAreTheSource) {
  // u = 0 leaves the Helmholtz residual -Δu - k²u - f = -f: residual-based refinement ranks the
  // candidates by |f|.
  HelmholtzCase c(MPI_COMM_WORLD);
  Kokkos::deep_copy(c.net.parameters(), 0.0);
  const physics::Helmholtz2D problem;
  pinn::PdeLoss<pinn::HelmholtzResidual> loss(MPI_COMM_WORLD, c.net,
                                              pinn::HelmholtzResidual{problem}, c.interior, 1.0,
                                              {{"boundary", c.boundary, 1.0}});
  const auto magnitude = loss.residual_magnitudes(c.interior);
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), c.interior);
  ASSERT_EQ(magnitude.size(), x.extent(1));
  for (size_t p = 0; p < magnitude.size(); ++p)
    EXPECT_NEAR(magnitude[p], std::abs(problem.source(x(0, p), x(1, p))),
                1e-12 * (1 + std::abs(problem.source(x(0, p), x(1, p)))));
}

TEST(PdeLoss, TermsOfAFlatNetworkMatchTheirLimits) {
  // With every parameter zero, u = 0 exactly: the Burgers initial term is w mean sin²(πx) ~ w/2
  // and the Helmholtz residual term mean f² ~ (17π² - 1)² / 4 (mean of sin² sin² = 1/4).
  BurgersCase b(MPI_COMM_WORLD);
  Kokkos::deep_copy(b.net.parameters(), 0.0);
  pinn::PdeLoss<pinn::BurgersResidual> burgers(
      MPI_COMM_WORLD, b.net, pinn::BurgersResidual{physics::Burgers1D{}}, b.points.interior, 1.0,
      {{"initial", b.points.initial, 2.0}, {"boundary", b.points.boundary, 3.0}});
  nn::Vector g("g", b.net.parameter_count());
  const double value = burgers.value_and_gradient(b.net.parameters(), g);
  const auto terms = burgers.term_values();
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0], 0.0);                      // u = 0 solves the PDE
  EXPECT_NEAR(terms[1], 2.0 * 0.5, 2.0 * 0.15);  // 64 random points: mean sin² within 0.15
  EXPECT_LT(terms[2], 1e-28);                    // u(±1, t) = 0 is met
  EXPECT_NEAR(value, terms[0] + terms[1] + terms[2], 1e-15);

  HelmholtzCase h(MPI_COMM_WORLD);
  Kokkos::deep_copy(h.net.parameters(), 0.0);
  pinn::PdeLoss<pinn::HelmholtzResidual> helmholtz(
      MPI_COMM_WORLD, h.net, pinn::HelmholtzResidual{physics::Helmholtz2D{}}, h.interior, 1.0,
      {{"boundary", h.boundary, 10.0}});
  helmholtz.value_and_gradient(h.net.parameters(), g);
  const double limit = std::pow(17 * M_PI * M_PI - 1, 2) / 4;
  EXPECT_NEAR(helmholtz.term_values()[0], limit, 0.1 * limit);
  EXPECT_LT(helmholtz.term_values()[1], 1e-28);  // sin(πx) sin(4πy) = 0 on the boundary
}

}  // namespace
