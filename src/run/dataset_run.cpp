#include "run/dataset_run.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <variant>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/output_directory.hpp"

namespace tessera::run {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

// per_sample: wall seconds per sample of this pass so far (solve, field, writing); left: samples
// still to do in this pass.
std::string progress_line(ReuseStrategy strategy, const SolveRecord& r, int samples,
                          double per_sample, int left) {
  char line[220];
  std::snprintf(line, sizeof line,
                "  %-10s sample %4d/%d: %3d iterations, %.4f s, omega %.1f%s; %.3f s/sample, "
                "left %s",
                reuse_strategy_name(strategy), r.sample + 1, samples, r.iterations, r.seconds,
                r.omega, r.preconditioner_built ? "" : ", multigrid kept", per_sample,
                duration_text(per_sample * left).c_str());
  return line;
}

const std::vector<std::string>& solve_columns() {
  static const std::vector<std::string> columns{
      "strategy",      "sample", "iterations",          "seconds",
      "residual_norm", "omega",  "preconditioner_built"};
  return columns;
}

// The options that decide the data, under their option names (which are also the attributes'
// names): a file made with other values cannot be resumed.
using OptionValue = std::variant<long long, double, std::string>;
std::vector<std::pair<std::string, OptionValue>> generating_options(const DatasetRunConfig& c,
                                                                    const std::string& solver) {
  const auto& field = c.sequence.field;
  const auto& grid = c.sequence.solver;
  return {{"darcy_family", std::string(field.family_name())},
          {"darcy_modes", static_cast<long long>(field.modes)},
          {"darcy_seed", static_cast<long long>(field.seed)},
          {"darcy_correlation", field.correlation},
          {"darcy_log_std", field.log_std},
          {"darcy_decay", field.decay},
          {"darcy_grf_alpha", field.grf_alpha},
          {"darcy_grf_tau", field.grf_tau},
          {"darcy_threshold_low", field.threshold_low},
          {"darcy_threshold_high", field.threshold_high},
          {"dataset_samples", static_cast<long long>(c.sequence.samples)},
          {"dataset_points", static_cast<long long>(grid.points)},
          {"dataset_subsample", static_cast<long long>(c.subsample)},
          {"dataset_rtol", grid.krylov.rtol},
          {"dataset_guess_space", static_cast<long long>(grid.guess_space)},
          {"dataset_reuse", std::string(reuse_strategy_name(c.strategies.front()))},
          {"dataset_solver", solver}};
}

std::string value_text(const OptionValue& value) {
  std::ostringstream text;
  std::visit([&](const auto& v) { text << v; }, value);
  return text.str();
}

// Collective. Throws an InputError (on every rank alike) naming the first generating option whose
// value the unfinished file at path does not record; returns the samples it holds complete.
long long check_resumable(MPI_Comm comm, const std::string& path,
                          const std::vector<std::pair<std::string, OptionValue>>& options) {
  const io::FieldFileReader file(comm, path, "unfinished data set");
  auto refuse = [&](const std::string& why) {
    throw InputError("cannot resume '" + path + "': " + why +
                         "; rerun with the options it was made with, or remove it to start afresh",
                     __FILE__, __LINE__);
  };
  if (!file.has_attribute("samples_complete") || !file.has_dataset("samples"))
    refuse("it records no complete samples (not written by a resumable dataset run)");
  for (const auto& [name, value] : options) {
    if (!file.has_attribute(name)) refuse("it does not record -" + name);
    OptionValue stored;
    if (std::holds_alternative<long long>(value))
      stored = file.integer_attribute(name);
    else if (std::holds_alternative<double>(value))
      stored = file.real_attribute(name);
    else
      stored = file.string_attribute(name);
    if (stored != value)
      refuse("-" + name + " is " + value_text(value) + " in this run but " + value_text(stored) +
             " in the file");
  }
  return file.integer_attribute("samples_complete");
}

// The stored grid, every r-th node of the solver's from the first, and this rank's block of it:
// the stored nodes inside its solver block (slowest first, as HDF5 sees it).
io::BlockSelection stored_block(const Decomposition& decomp, int r) {
  io::BlockSelection block = io::block_selection(decomp);
  for (int axis = 0; axis < block.rank; ++axis) {
    const hsize_t begin = (block.start[axis] + r - 1) / r,
                  end = (block.start[axis] + block.count[axis] + r - 1) / r;
    block.global[axis] = (block.global[axis] - 1) / r + 1;
    block.start[axis] = begin;
    block.count[axis] = end - begin;
  }
  return block;
}

// Values at the stored nodes of a 2D block: value(i, j) at solver node (i, j), x fastest.
template <class Value>
std::vector<double> stored_values(const io::BlockSelection& block, int r, Value value) {
  std::vector<double> values;
  values.reserve(static_cast<size_t>(block.count[0] * block.count[1]));
  for (hsize_t j = 0; j < block.count[0]; ++j)
    for (hsize_t i = 0; i < block.count[1]; ++i)
      values.push_back(value(static_cast<int>((block.start[1] + i) * r),
                             static_cast<int>((block.start[0] + j) * r)));
  return values;
}

}  // namespace

