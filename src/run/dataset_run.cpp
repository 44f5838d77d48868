#include "run/dataset_run.hpp"

#include <cstdio>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"

namespace tessera::run {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

std::string progress_line(ReuseStrategy strategy, const SolveRecord& r, int samples) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-10s sample %4d/%d: %3d iterations, %.4f s, omega %.1f%s",
                reuse_strategy_name(strategy), r.sample + 1, samples, r.iterations, r.seconds,
                r.omega, r.preconditioner_built ? "" : ", multigrid kept");
  return line;
}

const std::vector<std::string>& solve_columns() {
  static const std::vector<std::string> columns{
      "strategy",      "sample", "iterations",          "seconds",
      "residual_norm", "omega",  "preconditioner_built"};
  return columns;
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
  c.sequence.field = physics::PermeabilityFieldConfig::from_options(options);
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
  const int n = seq.solver.points, samples = seq.samples;
  const auto& grid = decomp_.process_grid();
  TESSERA_LOG("Tessera " << version << ": Darcy data set, " << samples << " samples on " << n
                         << " x " << n << ", log-permeability sigma " << seq.field.log_std
                         << ", correlation " << seq.field.correlation << "; " << decomp_.size()
                         << " rank(s), process grid " << grid[0] << " x " << grid[1]);

  summary.output_file = io::result_path(config_.output.directory, config_.output.name);
  io::FieldFile file(comm_, summary.output_file);
  file.create_samples("samples", decomp_, samples, {"permeability", "pressure"});
  const auto& start = decomp_.local_start();
  const auto& count = decomp_.local_count();
  std::vector<double> rows;  // the per-solve table, on every rank (FieldFile stores rank 0's)
  for (size_t k = 0; k < config_.strategies.size(); ++k) {
    const ReuseStrategy strategy = config_.strategies[k];
    auto observe = [&](const SolveRecord& r, const solvers::DarcyReference& solver,
                       const physics::PermeabilitySequence& field) {
      TESSERA_LOG(progress_line(strategy, r, samples));
      rows.insert(rows.end(), {double(k), double(r.sample), double(r.iterations), r.seconds,
                               r.residual_norm, r.omega, r.preconditioner_built ? 1.0 : 0.0});
      if (k != 0) return;  // every strategy solves the same sequence: write it once
      const auto permeability = field.tabulate(start[0], count[0], start[1], count[1], solver.h());
      const auto pressure = solver.local_solution();
      file.write_sample("samples", decomp_, r.sample, {permeability.data(), pressure.data()});
    };
    summary.results.push_back(solve_sequence(decomp_, seq, strategy, observe));
  }
  const std::string table = reuse_table(summary.results);
  TESSERA_LOG("summary (" << samples << " solves per strategy, "
                          << (summary.results.empty() ? "" : summary.results.front().solver)
                          << ", rtol " << seq.solver.krylov.rtol << "):\n"
                          << table);

  std::vector<std::string> strategy_names;
  for (const auto& r : summary.results) strategy_names.push_back(reuse_strategy_name(r.strategy));
  const double h = 1.0 / (n - 1);
  file.set_grid(io::uniform_grid(decomp_, {0.0, 0.0, 0.0}, {h, h, 1.0}));
  file.write_table("solves", solve_columns(), rows);
  file.set_attribute("options", options_text);
  file.set_attribute("problem",
                     "darcy2d: -div(a grad u) = 1 on [0,1]^2, u = 0 on the boundary, a = exp(g)");
  file.set_attribute("samples", samples);
  file.set_attribute("darcy_modes", seq.field.modes);
  file.set_attribute("darcy_log_std", seq.field.log_std);
  file.set_attribute("darcy_decay", seq.field.decay);
  file.set_attribute("darcy_correlation", seq.field.correlation);
  file.set_attribute("darcy_seed", static_cast<long long>(seq.field.seed));
  file.set_attribute("dataset_rtol", seq.solver.krylov.rtol);
  file.set_attribute("strategies", joined(strategy_names));
  for (const auto& r : summary.results) {
    const std::string name = reuse_strategy_name(r.strategy);
    file.set_attribute("total_iterations_" + name, r.total_iterations());
    file.set_attribute("total_seconds_" + name, r.total_seconds());
  }
  file.set_attribute("reuse_table", table);
  summary.wall_seconds = wall.seconds();
  file.set_attribute("wall_seconds", summary.wall_seconds);
  file.commit();
  TESSERA_LOG("  wall time " << summary.wall_seconds << " s; output " << summary.output_file);
  return summary;
}

}  // namespace tessera::run
