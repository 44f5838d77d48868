#include "run/les_cases.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "physics/solenoidal_modes.hpp"
#include "physics/taylor_green.hpp"

namespace tessera::run {

const std::vector<std::string>& LesFlowConfig::names() {
  static const std::vector<std::string> n{"taylor_green", "isotropic", "mixing_layer", "cavity"};
  return n;
}

LesFlowConfig LesFlowConfig::from_options(Options& options, solvers::IncompressibleConfig& solver) {
  LesFlowConfig c;
  c.name = options.choice("les_case", c.name, names(), "the flow the run starts from");
  c.end_time = options.real("les_end_time", c.end_time, 1e-12, 1e12, "time the run stops at");
  c.reynolds = options.real("les_reynolds", c.reynolds, 0.0, 1e12,
                            "Reynolds number U l / nu of the case's scales; > 0 sets the "
                            "viscosity (replacing -les_viscosity), 0 keeps -les_viscosity");
  c.velocity_scale =
      options.real("les_velocity_scale", c.velocity_scale, 1e-12, 1e12,
                   "velocity scale: V0 (taylor_green), rms u' per component (isotropic), "
                   "half the velocity difference U (mixing_layer)");
  c.peak_wavenumber =
      options.real("les_peak_wavenumber", c.peak_wavenumber, 1.0, 1e6,
                   "k_p of the random modes' spectrum k^4 exp(-2 (k/k_p)^2), in units of 2 pi/L");
  c.modes = options.integer("les_modes", c.modes, 1, 100000,
                            "random Fourier modes of the isotropic field or the mixing-layer "
                            "perturbation");
  c.layer_thickness = options.real("les_layer_thickness", c.layer_thickness, 1e-6, 0.25,
                                   "mixing-layer thickness delta as a fraction of L");
  c.perturbation = options.real("les_perturbation", c.perturbation, 0.0, 10.0,
                                "rms of the mixing-layer perturbation relative to U");
  c.seed = static_cast<std::uint64_t>(
      options.integer("les_seed", 1, 0, 1 << 30, "seed of the random Fourier modes"));

  if (c.reynolds > 0) {
    solver.viscosity = c.velocity_unit(solver) * c.length_unit(solver) / c.reynolds;
    if (solver.viscosity == 0)
      options.report("-les_reynolds needs a moving flow: the case's velocity scale is 0");
  }
  // The highest shell of random modes stays below the grid's Nyquist wavenumber n/2 with
  // room to spare (n/4), so the modes are resolved.
  if ((c.name == "isotropic" || c.name == "mixing_layer") && c.peak_wavenumber > solver.cells / 4.0)
    options.report("-les_peak_wavenumber = " + std::to_string(c.peak_wavenumber) +
                   " is above cells/4 = " + std::to_string(solver.cells / 4.0) +
                   ": the random modes would not be resolved");
  // The cavity is the only case with walls, and walls make the other cases meaningless.
  const bool walls = solver.boundary == solvers::Boundary::cavity;
  if (c.name == "cavity" && !walls) options.report("-les_case cavity needs -les_boundary cavity");
  if (c.name != "cavity" && walls)
    options.report("-les_boundary cavity is the lid-driven cavity; -les_case " + c.name +
                   " needs the periodic box");
  return c;
}

double LesFlowConfig::velocity_unit(const solvers::IncompressibleConfig& solver) const {
  return name == "cavity" ? std::abs(solver.lid_velocity) : velocity_scale;
}

double LesFlowConfig::length_unit(const solvers::IncompressibleConfig& solver) const {
  if (name == "mixing_layer") return layer_thickness * solver.length;
  if (name == "cavity") return solver.length;
  return solver.length / (2 * M_PI);
}

namespace {

using Velocity = std::function<double(int c, const std::array<double, 3>& x)>;

// Sets velocity, projects, and rescales so that the kinetic energy is `energy` (projection is
// linear, so projecting the scaled field gives the scaled projection). Collective.
void set_with_energy(solvers::IncompressibleSolver& solver, const Velocity& velocity,
                     double energy) {
  solver.set_velocity(velocity);
  solver.project();
  const double scale = std::sqrt(energy / solver.kinetic_energy());
  solver.set_velocity(
      [&](int c, const std::array<double, 3>& x) { return scale * velocity(c, x); });
  solver.project();
}

// Distance from y to y0 on the periodic line of length L.
double periodic_distance(double y, double y0, double length) {
  const double d = std::abs(y - y0);
  return std::min(d, length - d);
}

}  // namespace

void set_initial_velocity(solvers::IncompressibleSolver& solver, const LesFlowConfig& flow,
                          const solvers::IncompressibleConfig& config) {
  const double length = config.length, u0 = flow.velocity_scale;
  physics::SolenoidalModesConfig modes;
  modes.dim = config.dim;
  modes.modes = flow.modes;
  modes.max_wavenumber = std::max(1, config.cells / 4);
  modes.peak_wavenumber = flow.peak_wavenumber;
  modes.seed = flow.seed;
  const double component_energy = 0.5 * config.dim * u0 * u0;  // d u'^2 / 2

  if (flow.name == "taylor_green") {
    const physics::TaylorGreen tgv{config.dim, 0.0};
    const double l = flow.length_unit(config);
    solver.set_velocity([&](int c, const std::array<double, 3>& x) {
      return u0 * tgv.velocity(c, x[0] / l, x[1] / l, x[2] / l, 0);
    });
    solver.project();
  } else if (flow.name == "isotropic") {
    modes.energy = component_energy;
    const auto list = physics::solenoidal_modes(modes);
    set_with_energy(
        solver,
        [&](int c, const std::array<double, 3>& x) {
          return physics::evaluate_modes(list, c, x, length);
        },
        component_energy);
  } else if (flow.name == "mixing_layer") {
    modes.energy = flow.perturbation * flow.perturbation * component_energy;
    const auto list = physics::solenoidal_modes(modes);
    const double delta = flow.layer_thickness * length;
    const double lower = 0.25 * length, upper = 0.75 * length;
    solver.set_velocity([&](int c, const std::array<double, 3>& x) {
      const double y = x[1];
      const double base =
          c == 0 ? u0 * (std::tanh((y - lower) / delta) - std::tanh((y - upper) / delta) - 1) : 0;
      const double a = periodic_distance(y, lower, length) / (2 * delta);
      const double b = periodic_distance(y, upper, length) / (2 * delta);
      const double envelope = std::exp(-a * a) + std::exp(-b * b);
      return base + envelope * physics::evaluate_modes(list, c, x, length);
    });
    solver.project();
  } else {
    solver.set_velocity([](int, const std::array<double, 3>&) { return 0.0; });
  }
}

}  // namespace tessera::run
