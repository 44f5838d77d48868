#include "run/les_cases.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
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
                   "k_p of the random modes' spectrum k^4 exp(-2 (k/k_p)^2), in units of 2 pi over "
                   "the box's shortest side");
  c.modes = options.integer("les_modes", c.modes, 1, 100000,
                            "random Fourier modes of the isotropic field or the mixing-layer "
                            "perturbation");
  c.layer_thickness = options.real("les_layer_thickness", c.layer_thickness, 1e-6, 0.25,
                                   "mixing-layer thickness delta as a fraction of the box's side "
                                   "along y");
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
  // room to spare (n/4), so the modes are resolved. They are periodic on the shortest side, so
  // every side must hold a whole number of it.
  const int shortest = solver.cells.fewest(solver.dim);
  if (c.random_modes() && c.peak_wavenumber > shortest / 4.0)
    options.report("-les_peak_wavenumber = " + std::to_string(c.peak_wavenumber) +
                   " is above cells/4 = " + std::to_string(shortest / 4.0) +
                   ": the random modes would not be resolved");
  for (int d = 0; d < solver.dim && c.random_modes(); ++d)
    if (solver.cells[d] % shortest != 0)
      options.report("-les_cells = " + solver.cells.text(solver.dim) + ": -les_case " + c.name +
                     " needs every side a whole multiple of the shortest (its random modes' "
                     "period)");
  if (!c.random_modes() && !solver.cells.cube(solver.dim))
    options.report("-les_cells = " + solver.cells.text(solver.dim) + ": -les_case " + c.name +
                   " runs in a cube; give one count");
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
  if (name == "mixing_layer") return layer_thickness * solver.cells.side(1, solver.length);
  if (name == "cavity") return solver.length;
  return solver.length / (2 * M_PI);
}

void write_les_box_cells(io::FieldFile& file, const BoxCells& cells) {
  file.set_attribute("les_cells", cells[0]);
  file.set_attribute("les_cells_y", cells[1]);
  file.set_attribute("les_cells_z", cells[2]);
}

BoxCells les_box_cells(const io::FieldFileReader& file) {
  const int x = int(file.integer_attribute("les_cells"));
  if (!file.has_attribute("les_cells_y")) return x;
  return {x, int(file.integer_attribute("les_cells_y")),
          int(file.integer_attribute("les_cells_z"))};
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
  const double u0 = flow.velocity_scale;
  // The random modes' period: the shortest side (every side is a whole multiple of it).
  const int shortest = config.cells.fewest(config.dim);
  const double length = config.length * shortest / config.cells[0];
  physics::SolenoidalModesConfig modes;
  modes.dim = config.dim;
  modes.modes = flow.modes;
  modes.max_wavenumber = std::max(1, shortest / 4);
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
    const double side = config.cells.side(1, config.length);
    const double delta = flow.layer_thickness * side;
    const double lower = 0.25 * side, upper = 0.75 * side;
    solver.set_velocity([&](int c, const std::array<double, 3>& x) {
      const double y = x[1];
      const double base =
          c == 0 ? u0 * (std::tanh((y - lower) / delta) - std::tanh((y - upper) / delta) - 1) : 0;
      const double a = periodic_distance(y, lower, side) / (2 * delta);
      const double b = periodic_distance(y, upper, side) / (2 * delta);
      const double envelope = std::exp(-a * a) + std::exp(-b * b);
      return base + envelope * physics::evaluate_modes(list, c, x, length);
    });
    solver.project();
  } else {
    solver.set_velocity([](int, const std::array<double, 3>&) { return 0.0; });
  }
}

}  // namespace tessera::run
