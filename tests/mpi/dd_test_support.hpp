#pragma once
// Checks shared by the domain-decomposed PINN tests (XPINN, FBPINN): one network per subdomain,
// each rank holding its own networks' parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/subdomain_grid.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/trainer.hpp"
#include "pinn_training_support.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::test_support {

inline std::vector<double> host_copy(const nn::Vector& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

/// The loss column of every history row.
inline std::vector<double> losses(const pinn::TrainingHistory& h) {
  std::vector<double> v;
  for (long r = 0; r < h.row_count(); ++r) v.push_back(h.rows[r * h.columns.size() + 2]);
  return v;
}

/// Per owned box of a 2D grid: `centres` random centres (drawn from the subdomain id) each
/// followed by its 5-point stencil (x ± h, then y ± h), all inside the box; x first per point.
inline std::vector<std::vector<double>> stencil_points(const dd::SubdomainGrid& grid, double h,
                                                       int centres) {
  std::vector<std::vector<double>> xy;
  for (int id : grid.owned()) {
    const dd::Box box = grid.box(id);
    std::mt19937_64 rng(id);
    std::uniform_real_distribution<double> ux(box.lo[0] + 2 * h, box.hi[0] - 2 * h),
        uy(box.lo[1] + 2 * h, box.hi[1] - 2 * h);
    xy.emplace_back();
    for (int c = 0; c < centres; ++c) {
      const double x = ux(rng), y = uy(rng);
      xy.back().insert(xy.back().end(), {x, y, x + h, y, x - h, y, x, y + h, x, y - h});
    }
  }
  return xy;
}

/// Adam then L-BFGS (with the subdomains' inner product), every iteration recorded, quietly.
inline pinn::TrainingResult train_briefly(pinn::Loss& loss, nn::StackedMlp& nets,
                                          const nn::InnerProduct& inner, int adam, int lbfgs) {
  pinn::TrainingConfig config;
  config.adam_iterations = adam;
  config.lbfgs_iterations = lbfgs;
  config.log_every = 1;
  config.verbose = false;
  pinn::TrainingControl control;
  control.inner = &inner;
  return pinn::train(loss, nets.parameters(), config, control);
}

/// The inputs of -pde `pde`: (x, y, z, t) for heat3d, (x, y) or (x, t) otherwise.
inline int pde_dim(const std::string& pde) { return pde == "heat3d" ? 4 : 2; }

/// The box [lo, hi] of -pde `pde`'s inputs: Kovasznay's, the unit cube and t in [0, 1] for
/// heat3d, else [-1, 1] x [0, 1].
inline std::array<dd::Corner, 2> pde_box(const std::string& pde) {
  if (pde == "kovasznay") return {{{-0.5, -0.5, 0.0, 0.0}, {1.0, 1.5, 1.0, 1.0}}};
  if (pde == "heat3d") return {{{0.0, 0.0, 0.0, 0.0}, {1.0, 1.0, 1.0, 1.0}}};
  return {{{-1.0, 0.0, 0.0, 0.0}, {1.0, 1.0, 1.0, 1.0}}};
}

/// The Poisson problem of dimension dim (k = frequency in 1D and 2D; the 3D one has k = 1).
inline physics::PoissonProblem poisson(int dim, double frequency) {
  if (dim == 1) return physics::Poisson1D{frequency};
  if (dim == 2) return physics::Poisson2D{frequency};
  return physics::Poisson3D{};
}

/// -pde `pde` of run: pde (burgers, allen_cahn, heat3d or kovasznay) as a residual, Burgers at
/// ν = 0.01/π, the others with their defaults.
inline problems::Residual plane_pde(const std::string& pde) {
  if (pde == "burgers") return pinn::BurgersResidual{{0.01 / M_PI}};
  if (pde == "allen_cahn") return pinn::AllenCahnResidual{};
  if (pde == "heat3d") return pinn::Heat3DResidual{};
  return pinn::SteadyNavierStokesResidual<physics::Kovasznay>{};
}

/// The small point sets of the subdomain-loss tests: 32 interior and 8 per face per subdomain.
inline dd::SubdomainPointConfig small_points() {
  dd::SubdomainPointConfig points;
  points.interior_points = 32;
  points.face_points = 8;
  points.boundary_weight = 5.0;
  points.seed = 11;
  return points;
}

/// One network (x, y) -> `outputs`, 2-8x2, per subdomain grid's rank owns, Glorot from 300 + id.
inline nn::StackedMlp small_networks(const dd::SubdomainGrid& grid, int outputs) {
  nn::StackedMlp nets({grid.dim(), outputs, 8, 2, nn::Activation::Tanh},
                      static_cast<int>(grid.owned().size()));
  std::vector<std::uint64_t> seeds;
  for (int id : grid.owned()) seeds.push_back(300 + id);
  nets.initialize_glorot(seeds);
  return nets;
}

// How far the same short training on two rank counts may drift apart: the sums over subdomains
// run in another order. Measured over 30 Adam + 15 L-BFGS iterations (XPINN and FBPINN, 1D to
// 3D, 2 and 4 ranks against 1): losses 5.8e-14 relative, parameters 1.2e-14 absolute (of size
// 0.7 to 1.3); other BLAS kernels move the same losses by up to 3.4e-13 and the parameters by
// 5.2e-14, and a backend's reductions may differ between rank counts as much, so 1e-12 would
// leave a factor 3. 1e-10 leaves 300.
constexpr double kRankCountTolerance = 1e-10;

/// The same tiling trained on all ranks (shared, everyone's networks) and on rank 0 alone
/// (single, alone's networks): the same losses (relative) and rank 0's parameters (absolute)
/// within kRankCountTolerance.
inline void expect_same_training(const pinn::TrainingResult& shared, const nn::StackedMlp& everyone,
                                 const pinn::TrainingResult& single, const nn::StackedMlp& alone) {
  const auto a = losses(shared.history), b = losses(single.history);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], kRankCountTolerance * std::abs(b[i])) << i;
  const auto x = host_copy(everyone.parameters()), y = host_copy(alone.parameters());
  for (long k = 0; k < everyone.parameters_per_network(); ++k)
    EXPECT_NEAR(x[k], y[k], kRankCountTolerance) << k;
}

