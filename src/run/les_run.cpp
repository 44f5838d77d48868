#include "run/les_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>
#include <type_traits>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "io/restart.hpp"
#include "solvers/energy_spectrum.hpp"

namespace tessera::run {

namespace {

constexpr const char* kComponentNames[3] = {"velocity_x", "velocity_y", "velocity_z"};
constexpr const char* kVelocityLocation =
    "faces: component a of cell (i, j, k) at its lower face in direction a, "
    "((i, j, k) + 1/2 - e_a/2) h; pressure and subgrid_viscosity at cell centres "
    "((i, j, k) + 1/2) h, the grid's points; the dataset velocity holds the three components at "
    "the cell centres (each the mean of its cell's two faces)";
// Units of the case: its box length (-les_length) is measured in `length`, its velocities in
// length/time; the flows are posed nondimensionally, so these name the dimension, not SI units.
constexpr const char* kLengthUnits = "length";
constexpr const char* kVelocityUnits = "length/time";
constexpr const char* kKinematicPressureUnits = "length^2/time^2 (pressure / density)";
constexpr const char* kViscosityUnits = "length^2/time";

std::string snapshot_suffix(int index) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "_snapshot_%04d", index);
  return suffix;
}

// The k-th event time of a series with the given interval: k * interval, computed the same way
// in an uninterrupted run and in a restarted one.
double event_time(int k, double interval) { return k * interval; }

// The first index whose event lies after t (beyond round-off); with interval 0, none.
int next_event_index(double t, double interval) {
  if (interval <= 0) return std::numeric_limits<int>::max();
  int k = static_cast<int>(std::floor(t / interval));
  while (event_time(k, interval) <= t + 1e-12 * std::max(1.0, t)) ++k;
  return k;
}

bool reached(double t, double target) { return std::abs(t - target) <= 1e-12 * std::max(1.0, t); }

// RK3's stability limit on the imaginary axis: above it a Courant number dt |u_a| / h grows the
// central-difference waves near the fastest velocity. Slowly, just above it: measured, 2D decaying
// turbulence (32², Re 1000) runs to its end at CFL up to 2.0 with a fixed step, and blows up within
// 20 steps at 2.3 to 2.9. At twice the limit the fastest waves grow six-fold per step (|R(iy)|² =
// 1 - y⁴/12 + y⁶/36 = 37): that is refused before the run and stops it in the step loop; between
// the two a fixed step runs with a warning, and the energy bound catches it if it blows up.
constexpr double kRk3ImaginaryLimit = 1.7320508075688772;  // sqrt(3)
constexpr double kUnstableCfl = 2 * kRk3ImaginaryLimit;
// RK3's limit on the negative real axis; the discrete Laplacian's largest eigenvalue is
// 4 dim / h², so dt nu / h² above kRk3RealLimit / (4 dim) grows the shortest waves.
constexpr double kRk3RealLimit = 2.51;
// No case is forced but by the lid, so the kinetic energy never exceeds the larger of its start
// value and the lid's U²/2 by much; this many times that is a blow-up, not physics.
constexpr double kEnergyGrowth = 10;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Configuration

