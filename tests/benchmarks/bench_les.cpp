// LES solver throughput on the 3D Taylor–Green vortex at Re = 1600 ([0, 2π]³, ν = 1/1600, the
// initial field of physics::TaylorGreen, time steps from the CFL limit): per grid size, the time
// per step and per cell and step, pressure-solve iterations (mean and max per solve) and the
// fraction of the time spent in the pressure solves, then one table of iterations per solve
// against n, which shows whether the preconditioner's iteration count grows with resolution.
// Also the time of one energy_spectrum() of the final field, the diagnostic's cost.
//
// Usage: bench_les [N[,N...] [STEPS]] [-les_pc_type gamg ...]
//   N      cells per direction, or a comma-separated list (default 16,32,64)
//   STEPS  timed RK3 steps per grid, each three pressure solves (default 5), after one untimed
//          warm-up step
// Every option of the incompressible solver (-les_cfl, -les_rtol, ...) and of its pressure KSP
// (-les_ksp_type, -les_pc_type, -les_pc_gamg_threshold, ...) applies; -les_dim, -les_cells and
// -les_viscosity are set by the benchmark. Unknown options stop it.
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/allreduce.hpp"
#include "core/decomposition.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "physics/taylor_green.hpp"
#include "solvers/energy_spectrum.hpp"
#include "solvers/incompressible.hpp"

namespace {

using namespace tessera;

constexpr double kReynolds = 1600;

struct Figures {
  int cells = 0;
  int steps = 0;
  double seconds_per_step = 0;
  double pressure_fraction = 0;
  double mean_iterations = 0;   // per pressure solve
  int max_iterations = 0;       // per pressure solve, over the last solve of every step
  double spectrum_seconds = 0;  // one energy_spectrum() of the final field
};

// The positional arguments: the grid sizes and the step count. Throws InputError for bad ones.
void parse_arguments(int argc, char** argv, std::vector<int>& sizes, int& steps) {
  sizes = {16, 32, 64};
  steps = 5;
  auto number = [](const std::string& text, const char* what) {
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < 1 || value > 4096)
      throw InputError(
          std::string("bench_les: ") + what + " '" + text + "' is not an integer in [1, 4096]",
          __FILE__, __LINE__);
    return int(value);
  };
  if (argc > 1 && argv[1][0] != '-') {
    sizes.clear();
    std::istringstream list(argv[1]);
    for (std::string item; std::getline(list, item, ',');) sizes.push_back(number(item, "N"));
    if (argc > 2 && argv[2][0] != '-') steps = number(argv[2], "STEPS");
  }
  for (int n : sizes)
    if (n < 4) throw InputError("bench_les: N = " + std::to_string(n) + " < 4", __FILE__, __LINE__);
}

// Sets the benchmark's flow into the options database, then reads the solver's options from it.
solvers::IncompressibleConfig configure(Options& options, int n) {
  const std::string cells = std::to_string(n), viscosity = std::to_string(1.0 / kReynolds);
  TESSERA_PETSC_CALL(PetscOptionsSetValue(nullptr, "-les_dim", "3"));
  TESSERA_PETSC_CALL(PetscOptionsSetValue(nullptr, "-les_cells", cells.c_str()));
  TESSERA_PETSC_CALL(PetscOptionsSetValue(nullptr, "-les_viscosity", viscosity.c_str()));
  auto config = solvers::IncompressibleConfig::from_options(options);
  options.check();
  return config;
}

// One Taylor–Green run of `steps` timed steps on an n³ grid, its options read afresh (each
// Options declares them once). Collective.
Figures run(MPI_Comm comm, int argc, char** argv, int n, int steps) {
  Options options(comm, argc, argv);
  const auto config = configure(options, n);
  const Decomposition decomp(comm, 3, {n, n, n});
  solvers::IncompressibleSolver solver(decomp, config);
  options.reject_unused();
  const physics::TaylorGreen tgv{3, config.viscosity};
  solver.set_velocity(
      [&](int c, const std::array<double, 3>& x) { return tgv.velocity(c, x[0], x[1], x[2], 0); });
  solver.project();
  solver.step(solver.time_step());  // warm-up: first-touch allocations, lazy set-up

  Figures f;
  f.cells = n;
  f.steps = steps;
  const long iterations_before = solver.total_iterations();
  const double pressure_before = solver.pressure_seconds();
  MPI_Barrier(comm);
  const Timer timer;
  for (int s = 0; s < steps; ++s) {
    solver.step(solver.time_step());
    f.max_iterations = std::max(f.max_iterations, solver.last_iterations());
  }
  const double seconds = allreduce_max(comm, timer.seconds());
  const double pressure = allreduce_max(comm, solver.pressure_seconds() - pressure_before);
  f.seconds_per_step = seconds / steps;
  f.pressure_fraction = pressure / seconds;
  f.mean_iterations = double(solver.total_iterations() - iterations_before) / (3.0 * steps);

  // The diagnostic's cost, for comparison with a step: the spectrum of the final field.
  std::vector<std::vector<double>> u;
  for (int c = 0; c < 3; ++c) u.push_back(solver.local_velocity(c));
  MPI_Barrier(comm);
  const Timer spectrum_timer;
  const auto spectrum = solvers::energy_spectrum(decomp, u, config.length);
  f.spectrum_seconds = allreduce_max(comm, spectrum_timer.seconds());
  const double energy = solver.kinetic_energy(),
               shells = std::accumulate(spectrum.begin(), spectrum.end(), 0.0);
  TESSERA_CHECK(
      std::abs(shells - energy) <= 1e-12 * energy,
      "bench_les: the spectrum sums to " << shells << ", the kinetic energy is " << energy);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  return run_main(argc, argv, [&](Environment& env) {
    std::vector<int> sizes;
    int steps = 0;
    parse_arguments(argc, argv, sizes, steps);
    std::vector<Figures> figures;
    for (int n : sizes) {
      const Figures f = run(env.comm(), argc, argv, n, steps);
      const double cells = double(n) * n * n;
      char line[320];
      std::snprintf(line, sizeof line,
                    "les_tgv3d ranks=%d cells=%d^3 steps=%d seconds_per_step=%.4g "
                    "ns_per_cell_step=%.4g pressure_iterations_mean=%.2f "
                    "pressure_iterations_max=%d pressure_fraction=%.3f spectrum_seconds=%.3g",
                    env.size(), n, f.steps, f.seconds_per_step, 1e9 * f.seconds_per_step / cells,
                    f.mean_iterations, f.max_iterations, f.pressure_fraction, f.spectrum_seconds);
      TESSERA_LOG(line);
      figures.push_back(f);
    }
    TESSERA_LOG("pressure iterations per solve (max: over the last solve of each step):");
    TESSERA_LOG("      n    mean    max");
    for (const Figures& f : figures) {
      char row[80];
      std::snprintf(row, sizeof row, "  %5d  %6.2f  %5d", f.cells, f.mean_iterations,
                    f.max_iterations);
      TESSERA_LOG(row);
    }
    return 0;
  });
}