/// Collective over MPI_COMM_WORLD. Trains make(MPI_COMM_WORLD) (a std::unique_ptr to a test
/// problem with nets and train(adam, lbfgs)) and expects the recorded losses `name`; on rank 0 of a
/// run on several ranks, trains make(MPI_COMM_SELF), the whole tiling on one rank, too and expects
/// the same training (expect_same_training). Returns the training on all ranks.
template <class Make>
pinn::TrainingResult expect_same_trajectory_on_every_rank_count(const Make& make, int adam,
                                                                int lbfgs,
                                                                const std::string& name) {
  const auto everyone = make(MPI_COMM_WORLD);
  const auto shared = everyone->train(adam, lbfgs);
  expect_recorded_losses(shared.history, recorded_losses(name), name);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > 1 && world_rank() == 0) {
    const auto alone = make(MPI_COMM_SELF);
    const auto single = alone->train(adam, lbfgs);
    expect_same_training(shared, everyone->nets, single, alone->nets);
  }
  return shared;
}

/// Collective over grid.comm(). Perturbs parameters 0, P/3 and P-1 of every subdomain's network
/// in turn (every rank evaluates the global objective, only the owner moves) and expects the
/// owner's gradient entry to match the central difference of the global value: the gradient
/// must include every term the network influences, on whichever rank it is computed. The step
/// balances the difference's truncation (h^2) against the loss's rounding (eps |loss| / h): the
/// 3D FBPINN loss is ~8e3, so at h = 1e-6 its rounding alone moved a difference by 1.5e-6 on an
/// AMD EPYC (1.3e-6 relative, over the tolerance); at 1e-5 the worst is 2.4e-8.
inline void expect_gradient_matches_differences(const dd::SubdomainGrid& grid, nn::Objective& loss,
                                                nn::StackedMlp& nets, double h = 1e-5,
                                                double tolerance = 1e-6) {
  const long n = nets.parameter_count(), per = nets.parameters_per_network();
  nn::Vector g("g", n), scratch("scratch", n);
  loss.value_and_gradient(nets.parameters(), g);
  const auto x = host_copy(nets.parameters()), gh = host_copy(g);
  for (int id = 0; id < grid.count(); ++id) {
    const int l = grid.local_index(id);
    for (long k : {0L, per / 3, per - 1}) {
      double f[2];
      for (int side = 0; side < 2; ++side) {
        auto moved = x;
        if (l >= 0) moved[l * per + k] += side ? h : -h;
        nn::Vector trial("trial", n);
        auto trial_host = Kokkos::create_mirror_view(trial);
        for (long i = 0; i < n; ++i) trial_host(i) = moved[i];
        Kokkos::deep_copy(trial, trial_host);
        f[side] = loss.value_and_gradient(trial, scratch);
      }
      if (l < 0) continue;
      const double fd = (f[1] - f[0]) / (2 * h);
      EXPECT_NEAR(gh[l * per + k], fd, tolerance * (1.0 + std::abs(fd)))
          << "subdomain " << id << ", parameter " << k;
    }
  }
}

/// Collective over p.grid.comm(). Continues p (a test problem with grid, nets and
/// train(adam, lbfgs, control)) from the checkpoint at path, written by a run of kind, after
/// scrambling its parameters so that only the checkpoint can make it agree, and expects the losses
/// of the uninterrupted run at every iteration after stop, within tolerance (relative; 0: to the
/// bit). An Adam restart evaluates its checkpoint's iteration again; L-BFGS continues after it.
template <class Problem>
void expect_restart_continues(Problem& p, const std::string& kind, const std::string& path,
                              int stop, int adam, int lbfgs,
                              const std::map<int, double>& uninterrupted, double tolerance) {
  Kokkos::deep_copy(p.nets.parameters(), 0.1);
  const auto state = dd::read_checkpoint(p.grid, p.nets.parameters_per_network(), kind, path);
  ASSERT_EQ(state.iteration, stop);
  EXPECT_EQ(state.phase, stop < adam ? 0 : 1);
  pinn::TrainingControl restart;
  restart.resume = &state;
  const auto continued = by_iteration(p.train(adam, lbfgs, restart).history);
  size_t expected = 0;
  for (const auto& row : uninterrupted)
    expected += row.first > stop || (row.first == stop && stop < adam);
  EXPECT_EQ(continued.size(), expected);
  for (const auto& [iteration, loss] : continued) {
    ASSERT_TRUE(uninterrupted.count(iteration)) << iteration;
    EXPECT_NEAR(uninterrupted.at(iteration), loss, tolerance * std::abs(loss))
        << "iteration " << iteration << " after " << stop;
  }
}

}  // namespace tessera::test_support