LesRunConfig LesRunConfig::from_options(Options& options) {
  LesRunConfig c;
  c.solver = solvers::IncompressibleConfig::from_options(options);
  c.flow = LesFlowConfig::from_options(options, c.solver);
  c.diagnostics_every = options.integer("les_diagnostics_every", c.diagnostics_every, 1, 1 << 30,
                                        "steps between diagnostics rows and progress lines");
  c.snapshot_every = options.real("les_snapshot_every", c.snapshot_every, 0.0, 1e12,
                                  "time between field snapshots (t = 0 included); 0: none");
  c.checkpoint_every = options.real("les_checkpoint_every", c.checkpoint_every, 0.0, 1e12,
                                    "time between checkpoints (the end time included); 0: none");
  c.restart_file =
      options.input_file("les_restart", c.restart_file,
                         "checkpoint file to restart from; empty: start from the case; "
                         "latest: the newest readable checkpoint this run keeps, if there is one",
                         {io::kLatestCheckpoint});
  c.reference_file = options.input_file(
      "les_reference_file", c.reference_file,
      "Taylor-Green reference table (t, E_k, -dE/dt, enstrophy) to compare -dE/dt "
      "with; taylor_green in 3D only");
  c.output = OutputConfig::from_options(options, "les");
  c.physics = io::RestartPhysics::from_options(options, "les");
  if (!c.reference_file.empty() && (c.flow.name != "taylor_green" || c.solver.dim != 3))
    options.report(
        "-les_reference_file is a 3D Taylor-Green reference; it needs -les_case "
        "taylor_green and -les_dim 3");
  return c;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics rows

namespace {

// Calls f(name, member) for every column of the diagnostics table, in order: the one list that
// writing, reading and naming the columns share.
template <class Diagnostics, class F>
void for_each_column(Diagnostics& d, F&& f) {
  f("time", d.time);
  f("step", d.step);
  f("dt", d.dt);
  f("kinetic_energy", d.kinetic_energy);
  f("dissipation_rate", d.dissipation_rate);
  f("dissipation_fd", d.dissipation_fd);
  f("resolved_dissipation", d.resolved_dissipation);
  f("subgrid_dissipation", d.subgrid_dissipation);
  f("subgrid_coefficient", d.subgrid_coefficient);
  f("enstrophy", d.enstrophy);
  f("max_divergence", d.max_divergence);
  f("cfl", d.cfl);
  f("pressure_iterations", d.pressure_iterations);
  f("wall_seconds", d.wall_seconds);
}

}  // namespace

const std::vector<std::string>& LesDiagnostics::columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    LesDiagnostics d;
    for_each_column(d, [&](const char* name, auto&) { n.push_back(name); });
    return n;
  }();
  return names;
}

std::vector<double> LesDiagnostics::row() const {
  std::vector<double> values;
  for_each_column(*this, [&](const char*, const auto& v) { values.push_back(double(v)); });
  return values;
}

LesDiagnostics LesDiagnostics::from_row(const io::Table& table, std::size_t r) {
  TESSERA_CHECK(table.columns == columns(),
                "LesDiagnostics: the table's columns are not those of this version's diagnostics");
  LesDiagnostics d;
  std::size_t c = 0;
  for_each_column(d, [&](const char*, auto& v) {
    v = static_cast<std::remove_reference_t<decltype(v)>>(table.at(r, c++));
  });
  return d;
}

// ---------------------------------------------------------------------------------------------
// The run

LesRun::LesRun(MPI_Comm comm, const LesRunConfig& config)
    : config_(config),
      comm_(comm),
      decomp_(comm, config.solver.dim, config.solver.cells.points(config.solver.dim)),
      solver_(decomp_, config.solver) {}

std::string LesRun::file_path(const std::string& suffix) const {
  return io::result_path(config_.output.directory, config_.output.name + suffix);
}

void LesRun::read_restart() {
  io::FieldFileReader file(comm_, config_.restart_file);
  const auto& s = config_.solver;
  auto require = [&](bool ok, const std::string& what) {
    if (!ok)
      throw InputError("-les_restart '" + config_.restart_file + "': " + what, __FILE__, __LINE__);
  };
  require(file.has_attribute("les_checkpoint"), "not an LES checkpoint");
  require(file.string_attribute("les_case") == config_.flow.name,
          "written for -les_case " + file.string_attribute("les_case") + ", this run is " +
              config_.flow.name);
  const int dim = int(file.integer_attribute("les_dim"));
  const BoxCells cells = les_box_cells(file);
  require(dim == s.dim && cells.points(dim) == s.cells.points(s.dim),
          "written for -les_dim " + std::to_string(dim) + " -les_cells " + cells.text(dim) +
              ", this run has " + std::to_string(s.dim) + " and " + s.cells.text(s.dim));
  require(std::abs(file.real_attribute("les_length") - s.length) <= 1e-12 * s.length,
          "written for another -les_length");
  config_.physics.require_same(file);
  restart_.time = file.real_attribute("time");
  restart_.steps = static_cast<int>(file.integer_attribute("steps"));
  restart_.wall_seconds = file.real_attribute("wall_seconds");
  require(restart_.time < config_.flow.end_time * (1 - 1e-12),
          "its time " + format("%g", restart_.time) + " is not before -les_end_time " +
              format("%g", config_.flow.end_time));
  restart_.velocity.clear();
  for (int c = 0; c < s.dim; ++c) {
    restart_.velocity.push_back(file.read_field(kComponentNames[c], decomp_));
    file.require_finite(kComponentNames[c], restart_.velocity.back());
  }
  const auto table = file.read_table("diagnostics");
  restart_.history.clear();
  for (std::size_t r = 0; r < table.rows(); ++r)
    restart_.history.push_back(LesDiagnostics::from_row(table, r));
  restarted_ = true;
}

