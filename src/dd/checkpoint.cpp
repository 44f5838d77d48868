#include "dd/checkpoint.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/stop_request.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/restart.hpp"
#include "pinn/resampling.hpp"

namespace tessera::dd {

namespace {

/// Parameters x subdomains as a 3D point grid over the subdomain grid's process grid: the
/// parameter index is the fastest direction and never split, so a rank's block is its networks'
/// flat vector. A 3D tiling has no fourth direction for the parameters: they share the x
/// direction with the subdomains (P S_x points, split into blocks of whole networks).
Decomposition parameter_layout(const SubdomainGrid& grid, long parameters_per_network) {
  const auto& s = grid.subdomains();
  const auto& p = grid.process_grid();
  const int per = static_cast<int>(parameters_per_network);
  if (grid.tiled_dim() == 3) return Decomposition(grid.comm(), 3, {per * s[0], s[1], s[2]}, p);
  return Decomposition(grid.comm(), 3, {per, s[0], s[1]}, {1, p[0], p[1]});
}

/// The vector fields of a checkpoint of state's phase, with their names (for writing, State is
/// const; for reading, the vectors to fill).
template <class State>
auto vector_fields(State& state) {
  using Pointer = decltype(&state.parameters);
  std::vector<std::pair<std::string, Pointer>> fields{{"parameters", &state.parameters}};
  if (state.phase == 0) {
    fields.push_back({"adam_first_moment", &state.first_moment});
    fields.push_back({"adam_second_moment", &state.second_moment});
    return fields;
  }
  fields.push_back({"lbfgs_gradient", &state.lbfgs.gradient});
  for (size_t i = 0; i < state.lbfgs.s.size(); ++i) {
    fields.push_back({"lbfgs_s_" + std::to_string(i), &state.lbfgs.s[i]});
    fields.push_back({"lbfgs_y_" + std::to_string(i), &state.lbfgs.y[i]});
  }
  return fields;
}

}  // namespace

CheckpointConfig CheckpointConfig::from_options(Options& options, const std::string& kind,
                                                const std::string& path, bool overwrite, int kept) {
  CheckpointConfig c;
  c.kind = kind;
  c.path = path;
  c.overwrite = overwrite;
  c.kept = kept;
  c.every = options.integer(
      "dd_checkpoint_every", 0, 0, 100000000,
      "iterations between checkpoints (<directory>/<name>_checkpoint.h5), 0 for none");
  c.restart = options.input_file(
      "dd_restart", "",
      "checkpoint file to continue training from; latest: the newest readable one this run "
      "keeps, if there is one",
      {io::kLatestCheckpoint});
  c.physics = io::RestartPhysics::from_options(options, kind);
  return c;
}

void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& kind, const std::string& path,
                      const pinn::TrainingCheckpoint& state, const io::RecordedOptions& physics,
                      int kept) {
  const Decomposition layout = parameter_layout(grid, parameters_per_network);
  io::FieldFile file(grid.comm(), path);
  for (const auto& [name, vector] : vector_fields(state)) {
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), *vector);
    TESSERA_CHECK(static_cast<long>(host.extent(0)) == layout.local_size(),
                  "write_checkpoint: " << name << " has " << host.extent(0) << " values, expected "
                                       << layout.local_size());
    file.write_field(name, layout, host.data());
  }
  file.set_attribute("run_kind", kind);
  file.set_attribute("phase", state.phase);
  file.set_attribute("phase_meaning", pinn::kPhaseMeaning);
  file.set_attribute("iteration", state.iteration);
  file.set_attribute("parameters_per_network", parameters_per_network);
  file.set_attribute("stage", state.stage);
  file.set_attribute("stages", state.stages);
  if (!state.causal_weights.empty())
    file.write_table("causal_weights", {"weight"}, state.causal_weights);
  if (!std::isnan(state.loss)) file.set_attribute("loss", state.loss);
  io::record_options(file, physics);
  if (state.phase == 0) {
    file.set_attribute("adam_steps", state.adam_steps);
  } else {
    // rho, the iteration count and f are the same on every rank (global reductions).
    file.write_table("lbfgs_rho", {"rho"}, state.lbfgs.rho);
    file.set_attribute("lbfgs_iteration", state.lbfgs.iteration);
    file.set_attribute("lbfgs_evaluations", state.lbfgs.evaluations);
    file.set_attribute("lbfgs_value", state.lbfgs.value);
  }
  // Adaptive weights and refined points are the same on every rank.
  if (!state.term_weights.empty()) file.write_table("term_weights", {"weight"}, state.term_weights);
  if (!state.refined_points.empty())
    file.write_table("refined_points", pinn::refinement_columns(state.refined_inputs),
                     state.refined_points);
  file.commit_checkpoint(kept);
}

