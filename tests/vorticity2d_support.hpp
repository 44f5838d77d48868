#pragma once
// Shared by the vorticity solver's tests and its resolution study: one forced random sample solved
// to time t, and the relative L2 difference of two solutions at the coarser grid's points.
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "solvers/vorticity2d.hpp"

namespace tessera::test {

/// ω at time t (a whole number of steps dt) of random sample `sample` (default field) on config's
/// grid, x fastest.
inline std::vector<double> solve_random_sample(solvers::Vorticity2DConfig config, double dt,
                                               double t, unsigned sample) {
  config.time_step = dt;
  solvers::Vorticity2D solver(config);
  solver.set_random_vorticity(solvers::RandomVorticityConfig{}, sample);
  const long long steps = std::llround(t / dt);
  TESSERA_CHECK(std::abs(steps * dt - t) < 1e-9 * t, "t = " << t << " is not a multiple of " << dt);
  solver.advance(steps);
  return solver.vorticity();
}

/// ||a − b|| / ||b|| over the points of the coarser grid (n_a divides n_b or the other way).
inline double relative_l2_on_coarse_grid(const std::vector<double>& a, int n_a,
                                         const std::vector<double>& b, int n_b) {
  const int n = std::min(n_a, n_b), ra = n_a / n, rb = n_b / n;
  double difference = 0, norm = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double va = a[static_cast<size_t>(j * ra) * n_a + i * ra],
                   vb = b[static_cast<size_t>(j * rb) * n_b + i * rb];
      difference += (va - vb) * (va - vb);
      norm += vb * vb;
    }
  return std::sqrt(difference / norm);
}

}  // namespace tessera::test