void LesRun::set_start_state() {
  if (restarted_)
    solver_.set_state(restart_.time, restart_.steps, restart_.velocity);
  else
    set_initial_velocity(solver_, config_.flow, config_.solver);
  start_energy_ = solver_.kinetic_energy();
}

void LesRun::check_fixed_time_step() const {
  const auto& s = config_.solver;
  if (s.dt <= 0) return;
  const double h = solver_.h();
  const double speed = std::max(solver_.max_velocity(), solver_.wall_speed());
  const double cfl = s.dt * speed / h, viscous = s.dt * s.viscosity / (h * h);
  const double viscous_limit = kRk3RealLimit / (4 * s.dim);
  const std::string at = restarted_ ? "the restart state" : "the initial field";
  if (cfl > kUnstableCfl)
    throw InputError("-les_dt " + format("%g", s.dt) + " is beyond the convective stability " +
                         "limit: its CFL number for " + at + " (max |u| " + format("%.4g", speed) +
                         ", h " + format("%.4g", h) + ") is " + format("%.4g", cfl) +
                         ", above twice RK3's limit sqrt(3); use at most -les_dt " +
                         format("%.4g", s.cfl * h / speed) + " (-les_cfl " + format("%g", s.cfl) +
                         "), or -les_dt 0 for the adaptive step",
                     __FILE__, __LINE__);
  if (viscous > viscous_limit)
    throw InputError("-les_dt " + format("%g", s.dt) + " is beyond the viscous stability limit: " +
                         "dt nu / h^2 = " + format("%.4g", viscous) +
                         " is above 2.51 / (4 dim) = " + format("%.4g", viscous_limit) +
                         "; use at most -les_dt " +
                         format("%.4g", s.viscous_factor * h * h / s.viscosity) +
                         ", or -les_dt 0 for the adaptive step",
                     __FILE__, __LINE__);
  if (cfl > kRk3ImaginaryLimit)
    TESSERA_LOG("warning: -les_dt " << format("%g", s.dt) << " gives CFL " << format("%.3g", cfl)
                                    << " for " << at
                                    << ", above RK3's stability limit sqrt(3): the run may blow up "
                                       "(it then stops with exit status 5)");
  // Between the adaptive step's limits and stability: allowed, but worth a line.
  else if (cfl > s.cfl || viscous > s.viscous_factor)
    TESSERA_LOG("warning: -les_dt " << format("%g", s.dt) << " is above the adaptive step's limits"
                                    << " for " << at << " (CFL " << format("%.3g", cfl)
                                    << " against -les_cfl " << s.cfl << ", dt nu / h^2 "
                                    << format("%.3g", viscous) << " against -les_viscous_factor "
                                    << s.viscous_factor << ")");
}

void LesRun::check_stable(double dt) const {
  // Both reductions are the same on every rank, so every rank throws together; a NaN anywhere
  // reaches E_k through the sum of squares.
  const double energy = solver_.kinetic_energy();
  const double cfl = solver_.cfl(dt);
  const double energy_bound =
      kEnergyGrowth * std::max(start_energy_, 0.5 * solver_.wall_speed() * solver_.wall_speed());
  std::string problem;
  if (!std::isfinite(energy) || !std::isfinite(cfl))
    problem = "the velocity is not finite (E_k " + format("%.4g", energy) + ")";
  else if (cfl > kUnstableCfl)
    problem = "the CFL number " + format("%.4g", cfl) + " is above twice RK3's limit sqrt(3)";
  else if (energy_bound > 0 && energy > energy_bound)  // a flow at rest stays at rest
    problem = "the kinetic energy " + format("%.4g", energy) + " is more than " +
              format("%g", kEnergyGrowth) + " times its scale " +
              format("%.4g", energy_bound / kEnergyGrowth) + " (start or lid)";
  if (problem.empty()) return;
  const int rank = solver_.rank_of_max_velocity();
  TESSERA_THROW_DIVERGED("the LES diverged at step "
                         << solver_.steps() << ", t = " << format("%.6g", solver_.time()) << " (dt "
                         << format("%.4g", dt) << "): " << problem
                         << "; the largest |u| is on rank " << rank
                         << "; nothing was written from this state; "
                         << (config_.solver.dt > 0 ? "lower -les_dt" : "lower -les_cfl"));
}

