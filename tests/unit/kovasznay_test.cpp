// Kovasznay flow: the exact fields satisfy the discrete steady Navier–Stokes equations (central
// second-order differences) with a residual that vanishes as O(h²), at Re = 20 and 40.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "core/log.hpp"
#include "physics/kovasznay.hpp"

namespace {

using tessera::physics::Kovasznay;

struct Residuals {
  double momentum_x = 0, momentum_y = 0, continuity = 0;
};

// Max over the interior points of a cells x cells grid on the standard domain of the residuals with
// central differences of the exact fields.
Residuals discrete_residuals(const Kovasznay& k, int cells) {
  const double hx = (Kovasznay::x_max - Kovasznay::x_min) / cells;
  const double hy = (Kovasznay::y_max - Kovasznay::y_min) / cells;
  Residuals r;
  for (int j = 1; j < cells; ++j) {
    for (int i = 1; i < cells; ++i) {
      const double x = Kovasznay::x_min + i * hx, y = Kovasznay::y_min + j * hy;
      auto dx = [&](auto f) { return (f(x + hx, y) - f(x - hx, y)) / (2 * hx); };
      auto dy = [&](auto f) { return (f(x, y + hy) - f(x, y - hy)) / (2 * hy); };
      auto laplacian = [&](auto f) {
        return (f(x + hx, y) - 2 * f(x, y) + f(x - hx, y)) / (hx * hx) +
               (f(x, y + hy) - 2 * f(x, y) + f(x, y - hy)) / (hy * hy);
      };
      auto u = [&](double a, double b) { return k.velocity_x(a, b); };
      auto v = [&](double a, double b) { return k.velocity_y(a, b); };
      auto p = [&](double a, double b) { return k.pressure(a, b); };
      const double u0 = u(x, y), v0 = v(x, y);
      r.momentum_x = std::max(
          r.momentum_x, std::abs(k.momentum_residual(u0, v0, dx(u), dy(u), dx(p), laplacian(u))));
      r.momentum_y = std::max(
          r.momentum_y, std::abs(k.momentum_residual(u0, v0, dx(v), dy(v), dy(p), laplacian(v))));
      r.continuity = std::max(r.continuity, std::abs(Kovasznay::continuity_residual(dx(u), dy(v))));
    }
  }
  return r;
}

class KovasznayResidual : public ::testing::TestWithParam<double> {};

TEST_P(KovasznayResidual, DiscreteResidualVanishesAtSecondOrder) {
  const Kovasznay k{GetParam()};
  std::ostringstream table;
  table << "Kovasznay Re = " << k.reynolds << ": max discrete residuals\n"
        << " cells    momentum x   momentum y   continuity  orders\n";
  Residuals previous;
  for (int cells : {32, 64, 128, 256}) {
    const Residuals r = discrete_residuals(k, cells);
    table << std::setw(6) << cells << std::scientific << std::setprecision(3) << std::setw(13)
          << r.momentum_x << std::setw(13) << r.momentum_y << std::setw(13) << r.continuity;
    if (cells > 32) {
      const double orders[3] = {std::log2(previous.momentum_x / r.momentum_x),
                                std::log2(previous.momentum_y / r.momentum_y),
                                std::log2(previous.continuity / r.continuity)};
      table << std::fixed << std::setprecision(2);
      for (double o : orders) table << std::setw(6) << o;
      if (cells == 256) {
        for (double o : orders) EXPECT_NEAR(o, 2.0, 0.05) << "cells = " << cells;
      }
    }
    table << "\n";
    previous = r;
  }
  tessera::print_root(table.str());
  EXPECT_LT(previous.momentum_x, 1e-2);
}

INSTANTIATE_TEST_SUITE_P(Reynolds, KovasznayResidual, ::testing::Values(20.0, 40.0));

// The Dirichlet data the decks use: far downstream the flow tends to (1, 0) with p -> 1/2.
TEST(Kovasznay, FieldsAtKnownPoints) {
  const Kovasznay k{40.0};
  EXPECT_NEAR(k.lambda(), 20 - std::sqrt(400 + 4 * M_PI * M_PI), 1e-14);
  EXPECT_NEAR(k.velocity_x(0, 0), 0.0, 1e-14);
  EXPECT_NEAR(k.velocity_y(0, 0.25), k.lambda() / (2 * M_PI), 1e-14);
  EXPECT_NEAR(k.pressure(0, 0.3), 0.0, 1e-14);
  EXPECT_NEAR(k.velocity_x(50, 0.3), 1.0, 1e-12);
  EXPECT_NEAR(k.pressure(50, 0.3), 0.5, 1e-12);
}

}  // namespace
