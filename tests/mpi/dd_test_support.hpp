#pragma once
// Checks shared by the domain-decomposed PINN tests (XPINN, FBPINN): one network per subdomain,
// each rank holding its own networks' parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dd/subdomain_grid.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"
#include "pinn/trainer.hpp"

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

/// Collective over grid.comm(). Perturbs parameters 0, P/3 and P-1 of every subdomain's network
/// in turn (every rank evaluates the global objective, only the owner moves) and expects the
/// owner's gradient entry to match the central difference of the global value: the gradient
/// must include every term the network influences, on whichever rank it is computed.
inline void expect_gradient_matches_differences(const dd::SubdomainGrid& grid, nn::Objective& loss,
                                                nn::StackedMlp& nets, double h = 1e-6,
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

}  // namespace tessera::test_support