void LesRun::prepare_output() {
  // Any run may write the checkpoint (at its interval, or when stopped by a signal).
  config_.restart_file = io::resolve_restart(comm_, "les_restart", config_.restart_file,
                                             file_path("_checkpoint"), config_.output.overwrite);
  if (!config_.restart_file.empty()) read_restart();
  set_start_state();
  check_fixed_time_step();
  if (!config_.reference_file.empty()) {
    reference_ = read_dissipation_reference(config_.reference_file);
    has_reference_ = true;
  }
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

std::vector<std::vector<double>> LesRun::local_velocity() const {
  std::vector<std::vector<double>> u;
  for (int c = 0; c < config_.solver.dim; ++c) u.push_back(solver_.local_velocity(c));
  return u;
}

LesDiagnostics LesRun::measure(double dt) {
  LesDiagnostics d;
  d.time = solver_.time();
  d.step = solver_.steps();
  d.dt = dt;
  d.kinetic_energy = solver_.kinetic_energy();
  d.dissipation_rate = -solver_.energy_change_rate();
  if (!history_.empty() && d.time > history_.back().time)
    d.dissipation_fd =
        -(d.kinetic_energy - history_.back().kinetic_energy) / (d.time - history_.back().time);
  const auto dissipation = solver_.dissipation();
  d.resolved_dissipation = dissipation.resolved;
  d.subgrid_dissipation = dissipation.subgrid;
  d.subgrid_coefficient = solver_.dynamic_coefficient();
  d.enstrophy = solver_.enstrophy();
  d.max_divergence = solver_.max_divergence();
  d.cfl = dt > 0 ? solver_.cfl(dt) : 0.0;
  const int solves = 3 * (d.step - steps_at_last_row_);
  d.pressure_iterations =
      solves > 0 ? double(solver_.total_iterations() - iterations_at_last_row_) / solves : 0.0;
  iterations_at_last_row_ = solver_.total_iterations();
  steps_at_last_row_ = d.step;
  d.wall_seconds = wall_seconds();
  TESSERA_LOG("t " << format("%9.4f", d.time) << "  step " << d.step << "  dt "
                   << format("%.3e", d.dt) << "  E_k " << format("%.6e", d.kinetic_energy)
                   << "  -dE/dt " << format("%.4e", d.dissipation_rate) << "  eps_sgs "
                   << format("%.3e", d.subgrid_dissipation) << "  Cs^2 "
                   << format("%.4f", d.subgrid_coefficient) << "  div "
                   << format("%.1e", d.max_divergence) << "  CFL " << format("%.2f", d.cfl)
                   << "  its " << format("%.1f", d.pressure_iterations) << "  "
                   << format("%.1f s", d.wall_seconds) << ", " << progress(d.time));
  return d;
}

std::string LesRun::progress(double time) const {
  const double end = config_.flow.end_time, start = restarted_ ? restart_.time : 0.0;
  const double left =
      time > start ? clock_.seconds() / (time - start) * std::max(0.0, end - time) : -1.0;
  return progress_text(end > 0 ? time / end : 1.0, left);
}

void LesRun::write_fields(io::FieldFile& file) {
  const double h = solver_.h();
  file.set_grid(io::uniform_grid(decomp_, {0.5 * h, 0.5 * h, 0.5 * h}, {h, h, h}), kLengthUnits);
  const auto u = local_velocity();
  for (int c = 0; c < config_.solver.dim; ++c)
    file.write_field(kComponentNames[c], decomp_, u[c].data(), kVelocityUnits);
  // The faces' components lie half a cell off the grid's points; a viewer gets the velocity
  // where the grid says it is.
  const auto centres = solver_.local_cell_centre_velocity();
  std::vector<const double*> components;
  for (const auto& c : centres) components.push_back(c.data());
  file.write_vector_field("velocity", decomp_, components, kVelocityUnits);
  const auto pressure = solver_.local_pressure();
  file.write_field("pressure", decomp_, pressure.data(), kKinematicPressureUnits);
  const auto nu_t = solver_.local_subgrid_viscosity();
  file.write_field("subgrid_viscosity", decomp_, nu_t.data(), kViscosityUnits);
  file.set_attribute("velocity_location", kVelocityLocation);
}

void LesRun::write_state_attributes(io::FieldFile& file, const std::string& options_text) {
  const auto& s = config_.solver;
  file.set_attribute("options", options_text);
  file.set_attribute("les_case", config_.flow.name);
  file.set_attribute("les_dim", s.dim);
  write_les_box_cells(file, s.cells);
  file.set_attribute("les_length", s.length);
  file.set_attribute("viscosity", s.viscosity);
  file.set_time(solver_.time());
  file.set_attribute("steps", solver_.steps());
}

void LesRun::write_diagnostics(io::FieldFile& file) const {
  std::vector<double> rows;
  for (const auto& d : history_) {
    const auto r = d.row();
    rows.insert(rows.end(), r.begin(), r.end());
  }
  file.write_table("diagnostics", LesDiagnostics::columns(), rows);
}

void LesRun::write_spectrum(io::FieldFile& file) {
  if (!config_.flow.periodic()) return;
  const auto spectrum = solvers::energy_spectrum(decomp_, local_velocity(), config_.solver.length);
  std::vector<double> k_e;
  std::ostringstream line;
  for (std::size_t k = 0; k < spectrum.size(); ++k) {
    k_e.push_back(double(k)), k_e.push_back(spectrum[k]);
    if (k > 0) line << " " << format("%.3e", spectrum[k]);
  }
  file.write_table("spectrum", {"k", "energy"}, k_e);
  // The result file repeats the last snapshot's spectrum when the run ends on a snapshot time.
  if (solver_.time() == spectrum_logged_at_) return;
  spectrum_logged_at_ = solver_.time();
  TESSERA_LOG("spectrum E(k), k = 1.." << spectrum.size() - 1 << ", at t = "
                                       << format("%.4f", solver_.time()) << ":" << line.str());
}

void LesRun::write_snapshot(int index, const std::string& options_text) {
  ProfilingRegion stage(Stage::Output);
  io::FieldFile file(comm_, file_path(snapshot_suffix(index)));
  write_fields(file);
  write_spectrum(file);
  write_state_attributes(file, options_text);
  const io::XdmfDescription description = file.xdmf_description();
  file.commit_with_xdmf();
  snapshot_times_.emplace_back(description.h5_file, solver_.time());
  // Every snapshot of the series is on the same grid with the same fields.
  std::vector<io::XdmfDescription> steps;
  for (const auto& [h5_file, time] : snapshot_times_) {
    steps.push_back(description);
    steps.back().h5_file = h5_file;
    steps.back().time = time;
  }
  io::write_xdmf_collection(comm_, snapshot_collection_path(), steps);
}

std::string LesRun::snapshot_collection_path() const {
  return std::filesystem::path(file_path("_snapshots")).replace_extension(".xmf").string();
}

void LesRun::find_earlier_snapshots(int next) {
  snapshot_times_.clear();
  for (int k = 0; k < next; ++k) {
    const std::string path = file_path(snapshot_suffix(k));
    if (!io::file_exists(comm_, path)) continue;
    const io::FieldFileReader file(comm_, path, "LES snapshot");
    snapshot_times_.emplace_back(std::filesystem::path(path).filename().string(),
                                 file.real_attribute("time"));
  }
}

void LesRun::write_checkpoint(const std::string& options_text) {
  // Only what the state needs: velocity (the pressure is recomputed from it), time, steps, and
  // the diagnostics so far, so that a restarted run's table continues this one's.
  io::FieldFile file(comm_, file_path("_checkpoint"));
  const auto u = local_velocity();
  for (int c = 0; c < config_.solver.dim; ++c)
    file.write_field(kComponentNames[c], decomp_, u[c].data(), kVelocityUnits);
  write_diagnostics(file);
  write_state_attributes(file, options_text);
  file.set_attribute("les_checkpoint", 1);
  config_.physics.record(file);
  file.set_attribute("wall_seconds", wall_seconds());
  file.set_attribute("velocity_location", kVelocityLocation);
  file.commit_checkpoint(config_.output.checkpoints_kept);
  TESSERA_LOG("checkpoint at t = " << format("%.4f", solver_.time()) << ": " << file.path());
}

void LesRun::start() {
  if (restarted_) {
    history_ = restart_.history;
    wall_offset_ = restart_.wall_seconds;
    iterations_at_last_row_ = solver_.total_iterations();
    steps_at_last_row_ = restart_.steps;
    TESSERA_LOG("restart from " << config_.restart_file << " at t = " << restart_.time << ", step "
                                << restart_.steps);
  } else {
    history_.push_back(measure(0.0));
  }
}

void LesRun::advance_to_end(const std::string& options_text) {
  const double end = config_.flow.end_time;
  const double snapshot_every = config_.snapshot_every, checkpoint_every = config_.checkpoint_every;
  int snapshot = next_event_index(solver_.time(), snapshot_every);
  int checkpoint = next_event_index(solver_.time(), checkpoint_every);
  // A restarted run's series goes on from the snapshots the earlier runs wrote before it.
  if (restarted_ && snapshot_every > 0) find_earlier_snapshots(snapshot);
  if (!restarted_ && snapshot_every > 0) write_snapshot(0, options_text);
  double last_dt = 0, previous_time = solver_.time();
  // After every step: diagnostics when due; a checkpoint when the wall-clock interval has passed
  // or a signal asks to stop, and then the stop.
  auto record_if_due = [&] {
    last_dt = solver_.time() - previous_time;
    previous_time = solver_.time();
    check_stable(last_dt);
    if (solver_.steps() % config_.diagnostics_every == 0) history_.push_back(measure(last_dt));
    // At the end time the run finishes instead: a checkpoint there could not be continued.
    if (reached(solver_.time(), end)) return;
    const SafePoint point = poll_safe_point(comm_);
    if (point.checkpoint || point.stop) write_checkpoint(options_text);
    if (point.stop)
      throw Stopped(
          "t = " + format("%.4f", solver_.time()) + ", step " + std::to_string(solver_.steps()),
          resume_text(file_path("_checkpoint"), "les_restart"));
  };
  while (!reached(solver_.time(), end)) {
    double target = end;
    if (snapshot_every > 0) target = std::min(target, event_time(snapshot, snapshot_every));
    if (checkpoint_every > 0) target = std::min(target, event_time(checkpoint, checkpoint_every));
    solver_.advance_to(target, record_if_due);
    if (snapshot_every > 0 && reached(solver_.time(), event_time(snapshot, snapshot_every)))
      write_snapshot(snapshot++, options_text);
    // The checkpoint at the end time is written below, also when the interval does not divide it.
    if (checkpoint_every > 0 && !reached(solver_.time(), end) &&
        reached(solver_.time(), event_time(checkpoint, checkpoint_every))) {
      write_checkpoint(options_text);
      ++checkpoint;
    }
  }
  if (history_.back().step != solver_.steps()) history_.push_back(measure(last_dt));
  if (checkpoint_every > 0) write_checkpoint(options_text);
}

LesSummary LesRun::execute(const std::string& options_text) {
  clock_.restart();
  const auto& s = config_.solver;
  TESSERA_LOG("Tessera " << version << ": LES " << config_.flow.name << ", " << s.dim << "D "
                         << s.cells.grid_text(s.dim) << ", nu " << format("%.4e", s.viscosity)
                         << ", to t = " << config_.flow.end_time << ", " << decomp_.size()
                         << " rank(s)");
  start();
  advance_to_end(options_text);

  LesSummary summary;
  summary.time = solver_.time();
  summary.steps = solver_.steps();
  summary.kinetic_energy = solver_.kinetic_energy();
  summary.pressure_iterations = solver_.total_iterations();
  if (has_reference_) compare_with_reference(summary);
  summary.pressure_seconds = solver_.pressure_seconds();
  summary.wall_seconds = wall_seconds();
  summary.output_file = file_path("");
  write_result(summary, options_text);

  TESSERA_LOG("summary: t = " << summary.time << " after " << summary.steps << " steps, E_k "
                              << format("%.6e", summary.kinetic_energy) << ", "
                              << summary.pressure_iterations << " pressure iterations ("
                              << format("%.1f s", summary.pressure_seconds) << "), wall "
                              << format("%.1f s", summary.wall_seconds));
  if (has_reference_ && summary.comparison_problem.empty())
    TESSERA_LOG("reference comparison over [0, "
                << summary.reference_window_end << "]: -dE/dt relative L2 "
                << format("%.3e", summary.dissipation_relative_l2)
                << " (from E_k; semi-discrete rate " << format("%.3e", summary.rate_relative_l2)
                << "); peak " << format("%.6f", summary.peak_dissipation)
                << " at t = " << format("%.2f", summary.peak_time) << " (reference "
                << format("%.6f", summary.reference_peak_dissipation)
                << " at t = " << format("%.2f", summary.reference_peak_time) << ")");
  TESSERA_LOG("output: " << summary.output_file << " (+ .xmf for ParaView)");
  return summary;
}

void LesRun::compare_with_reference(LesSummary& summary) const {
  // The window is [0, end time] cut to the reference's range (its last row is t = 19.99). The
  // comparison is made on the same data on every rank, so a failure (too few samples) is the same
  // everywhere; it is reported rather than thrown, so that the run's results are still written.
  const double end = std::min(config_.flow.end_time, reference_.time.back());
  summary.reference_window_end = end;
  std::vector<double> t, e, rate;
  for (const auto& d : history_) {
    t.push_back(d.time);
    e.push_back(d.kinetic_energy);
    rate.push_back(d.dissipation_rate);
  }
  try {
    const auto comparison = compare_dissipation(reference_, t, e, 0.0, end);
    summary.dissipation_relative_l2 = comparison.relative_l2;
    summary.rate_relative_l2 =
        relative_l2_difference(t, rate, reference_.time, reference_.dissipation, 0.0, end);
    summary.peak_time = comparison.simulated.time;
    summary.peak_dissipation = comparison.simulated.value;
    summary.reference_peak_time = comparison.reference.time;
    summary.reference_peak_dissipation = comparison.reference.value;
  } catch (const Error& e) {
    summary.comparison_problem = e.message();
    TESSERA_LOG("reference comparison not possible: " << e.message());
  }
}

void LesRun::write_result(const LesSummary& summary, const std::string& options_text) {
  ProfilingRegion stage(Stage::Output);
  io::FieldFile file(comm_, summary.output_file);
  write_fields(file);
  write_diagnostics(file);
  write_spectrum(file);
  write_state_attributes(file, options_text);
  file.set_attribute("kinetic_energy", summary.kinetic_energy);
  file.set_attribute("pressure_iterations", summary.pressure_iterations);
  file.set_attribute("wall_seconds", summary.wall_seconds);
  file.set_attribute("pressure_seconds", summary.pressure_seconds);
  if (has_reference_) {
    file.set_attribute("reference_file", config_.reference_file);
    file.set_attribute("reference_window_end", summary.reference_window_end);
    if (!summary.comparison_problem.empty())
      file.set_attribute("reference_comparison_problem", summary.comparison_problem);
    file.set_attribute("dissipation_relative_l2", summary.dissipation_relative_l2);
    file.set_attribute("dissipation_rate_relative_l2", summary.rate_relative_l2);
    file.set_attribute("peak_dissipation_time", summary.peak_time);
    file.set_attribute("peak_dissipation", summary.peak_dissipation);
    file.set_attribute("reference_peak_dissipation_time", summary.reference_peak_time);
    file.set_attribute("reference_peak_dissipation", summary.reference_peak_dissipation);
  }
  file.commit_with_xdmf();
}

}  // namespace tessera::run