DatasetRunConfig DatasetRunConfig::from_options(Options& options) {
  DatasetRunConfig c;
  c.sequence.samples = options.integer("dataset_samples", c.sequence.samples, 1, 1000000,
                                       "samples (coefficient fields and their solutions)");
  std::vector<std::string> choices = reuse_strategy_names();
  choices.push_back("all");
  const std::string reuse = options.choice(
      "dataset_reuse", "all", choices,
      "how each solve reuses the earlier ones; all runs the sequence once per strategy");
  if (reuse == "all") {
    for (const auto& name : reuse_strategy_names()) c.strategies.push_back(reuse_strategy(name));
  } else {
    c.strategies.push_back(reuse_strategy(reuse));
  }
  c.sequence.bandit_exploration =
      options.real("dataset_bandit_exploration", c.sequence.bandit_exploration, 0.0, 10.0,
                   "UCB1 exploration constant c of the bandit strategy");
  c.sequence.solver = solvers::DarcyReferenceConfig::from_options(options);
  const int points = c.sequence.solver.points;
  c.subsample = options.integer("dataset_subsample", c.subsample, 1, 1 << 20,
                                "r: store every r-th grid point (from the first) of the solve; "
                                "r must divide points - 1");
  if ((points - 1) % c.subsample != 0)
    options.report("-dataset_subsample = " + std::to_string(c.subsample) +
                   " does not divide -dataset_points - 1 = " + std::to_string(points - 1) +
                   " (e.g. 421 points: 2, 3, 4, 5, ... give 211, 141, 106, 85)");
  c.resume = options.flag("dataset_resume", c.resume,
                          "go on from the unfinished file (<name>.h5.tmp) of an earlier run of the "
                          "same deck, if there is one; keep this run's if it stops early");
  c.stop_after = options.integer("dataset_stop_after", c.stop_after, 0, 1000000,
                                 "stop once this many samples are complete, keeping the unfinished "
                                 "file for -dataset_resume (0: never; for tests)");
  c.progress_every = options.integer("dataset_progress_every", c.progress_every, 1, 1000000,
                                     "print a progress line every this many samples");
  if ((c.resume || c.stop_after > 0) && c.strategies.size() != 1)
    options.report(
        "-dataset_resume and -dataset_stop_after need a single -dataset_reuse strategy, not all: "
        "a resumed run solves only the samples left, which a comparison of strategies cannot use");
  c.sequence.field = physics::PermeabilityFieldConfig::from_options(options, points);
  c.output = OutputConfig::from_options(options, "darcy_dataset");
  return c;
}

