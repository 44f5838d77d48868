// The pseudo-spectral vorticity solver (solvers/vorticity2d): the exact decay of a Taylor–Green
// mode, second order in time on a forced random case, two resolutions agreeing far below the
// neural operator's 1e-2, and the random initial field (zero mean, the spectrum's variance, drawn
// per sample). Tolerances follow from the scheme's error terms, not from stored digits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "../vorticity2d_support.hpp"
#include "solvers/vorticity2d.hpp"

namespace {

using namespace tessera::solvers;
using tessera::test::relative_l2_on_coarse_grid;
using tessera::test::solve_random_sample;

TEST(Vorticity2D, TaylorGreenModeDecaysAtTheExactRate) {
  // ω = sin(2πkx) sin(2πky): u·∇ω = 0, so ω(t) = ω(0) exp(−8π²k²νt). Crank–Nicolson's factor
  // (1 − z/2)/(1 + z/2), z = Δt ν κ², is exp(−z) to z³/12 a step: after t, relative t ν³ κ⁶ Δt²/12.
  const int n = 32, k = 2;
  Vorticity2DConfig config;
  config.points = n;
  config.viscosity = 1e-2;
  config.forcing_amplitude = 0;
  const double kappa2 = 8 * M_PI * M_PI * k * k, t = 1.0;
  for (const double dt : {1e-2, 5e-3}) {
    config.time_step = dt;
    Vorticity2D solver(config);
    std::vector<double> omega(n * n);
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        omega[j * n + i] = std::sin(2 * M_PI * k * i / n) * std::sin(2 * M_PI * k * j / n);
    solver.set_vorticity(omega);
    solver.advance(std::lround(t / dt));
    const double decay = std::exp(-config.viscosity * kappa2 * t);
    const double bound = t * std::pow(config.viscosity * kappa2, 3) * dt * dt / 12;
    const auto now = solver.vorticity();
    double worst = 0;
    for (int p = 0; p < n * n; ++p) worst = std::max(worst, std::abs(now[p] - decay * omega[p]));
    std::printf("Taylor-Green k = %d, nu = %g, dt = %g: max error %.3e of %.3e, bound %.3e\n", k,
                config.viscosity, dt, worst, decay, bound * decay);
    EXPECT_LT(worst, 1.5 * bound * decay + 1e-13);
    EXPECT_GT(worst, 0.25 * bound * decay);  // the error is the scheme's, not something else's
  }
}

TEST(Vorticity2D, SecondOrderInTimeOnAForcedRandomCase) {
  Vorticity2DConfig config;
  config.points = 32;
  const double t = 2.0, reference_dt = 1.0 / 1600;
  const auto reference = solve_random_sample(config, reference_dt, t, 3);
  std::vector<double> errors;
  for (const double dt : {1.0 / 25, 1.0 / 50, 1.0 / 100}) {
    errors.push_back(
        relative_l2_on_coarse_grid(solve_random_sample(config, dt, t, 3), 32, reference, 32));
    std::printf("dt = %.4f: relative L2 difference at t = %g against dt = %g: %.3e\n", dt, t,
                reference_dt, errors.back());
  }
  for (size_t k = 1; k < errors.size(); ++k) {
    const double order = std::log2(errors[k - 1] / errors[k]);
    std::printf("observed order %.3f\n", order);
    EXPECT_NEAR(order, 2.0, 0.2);
  }
}

TEST(Vorticity2D, TwoResolutionsAgreeFarBelowTheOperatorsError) {
  Vorticity2DConfig config;
  const double t = 5.0, dt = 5e-3;
  config.points = 64;
  const auto coarse = solve_random_sample(config, dt, t, 1);
  config.points = 128;
  const auto fine = solve_random_sample(config, dt, t, 1);
  const double difference = relative_l2_on_coarse_grid(coarse, 64, fine, 128);
  std::printf("64^2 against 128^2 at t = %g, dt = %g: relative L2 difference %.3e\n", t, dt,
              difference);
  EXPECT_LT(difference, 1e-3);
}

TEST(Vorticity2D, RandomInitialFieldHasZeroMeanTheSpectrumsVarianceAndIsDrawnPerSample) {
  Vorticity2DConfig config;
  config.points = 64;
  const int n = config.points;
  RandomVorticityConfig field;
  Vorticity2D solver(config);
  // E ω(x)² = Σ_k 2 σ² λ_k² over the modes drawn (k ≠ 0, no Nyquist).
  const double sigma = std::pow(field.tau, field.alpha - 1);
  double expected = 0;
  for (int ky = 1 - n / 2; ky < n / 2; ++ky)
    for (int kx = 1 - n / 2; kx < n / 2; ++kx)
      if (kx != 0 || ky != 0)
        expected +=
            2 * sigma * sigma *
            std::pow(4 * M_PI * M_PI * (kx * kx + ky * ky) + field.tau * field.tau, -field.alpha);
  double variance = 0;
  const int samples = 200;
  std::vector<double> first;
  for (int s = 0; s < samples; ++s) {
    solver.set_random_vorticity(field, s);
    const auto omega = solver.vorticity();
    double mean = 0, square = 0;
    for (const double w : omega) mean += w, square += w * w;
    EXPECT_NEAR(mean / (n * n), 0.0, 1e-12);
    variance += square / (n * n) / samples;
    if (s == 0) first = omega;
  }
  // The variance of one sample's grid mean of ω² is dominated by the few lowest modes: about
  // 0.5 of the mean per sample, so 200 samples put the average within 15% with a wide margin.
  std::printf("grid variance of omega0: %.4f, expected %.4f\n", variance, expected);
  EXPECT_NEAR(variance / expected, 1.0, 0.15);
  solver.set_random_vorticity(field, 0);
  EXPECT_EQ(solver.vorticity(), first);
  solver.set_random_vorticity(field, 1);
  EXPECT_NE(solver.vorticity(), first);
}

}  // namespace
