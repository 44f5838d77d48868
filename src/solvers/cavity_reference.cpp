#include "solvers/cavity_reference.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"

namespace tessera::solvers {

CavitySteadyConfig CavitySteadyConfig::from_options(Options& options) {
  CavitySteadyConfig c;
  c.tolerance = options.real("cavity_reference_tolerance", c.tolerance, 1e-14, 1.0,
                             "steady cavity: largest velocity change per unit time, over the lid "
                             "velocity");
  c.interval = options.real("cavity_reference_interval", c.interval, 1e-6, 1e6,
                            "steady cavity: time between two steadiness checks");
  c.max_time = options.real("cavity_reference_max_time", c.max_time, 1e-6, 1e9,
                            "steady cavity: time by which the flow must be steady");
  return c;
}

namespace {

std::vector<std::vector<double>> velocity_blocks(const IncompressibleSolver& solver, int dim) {
  std::vector<std::vector<double>> blocks;
  for (int c = 0; c < dim; ++c) blocks.push_back(solver.local_velocity(c));
  return blocks;
}

// max over every rank's faces of |a - b|. Collective.
double max_difference(MPI_Comm comm, const std::vector<std::vector<double>>& a,
                      const std::vector<std::vector<double>>& b) {
  double local = 0, global = 0;
  for (size_t c = 0; c < a.size(); ++c)
    for (size_t i = 0; i < a[c].size(); ++i) local = std::max(local, std::abs(a[c][i] - b[c][i]));
  TESSERA_MPI_CALL(MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, comm));
  return global;
}

}  // namespace

CavitySteadyState run_cavity_to_steady_state(const Decomposition& decomp,
                                             const IncompressibleConfig& flow,
                                             const CavitySteadyConfig& steady) {
  ProfilingRegion stage(Stage::ReferenceSolve);
  TESSERA_CHECK(flow.boundary == Boundary::cavity,
                "run_cavity_to_steady_state: the flow's boundary is not the cavity");
  TESSERA_CHECK(flow.lid_velocity != 0, "run_cavity_to_steady_state: the lid does not move");
  IncompressibleSolver solver(decomp, flow);
  auto previous = velocity_blocks(solver, flow.dim);
  const double lid = std::abs(flow.lid_velocity);
  CavitySteadyState state;
  for (;;) {
    TESSERA_CHECK(solver.time() + steady.interval <= steady.max_time * (1 + 1e-12),
                  "the lid-driven cavity is not steady by t = "
                      << steady.max_time << ": velocity change per unit time " << state.change_rate
                      << " x lid > -cavity_reference_tolerance " << steady.tolerance
                      << " (raise -cavity_reference_max_time)");
    solver.advance_to(solver.time() + steady.interval);
    auto current = velocity_blocks(solver, flow.dim);
    state.change_rate = max_difference(decomp.comm(), current, previous) / steady.interval / lid;
    previous = std::move(current);
    if (state.change_rate <= steady.tolerance) break;
  }
  state.velocity = std::move(previous);
  state.centre_velocity = solver.local_cell_centre_velocity();
  state.pressure = solver.local_pressure();
  state.time = solver.time();
  state.steps = solver.steps();
  state.max_divergence = solver.max_divergence();
  return state;
}

}  // namespace tessera::solvers
