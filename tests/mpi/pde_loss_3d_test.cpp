// The 3D PDEs of run: pde on the generic PINN loss (pinn/pde_loss.hpp): Poisson on (x, y, z) and
// heat on (x, y, z, t), whose Laplacian stream sums over the three space inputs only. The gradient
// through each residual's jet sensitivities matches finite differences; the terms of a zero
// network match their closed-form limits; the dimension-generic point sets lie where they should
// and are the same global set on every rank count.
#include <gtest/gtest.h>

#include <cmath>

#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn_training_support.hpp"

namespace {

using namespace tessera;

constexpr std::uint64_t kSeed = 11;

/// Sums over every rank of n terms f(host points, k).
template <class F>
double global_sum(const nn::Matrix& points, F f) {
  const auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  double local = 0, sum = 0;
  for (size_t k = 0; k < h.extent(1); ++k) local += f(h, k);
  MPI_Allreduce(&local, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

struct HeatCase {
  explicit HeatCase(MPI_Comm comm)
      : net({4, 1, 12, 2, nn::Activation::Tanh}),
        interior(pinn::interior_points(comm, 4, 300, kSeed)),
        initial(pinn::interior_points(comm, 4, 64, kSeed + 1)),
        boundary(pinn::face_points(comm, 4, 3, 96, kSeed + 2)) {
    pinn::map_to_box(initial, {0, 0, 0, 0}, {1, 1, 1, 0});
    net.initialize_glorot(kSeed);
  }
  nn::Mlp net;
  nn::Matrix interior, initial, boundary;
};

TEST(PdeLoss3D, PoissonGradientMatchesFiniteDifferences) {
  nn::Mlp net({3, 1, 12, 2, nn::Activation::Tanh});
  net.initialize_glorot(kSeed);
  const auto interior = pinn::interior_points(MPI_COMM_WORLD, 3, 300, kSeed);
  const auto boundary = pinn::face_points(MPI_COMM_WORLD, 3, 3, 96, kSeed);
  // The multiscale source, with a residual weight ~ 1/max f² (as in the deck) that keeps the loss
  // O(1) so the differences are not lost to round-off.
  const physics::Poisson3D problem{0.1, 4};
  pinn::PdeLoss<pinn::PoissonResidual<3>> loss(MPI_COMM_WORLD, net,
                                               pinn::PoissonResidual<3>{problem}, interior, 1e-3,
                                               {{"boundary", boundary, 1.0}});
  nn::Vector x("x", net.parameter_count());
  Kokkos::deep_copy(x, net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss3D, HeatGradientMatchesFiniteDifferences) {
  HeatCase c(MPI_COMM_WORLD);
  // κ = 0.5 keeps the Laplacian stream's share of the gradient comparable with u_t's.
  pinn::PdeLoss<pinn::Heat3DResidual> loss(
      MPI_COMM_WORLD, c.net, pinn::Heat3DResidual{physics::Heat3D{0.5, 1}}, c.interior, 1.0,
      {{"initial", c.initial, 10.0}, {"boundary", c.boundary, 10.0}});
  nn::Vector x("x", c.net.parameter_count());
  Kokkos::deep_copy(x, c.net.parameters());
  EXPECT_LT(test_support::gradient_difference_error(loss, x), 1e-6);
}

TEST(PdeLoss3D, HeatResidualSumsTheLaplacianOverSpaceOnly) {
  // A network whose output depends on t alone through the first layer still has a nonzero
  // d2u/dt2 but no space Laplacian: zero every first-layer weight but the t column, and the
  // residual is u_t exactly, so the residual term equals the mean of u_t² over the interior,
  // computed here from a finite difference in t.
  HeatCase c(MPI_COMM_WORLD);
  const auto w = c.net.weight(c.net.parameters(), 0);
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w);
  for (size_t i = 0; i < host.extent(0); ++i)  // W is fan_out x fan_in, inputs (x, y, z, t)
    for (size_t j = 0; j < 3; ++j) host(i, j) = 0.0;
  Kokkos::deep_copy(w, host);
  pinn::PdeLoss<pinn::Heat3DResidual> loss(MPI_COMM_WORLD, c.net,
                                           pinn::Heat3DResidual{physics::Heat3D{0.5, 1}},
                                           c.interior, 1.0, {{"initial", c.initial, 1.0}});
  nn::Vector g("g", c.net.parameter_count());
  loss.value_and_gradient(c.net.parameters(), g);

  const auto points = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), c.interior);
  const int n = static_cast<int>(points.extent(1));
  const double dt = 1e-5;
  nn::Matrix shifted("shifted", 4, 2 * n);
  auto s = Kokkos::create_mirror_view(shifted);
  for (int p = 0; p < n; ++p)
    for (int d = 0; d < 4; ++d) {
      s(d, p) = points(d, p) + (d == 3 ? dt : 0.0);
      s(d, n + p) = points(d, p) - (d == 3 ? dt : 0.0);
    }
  Kokkos::deep_copy(shifted, s);
  nn::MlpWorkspace ws;
  c.net.prepare(ws, nn::JetOrder::Value, 2 * n);
  double local = 0;
  if (n > 0) {
    c.net.forward(shifted, ws);
    const auto u = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    for (int p = 0; p < n; ++p) local += std::pow((u(p, 0) - u(n + p, 0)) / (2 * dt), 2);
  }
  double sum = 0;
  MPI_Allreduce(&local, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  ASSERT_GT(sum, 1e-6);  // the network does depend on t
  EXPECT_NEAR(loss.term_values()[0], sum / 300, 1e-6 * sum / 300);
}

TEST(PdeLoss3D, TermsOfAFlatNetworkMatchTheirLimits) {
  // With every parameter zero, u = 0: Poisson's residual term is mean f² ~ (3π²)² / 8 (mean of
  // sin² sin² sin² = 1/8) and its boundary term 0; heat's residual and boundary terms are 0 and
  // its initial term w mean sin²(πx) sin²(πy) sin²(πz) ~ w / 8.
  nn::Mlp poisson_net({3, 1, 8, 2, nn::Activation::Tanh});
  Kokkos::deep_copy(poisson_net.parameters(), 0.0);
  const auto interior = pinn::interior_points(MPI_COMM_WORLD, 3, 4000, kSeed);
  const auto boundary = pinn::face_points(MPI_COMM_WORLD, 3, 3, 96, kSeed);
  pinn::PdeLoss<pinn::PoissonResidual<3>> poisson(MPI_COMM_WORLD, poisson_net,
                                                  pinn::PoissonResidual<3>{physics::Poisson3D{}},
                                                  interior, 1.0, {{"boundary", boundary, 10.0}});
  nn::Vector g("g", poisson_net.parameter_count());
  poisson.value_and_gradient(poisson_net.parameters(), g);
  const double limit = std::pow(3 * M_PI * M_PI, 2) / 8;
  EXPECT_NEAR(poisson.term_values()[0], limit, 0.05 * limit);
  EXPECT_LT(poisson.term_values()[1], 1e-28);

  HeatCase c(MPI_COMM_WORLD);
  Kokkos::deep_copy(c.net.parameters(), 0.0);
  pinn::PdeLoss<pinn::Heat3DResidual> heat(
      MPI_COMM_WORLD, c.net, pinn::Heat3DResidual{physics::Heat3D{}}, c.interior, 1.0,
      {{"initial", c.initial, 2.0}, {"boundary", c.boundary, 3.0}});
  nn::Vector gh("gh", c.net.parameter_count());
  heat.value_and_gradient(c.net.parameters(), gh);
  const physics::Heat3D problem;
  const double initial = global_sum(c.initial, [&](const auto& h, size_t k) {
    return std::pow(problem.initial(h(0, k), h(1, k), h(2, k)), 2);
  });
  EXPECT_EQ(heat.term_values()[0], 0.0);
  EXPECT_NEAR(heat.term_values()[1], 2.0 * initial / 64, 1e-12);
  EXPECT_NEAR(heat.term_values()[1], 2.0 / 8, 2.0 * 0.05);  // 64 random points
  EXPECT_LT(heat.term_values()[2], 1e-28);
}

TEST(PointSets, FacePointsLieOnTheSpaceFacesAndTimeStaysFree) {
  const long n = 3000;
  const auto points = pinn::face_points(MPI_COMM_WORLD, 4, 3, n, kSeed);
  double per_face[6] = {};
  const double off = global_sum(points, [&](const auto& h, size_t k) {
    int faces = 0;
    for (int d = 0; d < 3; ++d)
      if (h(d, k) == 0.0 || h(d, k) == 1.0) ++faces, per_face[2 * d + (h(d, k) == 1.0)] += 1;
    return faces == 1 ? 0.0 : 1.0;
  });
  EXPECT_EQ(off, 0.0);  // every point on exactly one face (random points hit no edge)
  MPI_Allreduce(MPI_IN_PLACE, per_face, 6, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  for (double count : per_face) EXPECT_NEAR(count, n / 6.0, 4 * std::sqrt(n / 6.0));
  const double mean_t = global_sum(points, [](const auto& h, size_t k) { return h(3, k); }) / n;
  EXPECT_NEAR(mean_t, 0.5, 4 * std::sqrt(1.0 / 12 / n));
}

TEST(PointSets, ThreeAndFourDimensionalSetsAreTheSameOnEveryRankCount) {
  // The union of the ranks' shares equals the whole set drawn on one rank: compare moments.
  for (int dims : {3, 4}) {
    for (bool faces : {false, true}) {
      const auto shared = faces ? pinn::face_points(MPI_COMM_WORLD, dims, 3, 501, kSeed)
                                : pinn::interior_points(MPI_COMM_WORLD, dims, 501, kSeed);
      const auto whole = faces ? pinn::face_points(MPI_COMM_SELF, dims, 3, 501, kSeed)
                               : pinn::interior_points(MPI_COMM_SELF, dims, 501, kSeed);
      ASSERT_EQ(static_cast<int>(shared.extent(0)), dims);
      const auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), whole);
      for (int d = 0; d < dims; ++d) {
        double expected = 0;
        for (size_t k = 0; k < h.extent(1); ++k) expected += h(d, k) * h(d, k);
        const double got =
            global_sum(shared, [d](const auto& s, size_t k) { return s(d, k) * s(d, k); });
        EXPECT_NEAR(got, expected, 1e-12 * expected) << dims << "D, direction " << d;
      }
    }
  }
}

}  // namespace