pinn::TrainingCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                         const std::string& kind, const std::string& path,
                                         const io::RestartPhysics* physics) {
  const Decomposition layout = parameter_layout(grid, parameters_per_network);
  io::FieldFileReader reader(grid.comm(), path, "checkpoint");
  if (!reader.has_attribute("parameters_per_network"))
    throw InputError("'" + path + "' is not a training checkpoint (no parameters_per_network)",
                     __FILE__, __LINE__);
  if (!reader.has_attribute("run_kind"))
    throw InputError("checkpoint '" + path + "' records no run kind (written by an older " +
                         "Tessera), so this run of kind '" + kind +
                         "' cannot tell whose networks it holds; train afresh",
                     __FILE__, __LINE__);
  const std::string written_by = reader.string_attribute("run_kind");
  if (written_by != kind)
    throw InputError("checkpoint '" + path + "' was written by a run of kind '" + written_by +
                         "'; this run's kind is '" + kind + "'",
                     __FILE__, __LINE__);
  // In 3D the field shape alone does not tell P S_x apart from another P' S_x' = P S_x.
  const long stored = reader.integer_attribute("parameters_per_network");
  if (stored != parameters_per_network)
    throw InputError("checkpoint '" + path + "' holds networks of " + std::to_string(stored) +
                         " parameters; this run's have " + std::to_string(parameters_per_network),
                     __FILE__, __LINE__);
  if (physics) physics->require_same(reader);
  pinn::TrainingCheckpoint state;
  state.phase = static_cast<int>(reader.integer_attribute("phase"));
  state.iteration = static_cast<int>(reader.integer_attribute("iteration"));
  if (reader.has_attribute("stages")) {  // else one training, as before stages were recorded
    state.stage = static_cast<int>(reader.integer_attribute("stage"));
    state.stages = static_cast<int>(reader.integer_attribute("stages"));
    if (state.stage < 0 || state.stage >= state.stages)
      throw InputError("checkpoint '" + path + "' records stage " + std::to_string(state.stage) +
                           " of " + std::to_string(state.stages) + " (stages count from 0)",
                       __FILE__, __LINE__);
  }
  if (reader.has_dataset("causal_weights")) {
    state.causal_weights = reader.read_table("causal_weights").values;
    reader.require_finite("causal_weights", state.causal_weights);
  }
  if (reader.has_attribute("loss")) state.loss = reader.real_attribute("loss");
  if (state.phase == 0) {
    state.adam_steps = reader.integer_attribute("adam_steps");
  } else {
    state.lbfgs.rho = reader.read_table("lbfgs_rho").values;
    state.lbfgs.s.resize(state.lbfgs.rho.size());
    state.lbfgs.y.resize(state.lbfgs.rho.size());
    state.lbfgs.iteration = static_cast<int>(reader.integer_attribute("lbfgs_iteration"));
    state.lbfgs.evaluations = static_cast<int>(reader.integer_attribute("lbfgs_evaluations"));
    state.lbfgs.value = reader.real_attribute("lbfgs_value");
    reader.require_finite("lbfgs_rho", state.lbfgs.rho);
    reader.require_finite("lbfgs_value", {state.lbfgs.value});
  }
  // Typed, not deduced: nvcc's front end cannot deduce a braced list of pairs.
  const std::pair<const char*, std::vector<double>*> optional_tables[] = {
      {"term_weights", &state.term_weights}, {"refined_points", &state.refined_points}};
  for (const auto& [name, values] : optional_tables)
    if (reader.has_dataset(name)) {
      const auto table = reader.read_table(name);
      *values = table.values;
      reader.require_finite(name, *values);
      if (values == &state.refined_points)
        state.refined_inputs = static_cast<int>(table.columns.size()) - 1;
    }
  for (const auto& [name, vector] : vector_fields(state)) {
    // read_field names both shapes if the file holds another tiling or network size.
    const auto values = reader.read_field(name, layout);
    reader.require_finite(name, values);
    auto& target = *vector;
    target = nn::Vector("tessera::dd::checkpoint_" + name, values.size());
    auto host = Kokkos::create_mirror_view(target);
    for (size_t i = 0; i < values.size(); ++i) host(i) = values[i];
    Kokkos::deep_copy(target, host);
  }
  return state;
}

