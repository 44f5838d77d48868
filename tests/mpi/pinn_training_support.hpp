#pragma once
// Shared by the PINN feature tests: small Poisson problems trained by Adam alone, and the
// relative L2 error of a network against an exact solution on a grid.
#include <cmath>
#include <cstdint>
#include <functional>

#include "pinn/collocation.hpp"
#include "pinn/poisson_loss.hpp"
#include "pinn/trainer.hpp"

namespace tessera::test_support {

/// Relative L2 error of net against exact(x, y) on an n x n grid of [0,1] x [y0, 1], boundary
/// included. Every rank evaluates the whole grid (the networks are replicated).
inline double relative_error(const nn::Mlp& net, const std::function<double(double, double)>& exact,
                             int n = 65, double y0 = 0.0) {
  nn::Matrix points("grid", 2, n * n);
  auto h = Kokkos::create_mirror_view(points);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      h(0, j * n + i) = double(i) / (n - 1), h(1, j * n + i) = y0 + (1 - y0) * j / (n - 1);
  Kokkos::deep_copy(points, h);
  nn::MlpWorkspace ws;
  net.prepare(ws, nn::JetOrder::Value, n * n);
  net.forward(points, ws);
  auto u = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
  double num = 0, den = 0;
  for (int k = 0; k < n * n; ++k) {
    const double e = exact(h(0, k), h(1, k));
    num += (u(k, 0) - e) * (u(k, 0) - e), den += e * e;
  }
  return std::sqrt(num / den);
}

/// Collective over the objective's communicator. ||g - g_fd|| / ||g_fd|| at x, g the objective's
/// gradient and g_fd its central differences (step 1e-6) in every parameter; x is restored.
/// x must not be the network's own parameter view (the loss copies x into it).
inline double gradient_difference_error(nn::Objective& objective, const nn::Vector& x) {
  nn::Vector g("g", x.extent(0));
  objective.value_and_gradient(x, g);
  auto analytic = Kokkos::create_mirror(Kokkos::HostSpace(), g);  // a copy, never g itself
  Kokkos::deep_copy(analytic, g);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  double num = 0, den = 0;
  const double h = 1e-6;
  for (size_t k = 0; k < hx.extent(0); ++k) {
    const double saved = hx(k);
    hx(k) = saved + h;
    Kokkos::deep_copy(x, hx);
    const double fp = objective.value_and_gradient(x, g);
    hx(k) = saved - h;
    Kokkos::deep_copy(x, hx);
    const double fm = objective.value_and_gradient(x, g);
    hx(k) = saved;
    Kokkos::deep_copy(x, hx);
    const double fd = (fp - fm) / (2 * h);
    num += (fd - analytic(k)) * (fd - analytic(k));
    den += fd * fd;
  }
  return std::sqrt(num / den);
}

inline pinn::TrainingConfig adam_only(int iterations, double lr, double lr_final) {
  pinn::TrainingConfig c;
  c.adam_iterations = iterations;
  c.adam_learning_rate = lr;
  c.adam_final_learning_rate = lr_final;
  c.lbfgs_iterations = 0;
  c.verbose = false;
  return c;
}

struct PoissonCase {
  physics::Poisson2D problem;
  nn::MlpShape shape{2, 1, 24, 2, nn::Activation::Tanh};
  long interior = 512, boundary = 128;
  double residual_weight = 1.0, boundary_weight = 1.0;
  std::uint64_t seed = 5;
};

struct PoissonOutcome {
  double error = 0;
  pinn::TrainingResult training;
  double boundary_term = 0;
};

inline PoissonOutcome train_poisson(const PoissonCase& c, const pinn::TrainingConfig& config) {
  nn::Mlp net(c.shape);
  net.initialize_glorot(c.seed);
  const auto interior = pinn::interior_points_2d(MPI_COMM_WORLD, c.interior, c.seed);
  const auto boundary = pinn::boundary_points_2d(MPI_COMM_WORLD, c.boundary, c.seed);
  pinn::PoissonLoss loss(MPI_COMM_WORLD, net, c.problem, interior, boundary, c.residual_weight,
                         c.boundary_weight, 0);
  PoissonOutcome o;
  o.training = pinn::train(loss, net, config);
  o.boundary_term = loss.term_values()[1];
  const auto problem = c.problem;
  o.error = relative_error(net, [&](double x, double y) { return problem.exact(x, y); });
  return o;
}

}  // namespace tessera::test_support
