// The vorticity solver's resolution and time-step table: random sample 0 of the FNO paper's
// initial field with its forcing (ν = 1e-3 unless -navier_stokes_viscosity), solved to time T on
// each grid n with step dt, against a reference solve (REF_N, REF_DT); the relative L2 difference
// at the points of the coarser grid, the wall seconds, and the seconds a sample to T = 50 takes at
// that cost (one rank, no output).
//
// Usage: bench_vorticity2d T REF_N REF_DT N:DT [N:DT ...]
//   e.g. bench_vorticity2d 50 256 0.0025 64:0.02 64:0.01 64:0.005 128:0.01
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../vorticity2d_support.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/timer.hpp"
#include "solvers/vorticity2d.hpp"

using namespace tessera;

int main(int argc, char** argv) {
  return run_main(argc, argv, [&](Environment&) {
    TESSERA_CHECK(argc >= 5, "usage: bench_vorticity2d T REF_N REF_DT N:DT [N:DT ...]");
    const double t = std::atof(argv[1]);
    solvers::Vorticity2DConfig config;
    config.points = std::atoi(argv[2]);
    const double reference_dt = std::atof(argv[3]);
    if (const char* nu = std::getenv("NAVIER_STOKES_VISCOSITY")) config.viscosity = std::atof(nu);
    Timer timer;
    const auto reference = test::solve_random_sample(config, reference_dt, t, 0);
    std::printf("reference n=%d dt=%g T=%g nu=%g: %.1f s\n", config.points, reference_dt, t,
                config.viscosity, timer.seconds());
    const int reference_n = config.points;
    for (int a = 4; a < argc; ++a) {
      const std::string spec = argv[a];
      const auto colon = spec.find(':');
      TESSERA_CHECK(colon != std::string::npos, "'" << spec << "' is not N:DT");
      config.points = std::stoi(spec.substr(0, colon));
      const double dt = std::stod(spec.substr(colon + 1));
      Timer run;
      const auto omega = test::solve_random_sample(config, dt, t, 0);
      const double seconds = run.seconds();
      std::printf("n=%d dt=%g relative_l2=%.3e seconds=%.2f seconds_per_sample_T50=%.2f\n",
                  config.points, dt,
                  test::relative_l2_on_coarse_grid(omega, config.points, reference, reference_n),
                  seconds, seconds * 50 / t);
      std::fflush(stdout);
    }
    return 0;
  });
}