std::unique_ptr<pinn::TrainingCheckpoint> read_restart(
    const SubdomainGrid& grid, long parameters_per_network, CheckpointConfig& config,
    const std::vector<pinn::TrainingConfig>& stages) {
  config.restart =
      io::resolve_restart(grid.comm(), "dd_restart", config.restart, config.path, config.overwrite);
  const std::string& source = config.restart;
  if (source.empty()) return nullptr;
  auto state = std::make_unique<pinn::TrainingCheckpoint>(
      read_checkpoint(grid, parameters_per_network, config.kind, source, &config.physics));
  const int count = static_cast<int>(stages.size());
  if (state->stages != count)
    throw InputError("checkpoint '" + source + "' belongs to training stage " +
                         std::to_string(state->stage + 1) + " of a run of " +
                         std::to_string(state->stages) + " trainings of the network in turn; " +
                         "this run has " + std::to_string(count) +
                         (config.stages_set_by.empty() ? "" : " (" + config.stages_set_by + ")") +
                         ": a restart continues the same stages",
                     __FILE__, __LINE__);
  const auto& training = stages[state->stage];
  const int end = training.adam_iterations + training.lbfgs_iterations;
  const bool fits = state->phase == 0
                        ? state->iteration <= training.adam_iterations
                        : state->iteration >= training.adam_iterations && state->iteration <= end;
  if (!fits)
    throw InputError("checkpoint '" + source + "' is at iteration " +
                         std::to_string(state->iteration) +
                         (state->phase ? " (L-BFGS)" : " (Adam)") + ", outside " +
                         (count > 1 ? "its stage's " : "this run's ") +
                         std::to_string(training.adam_iterations) + " Adam + " +
                         std::to_string(training.lbfgs_iterations) + " L-BFGS iterations",
                     __FILE__, __LINE__);
  // Adaptation reached so far that the checkpoint does not hold could not be repeated.
  if (training.balance_every > 0 && state->term_weights.empty())
    throw InputError("checkpoint '" + source +
                         "' holds no adaptive term weights (written without "
                         "-train_balance_every); this run adapts them",
                     __FILE__, __LINE__);
  const int every = training.resampling.every;
  const int last = state->phase == 0 ? state->iteration - 1 : training.adam_iterations - 1;
  const long rounds = every > 0 && last > 0 ? last / every : 0;
  const auto& refined = state->refined_points;
  const std::size_t width = 1 + static_cast<std::size_t>(state->refined_inputs);
  const long stored = refined.size() < width ? 0 : std::lround(refined[refined.size() - width]);
  if (every > 0 && rounds != stored)
    throw InputError("checkpoint '" + source + "' holds " + std::to_string(stored) +
                         " residual refinement round(s); this run (-train_rar_every " +
                         std::to_string(every) + ") makes " + std::to_string(rounds) +
                         " by its iteration " + std::to_string(state->iteration),
                     __FILE__, __LINE__);
  return state;
}

void attach_checkpoints(pinn::TrainingControl& control, const SubdomainGrid& grid,
                        long parameters_per_network, const CheckpointConfig& config,
                        const pinn::TrainingCheckpoint* resume) {
  control.comm = grid.comm();
  control.resume = resume;
  control.resume_source = config.restart;
  control.warm_start = config.physics.warm_start;
  if (resume)
    TESSERA_LOG("restart from " << config.restart << " at iteration " << resume->iteration
                                << (resume->phase ? " (L-BFGS)" : " (Adam)")
                                << (resume->stages > 1 ? " of training stage " +
                                                             std::to_string(resume->stage + 1) +
                                                             " of " + std::to_string(resume->stages)
                                                       : ""));
  if (config.path.empty()) return;  // a run that keeps no checkpoint
  control.checkpoint_every = config.every;
  control.checkpoint = [&grid, parameters_per_network, kind = config.kind,
                        physics = config.physics.options, path = config.path,
                        kept = config.kept](const pinn::TrainingCheckpoint& s) {
    write_checkpoint(grid, parameters_per_network, kind, path, s, physics, kept);
  };
  control.resume_hint = resume_text(config.path, "dd_restart");
}

ReplicatedCheckpoints::ReplicatedCheckpoints(MPI_Comm comm, long parameters,
                                             const CheckpointConfig& config,
                                             const std::vector<pinn::TrainingConfig>& stages)
    : comm_(comm),
      parameters_(parameters),
      stages_(static_cast<int>(stages.size())),
      config_(config),
      self_(MPI_COMM_SELF, 2, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {1, 1, 1}) {
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank_));
  // Every rank reads the same file alone; the outcome (state or InputError) is the same on all.
  config_.restart =
      io::resolve_restart(comm, "dd_restart", config.restart, config.path, config.overwrite);
  CheckpointConfig resolved = config_;
  resolved.path.clear();  // already checked on comm
  restart_ = read_restart(self_, parameters, resolved, stages);
}

void ReplicatedCheckpoints::attach(pinn::TrainingControl& control, int stage,
                                   std::vector<double> causal_weights) const {
  const auto* resume = restart_ && restart_->stage == stage ? restart_.get() : nullptr;
  attach_checkpoints(control, self_, parameters_, config_, resume);
  // Every rank holds the same state: rank 0 writes it, the others go on to the next iteration's
  // reductions (where they wait for it).
  control.checkpoint = [this, stage,
                        weights = std::move(causal_weights)](const pinn::TrainingCheckpoint& s) {
    if (rank_ != 0) return;
    auto staged = s;  // views are shared, not copied
    staged.stage = stage;
    staged.stages = stages_;
    staged.causal_weights = weights;
    write_checkpoint(self_, parameters_, config_.kind, config_.path, staged,
                     config_.physics.options, config_.kept);
  };
  control.comm = comm_;
}

}  // namespace tessera::dd
