// Steady lid-driven cavity reference (the LES solver's cavity run until it stops changing): it
// stops once steady, divergence-free, with Ghia et al.'s centreline minimum; an unsteady run or a
// non-cavity flow is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "solvers/cavity_reference.hpp"

namespace {

using tessera::Decomposition;
using tessera::solvers::Boundary;
using tessera::solvers::CavitySteadyConfig;
using tessera::solvers::IncompressibleConfig;
using tessera::solvers::run_cavity_to_steady_state;

// The unit cavity at Re = U L / ν = 100 on n x n cells.
IncompressibleConfig cavity(int n) {
  IncompressibleConfig c;
  c.dim = 2;
  c.cells = n;
  c.length = 1;
  c.viscosity = 0.01;
  c.boundary = Boundary::cavity;
  c.lid_velocity = 1;
  return c;
}

// u on the vertical centreline (faces i = n/2) at the cell centres, on every rank. Collective.
std::vector<double> centreline(const Decomposition& decomp, const std::vector<double>& u, int n) {
  const auto& s = decomp.local_start();
  const auto& c = decomp.local_count();
  std::vector<double> line(n, 0.0);
  const int i = n / 2 - s[0];
  if (i >= 0 && i < c[0])
    for (int j = 0; j < c[1]; ++j) line[s[1] + j] = u[j * c[0] + i];
  MPI_Allreduce(MPI_IN_PLACE, line.data(), n, MPI_DOUBLE, MPI_SUM, decomp.comm());
  return line;
}

// Ghia, Ghia & Shin (1982), Re = 100: the centreline u has its minimum -0.21090 at y = 0.4531.
TEST(CavityReference, RunsToSteadyStateWithGhiasCentrelineMinimum) {
  const int n = 16;
  const auto flow = cavity(n);
  const Decomposition decomp(MPI_COMM_WORLD, 2, {n, n, 1});
  CavitySteadyConfig steady;
  steady.tolerance = 1e-3;
  tessera::Timer timer;
  const auto state = run_cavity_to_steady_state(decomp, flow, steady);
  const auto line = centreline(decomp, state.velocity[0], n);
  const auto lowest = std::min_element(line.begin(), line.end());
  const double y_lowest = (lowest - line.begin() + 0.5) / n;
  std::ostringstream text;
  text << "cavity Re = 100, " << n << "^2: steady (change " << state.change_rate
       << " per unit time) at t = " << state.time << " after " << state.steps << " steps, max div "
       << state.max_divergence << "; centreline min u = " << *lowest << " at y = " << y_lowest
       << " (Ghia: -0.21090 at 0.4531); " << timer.seconds() << " s";
  tessera::print_root(text.str());
  EXPECT_LE(state.change_rate, steady.tolerance);
  EXPECT_LT(state.max_divergence, 1e-8);
  EXPECT_NEAR(*lowest, -0.21090, 0.02);
  EXPECT_NEAR(y_lowest, 0.4531, 1.0 / n);
  EXPECT_EQ(state.pressure.size(), static_cast<size_t>(decomp.local_size()));
}

TEST(CavityReference, RefusesUnsteadyRunsAndOtherFlows) {
  const auto flow = cavity(8);
  const Decomposition decomp(MPI_COMM_WORLD, 2, {8, 8, 1});
  CavitySteadyConfig steady;
  steady.max_time = 0.5;
  try {
    run_cavity_to_steady_state(decomp, flow, steady);
    FAIL() << "a cavity started from rest was steady by t = 0.5";
  } catch (const tessera::Error& e) {
    EXPECT_NE(e.message().find("not steady by t = 0.5"), std::string::npos) << e.message();
  }
  auto periodic = flow;
  periodic.boundary = Boundary::periodic;
  EXPECT_THROW(run_cavity_to_steady_state(decomp, periodic, CavitySteadyConfig{}), tessera::Error);
}

}  // namespace