DatasetRun::DatasetRun(MPI_Comm comm, const DatasetRunConfig& config)
    : config_(config),
      comm_(comm),
      decomp_(comm, 2, {config.sequence.solver.points, config.sequence.solver.points, 1}),
      solver_(decomp_, config.sequence.solver) {
  // The bandit tunes the SOR factor of the multigrid smoothers: a deck that changes the
  // preconditioner must fail now, before any output, not after the other strategies have run.
  for (const ReuseStrategy strategy : config_.strategies) {
    if (strategy != ReuseStrategy::bandit) continue;
    try {
      solver_.set_smoother_omega(bandit_omegas().front());
    } catch (const Error& e) {
      // Every rank has the same solver, so every rank throws this together.
      throw InputError(
          "-dataset_reuse bandit (or all) tunes the SOR factor of the multigrid "
          "smoothers, which the deck's -dataset_pc_* or -dataset_mg_levels_* options "
          "leave out: " +
              e.message(),
          __FILE__, __LINE__);
    }
  }
}

void DatasetRun::prepare_output() {
  io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                               config_.output.overwrite);
}

DatasetSummary DatasetRun::execute(const std::string& options_text) {
  Timer wall;
  DatasetSummary summary;
  const auto& seq = config_.sequence;
  const int n = seq.solver.points, samples = seq.samples, r = config_.subsample;
  const auto& grid = decomp_.process_grid();
  const io::BlockSelection stored = stored_block(decomp_, r);
  const int stored_points = static_cast<int>(stored.global[0]);
  std::ostringstream field;
  if (seq.field.family == physics::PermeabilityFamily::threshold)
    field << "a = " << seq.field.threshold_high << " / " << seq.field.threshold_low
          << " where g >= 0 / < 0, g ~ N(0, (-Laplacian + " << seq.field.grf_tau << "^2)^-"
          << seq.field.grf_alpha << ")";
  else
    field << "log-permeability sigma " << seq.field.log_std;
  TESSERA_LOG("Tessera " << version << ": Darcy data set, " << samples << " samples on " << n
                         << " x " << n << " stored on " << stored_points << " x " << stored_points
                         << ", " << field.str() << ", correlation " << seq.field.correlation << "; "
                         << decomp_.size() << " rank(s), process grid " << grid[0] << " x "
                         << grid[1]);

  summary.output_file = io::result_path(config_.output.directory, config_.output.name);
  const auto generating = generating_options(config_, solver_.solver_name());
  const bool resuming = config_.resume && io::unfinished_file_exists(comm_, summary.output_file);
  int first = 0;
  if (resuming)
    first = static_cast<int>(check_resumable(comm_, summary.output_file + ".tmp", generating));
  io::FieldFile file(comm_, summary.output_file,
                     resuming ? io::FileMode::resume : io::FileMode::create);
  if (config_.resume || config_.stop_after > 0) file.keep_if_unfinished();
  if (resuming) {
    TESSERA_LOG("  resuming '" << file.temporary_path() << "' after its " << first
                               << " complete sample(s)");
  } else {
    file.create_samples("samples", stored, samples, {"permeability", "pressure"});
    for (const auto& [name, value] : generating)
      std::visit([&, &name = name](const auto& v) { file.set_attribute(name, v); }, value);
    file.set_attribute("samples_complete", 0);
    file.flush();
  }
  const int end = config_.stop_after > 0 ? std::min(samples, config_.stop_after) : samples;
  const auto& start = decomp_.local_start();
  std::vector<double> rows;  // the per-solve table, on every rank (FieldFile stores rank 0's)
  for (size_t k = 0; k < config_.strategies.size(); ++k) {
    const ReuseStrategy strategy = config_.strategies[k];
    Timer pass;
    auto observe = [&](const SolveRecord& rec, const solvers::DarcyReference& solver,
                       const physics::PermeabilitySequence&) {
      const int done = rec.sample + 1 - first;
      rows.insert(rows.end(), {double(k), double(rec.sample), double(rec.iterations), rec.seconds,
                               rec.residual_norm, rec.omega, rec.preconditioner_built ? 1.0 : 0.0});
      if (k == 0) {  // every strategy solves the same sequence: write it once
        const auto box = solver.coefficient_box();
        const auto& a = solver.coefficient();
        const auto permeability = stored_values(stored, r, [&](int i, int j) {
          return a[static_cast<size_t>(j - box.j0) * box.ni + (i - box.i0)];
        });
        const auto block = solver.local_solution();
        const int nx = decomp_.local_count()[0];
        const auto pressure = stored_values(stored, r, [&](int i, int j) {
          return block[static_cast<size_t>(j - start[1]) * nx + (i - start[0])];
        });
        file.write_sample("samples", stored, rec.sample, {permeability.data(), pressure.data()});
        // The data first, then the count that declares them complete.
        file.flush();
        file.set_attribute("samples_complete", rec.sample + 1);
        file.flush();
      }
      if (done % config_.progress_every == 0 || rec.sample + 1 == end) {
        double per_sample = pass.seconds() / done;
        TESSERA_MPI_CALL(MPI_Bcast(&per_sample, 1, MPI_DOUBLE, 0, comm_));
        TESSERA_LOG(progress_line(strategy, rec, samples, per_sample, end - rec.sample - 1));
      }
    };
    summary.results.push_back(solve_sequence(decomp_, seq, strategy, observe, first, end));
  }
  if (end < samples) {
    TESSERA_LOG("  stopped with " << end << " of " << samples
                                  << " samples complete (-dataset_stop_after); '"
                                  << file.temporary_path()
                                  << "' is kept for -dataset_resume true to go on");
    summary.wall_seconds = wall.seconds();
    return summary;
  }
  const std::string table = reuse_table(summary.results);
  TESSERA_LOG("summary (" << end - first << " solves per strategy, "
                          << (summary.results.empty() ? "" : summary.results.front().solver)
                          << ", rtol " << seq.solver.krylov.rtol << "):\n"
                          << table);

  std::vector<std::string> strategy_names;
  for (const auto& res : summary.results)
    strategy_names.push_back(reuse_strategy_name(res.strategy));
  const double h = 1.0 / (n - 1);
  io::UniformGrid stored_grid;
  stored_grid.dim = 2;
  stored_grid.points = {stored_points, stored_points, 1};
  stored_grid.spacing = {h * r, h * r, 1.0};
  file.set_grid(stored_grid);
  file.write_table("solves", solve_columns(), rows);
  file.set_attribute("options", options_text);
  file.set_attribute(
      "problem", seq.field.family == physics::PermeabilityFamily::threshold
                     ? "darcy2d: -div(a grad u) = 1 on [0,1]^2, u = 0 on the boundary, a = "
                       "darcy_threshold_high where g >= 0, darcy_threshold_low where g < 0"
                     : "darcy2d: -div(a grad u) = 1 on [0,1]^2, u = 0 on the boundary, a = exp(g)");
  file.set_attribute("face_coefficient", "harmonic mean of the two nodes' a");
  file.set_attribute("samples", samples);
  file.set_attribute("stored_points", stored_points);
  file.set_attribute("resumed_at", first);
  file.set_attribute("strategies", joined(strategy_names));
  for (const auto& res : summary.results) {
    const std::string name = reuse_strategy_name(res.strategy);
    file.set_attribute("total_iterations_" + name, res.total_iterations());
    file.set_attribute("total_seconds_" + name, res.total_seconds());
  }
  file.set_attribute("reuse_table", table);
  summary.wall_seconds = wall.seconds();
  file.set_attribute("wall_seconds", summary.wall_seconds);
  file.commit();
  TESSERA_LOG("  wall time " << summary.wall_seconds << " s; output " << summary.output_file);
  return summary;
}

}  // namespace tessera::run
