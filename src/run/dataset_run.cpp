#include "run/dataset_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>
#include <variant>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/random.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/output_directory.hpp"
#include "io/recorded_options.hpp"
#include "io/uniform_grid.hpp"

namespace tessera::run {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

// Collective. Wall seconds per sample of a pass so far (rank 0's, solve, field, writing), after
// `done` samples of it.
double seconds_per_sample(MPI_Comm comm, const Timer& pass, int done) {
  double per_sample = pass.seconds() / done;
  TESSERA_MPI_CALL(MPI_Bcast(&per_sample, 1, MPI_DOUBLE, 0, comm));
  return per_sample;
}

// The end of every progress line: the pace, the share of the `samples` done and the time the
// `left` samples of this run still take.
std::string pace_text(double per_sample, int done, int samples, int left) {
  return format("%.3f s/sample, ", per_sample) +
         progress_text(double(done) / samples, per_sample * left);
}

// left: samples still to do in this pass.
std::string progress_line(ReuseStrategy strategy, const SolveRecord& r, int samples,
                          double per_sample, int left) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-10s sample %4d/%d: %3d iterations, %.4f s, omega %.1f%s; ",
                reuse_strategy_name(strategy), r.sample + 1, samples, r.iterations, r.seconds,
                r.omega, r.preconditioner_built ? "" : ", multigrid kept");
  return line + pace_text(per_sample, r.sample + 1, samples, left);
}

const std::vector<std::string>& solve_columns() {
  static const std::vector<std::string> columns{
      "strategy",      "sample", "iterations",          "seconds",
      "residual_norm", "omega",  "preconditioner_built"};
  return columns;
}

// Appends the row of solve rec of pass k (the k-th strategy) to the per-solve table.
void append_row(std::vector<double>& rows, int k, const SolveRecord& rec) {
  rows.insert(rows.end(), {double(k), double(rec.sample), double(rec.iterations), rec.seconds,
                           rec.residual_norm, rec.omega, rec.preconditioner_built ? 1.0 : 0.0});
}

// The solves of pass k recorded in the per-solve table, as solve_sequence returned them.
SequenceResult recorded_pass(const std::vector<double>& rows, int k, ReuseStrategy strategy,
                             const std::string& solver) {
  SequenceResult result;
  result.strategy = strategy;
  result.solver = solver;
  const std::size_t columns = solve_columns().size();
  for (std::size_t row = 0; row + columns <= rows.size(); row += columns) {
    if (static_cast<int>(rows[row]) != k) continue;
    SolveRecord rec;
    rec.sample = static_cast<int>(rows[row + 1]);
    rec.iterations = static_cast<int>(rows[row + 2]);
    rec.seconds = rows[row + 3];
    rec.residual_norm = rows[row + 4];
    rec.omega = rows[row + 5];
    rec.preconditioner_built = rows[row + 6] != 0;
    result.solves.push_back(rec);
  }
  if (strategy == ReuseStrategy::bandit) {
    result.arm_pulls.assign(bandit_omegas().size(), 0);
    for (const auto& rec : result.solves)
      for (std::size_t a = 0; a < bandit_omegas().size(); ++a)
        if (rec.omega == bandit_omegas()[a]) ++result.arm_pulls[a];
  }
  return result;
}

// The options that decide the data, under their option names (which are also the attributes'
// names): a file made with other values cannot be resumed.
using GeneratingOptions = io::RecordedOptions;
GeneratingOptions generating_options(const DatasetRunConfig& c, const std::string& solver) {
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
          {"dataset_reuse", c.strategies.size() > 1
                                ? std::string("all")
                                : std::string(reuse_strategy_name(c.strategies.front()))},
          {"dataset_solver", solver}};
}

GeneratingOptions generating_options(const DatasetRunConfig& c) {
  const auto& ns = c.navier_stokes;
  return {{"dataset_problem", std::string("navier_stokes")},
          {"navier_stokes_points", static_cast<long long>(ns.solver.points)},
          {"navier_stokes_viscosity", ns.solver.viscosity},
          {"navier_stokes_time_step", ns.solver.time_step},
          {"navier_stokes_forcing", ns.solver.forcing_amplitude},
          {"navier_stokes_final_time", ns.final_time},
          {"navier_stokes_record_interval", ns.record_interval},
          {"navier_stokes_grf_alpha", ns.field.alpha},
          {"navier_stokes_grf_tau", ns.field.tau},
          {"navier_stokes_seed", static_cast<long long>(ns.field.seed)},
          {"dataset_samples", static_cast<long long>(c.sequence.samples)},
          {"dataset_subsample", static_cast<long long>(c.subsample)}};
}

GeneratingOptions les_generating_options(const DatasetRunConfig& c) {
  const auto& les = c.les;
  const auto& solver = les.solver;
  const auto& flow = les.flow;
  return {{"dataset_problem", std::string("les")},
          {"les_case", flow.name},
          {"les_cells", static_cast<long long>(solver.cells[0])},
          {"les_cells_y", static_cast<long long>(solver.cells[1])},
          {"les_cells_z", static_cast<long long>(solver.cells[2])},
          {"les_length", solver.length},
          {"les_viscosity", solver.viscosity},
          {"les_subgrid_model", std::string(solvers::subgrid_model_name(solver.subgrid_model))},
          {"les_smagorinsky_constant", solver.smagorinsky_constant},
          {"les_test_filter_ratio", solver.test_filter_ratio},
          {"les_cfl", solver.cfl},
          {"les_viscous_factor", solver.viscous_factor},
          {"les_dt", solver.dt},
          {"les_rtol", solver.krylov.rtol},
          {"les_velocity_scale", flow.velocity_scale},
          {"les_peak_wavenumber", flow.peak_wavenumber},
          {"les_modes", static_cast<long long>(flow.modes)},
          {"les_layer_thickness", flow.layer_thickness},
          {"les_perturbation", flow.perturbation},
          {"les_seed", static_cast<long long>(flow.seed)},
          {"les_end_time", flow.end_time},
          {"les_record_interval", les.record_interval},
          {"dataset_samples", static_cast<long long>(c.sequence.samples)}};
}

// Where an unfinished file goes on: its complete samples and, for a comparison of reuse strategies
// (-dataset_reuse all), its complete passes (one per strategy) and the "solves" rows recorded so
// far: those of the complete passes, then those of the pass a signal stopped.
struct ResumePoint {
  int samples = 0;
  int passes = 0;
  std::vector<double> solves;
};

// Collective. Throws an InputError (on every rank alike) naming the first generating option whose
// value the unfinished file at path does not record; returns where it goes on.
ResumePoint check_resumable(MPI_Comm comm, const std::string& path,
                            const GeneratingOptions& options) {
  const io::FieldFileReader file(comm, path, "unfinished data set");
  auto refuse = [&](const std::string& why) {
    throw InputError("cannot resume '" + path + "': " + why +
                         "; rerun with the options it was made with, or remove it to start afresh",
                     __FILE__, __LINE__);
  };
  if (!file.has_attribute("samples_complete") || !file.has_dataset("samples"))
    refuse("it records no complete samples (not written by a resumable dataset run)");
  if (const auto d = io::first_difference(file, options))
    refuse(d.missing ? "it does not record -" + d.name
                     : "-" + d.name + " is " + io::option_text(d.here) + " in this run but " +
                           io::option_text(d.stored) + " in the file");
  ResumePoint point;
  point.samples = static_cast<int>(file.integer_attribute("samples_complete"));
  if (file.has_attribute("passes_complete")) {
    point.passes = static_cast<int>(file.integer_attribute("passes_complete"));
    point.solves = file.read_table("solves").values;
  }
  return point;
}

// Collective. Whether the run goes on from the unfinished file of an earlier run at path. A fresh
// run would replace that file, the checkpoint of a run it did not write: an InputError on every
// rank unless the deck allows it (output_overwrite).
bool resumes(MPI_Comm comm, const DatasetRunConfig& config, const std::string& path) {
  const bool unfinished = io::unfinished_file_exists(comm, path);
  if (unfinished && !config.resume && !config.output.overwrite)
    throw InputError("the unfinished data set '" + io::resumable_path(path) +
                         "' exists and this run would start afresh and replace it; continue it "
                         "with -dataset_resume true, or replace it with -output_overwrite true, "
                         "or choose another output directory",
                     __FILE__, __LINE__);
  return unfinished && config.resume;
}

// Collective. With -dataset_resume and no unfinished file, the finished data set at path grows
// when it holds fewer samples of the same generating options (dataset_samples aside): returns its
// sample count, 0 where there is none and the run starts afresh. A finished set that cannot grow
// (other options, as many samples or more, a comparison of strategies, not a resumable run's file)
// is an InputError on every rank, naming why, unless the deck allows replacing it
// (output_overwrite; then 0). DatasetRun::prepare_output leaves this refusal to here.
int grown_from(MPI_Comm comm, const DatasetRunConfig& config, const std::string& path,
               const GeneratingOptions& generating) {
  if (!config.resume || !io::file_exists(comm, path)) return 0;
  auto refuse = [&](const std::string& why) {
    if (config.output.overwrite) return 0;
    throw InputError("the data set '" + path + "' exists and " + why +
                         "; set -output_overwrite true to make it again, or choose another output "
                         "directory",
                     __FILE__, __LINE__);
  };
  if (config.strategies.size() > 1)
    return refuse(
        "a comparison of reuse strategies (-dataset_reuse all) cannot grow it (its table compares "
        "whole passes); grow it with one strategy");
  const io::FieldFileReader file(comm, path, "data set");
  if (!file.has_attribute("samples_complete") || !file.has_dataset("samples"))
    return refuse("records no complete samples (not written by a resumable data-set run)");
  GeneratingOptions others;
  for (const auto& option : generating)
    if (option.first != "dataset_samples") others.push_back(option);
  if (const auto d = io::first_difference(file, others))
    return refuse(d.missing ? "does not record -" + d.name + ", so it cannot grow"
                            : "cannot grow: -" + d.name + " is " + io::option_text(d.here) +
                                  " in this run but " + io::option_text(d.stored) + " in the file");
  const long long held = file.integer_attribute("samples_complete");
  if (held >= config.sequence.samples)
    return refuse("already holds " + std::to_string(held) +
                  " samples of this deck (-dataset_samples " +
                  std::to_string(config.sequence.samples) + "); raise -dataset_samples to grow it");
  return static_cast<int>(held);
}

// The one sample-set file of a data-set run, either problem: created afresh with the generating
// options as attributes and samples_complete = 0, or (resume) the unfinished file of an earlier
// run of the same deck reopened after checking them, or (resume, grow) created afresh for more
// samples with those of the finished file of the same deck copied in first; samples then marked
// complete in order; the finishing attributes and the rename at the end (which replaces the
// smaller finished file only when the grown one is complete).
class SampleSet {
public:
  // Collective. create makes the sample set(s) in a fresh file.
  SampleSet(MPI_Comm comm, const DatasetRunConfig& config, const std::string& path,
            const GeneratingOptions& generating, const std::function<void(io::FieldFile&)>& create)
      : comm_(comm),
        resuming_(resumes(comm, config, path)),
        grown_from_(resuming_ ? 0 : grown_from(comm, config, path, generating)),
        resumed_(resuming_ ? check_resumable(comm, io::resumable_path(path), generating)
                           : ResumePoint()),
        // A data set is always written under the resumable name, so that a run stopped by a
        // signal (or killed) can be continued with -dataset_resume.
        file_(comm, path, resuming_ ? io::FileMode::resume : io::FileMode::resumable) {
    if (resuming_) {
      TESSERA_LOG("  resuming '" << file_.temporary_path() << "' after its " << resumed_.samples
                                 << " complete sample(s)"
                                 << (config.strategies.size() > 1
                                         ? " and " + std::to_string(resumed_.passes) +
                                               " complete strategy pass(es)"
                                         : std::string()));
      return;
    }
    create(file_);
    io::record_options(file_, generating);
    file_.set_attribute("samples_complete", 0);
    file_.flush();
    if (grown_from_ > 0) grow(path, config.sequence.samples);
  }

  io::FieldFile& file() { return file_; }
  // The first sample this run writes: 0, or the samples an unfinished file held complete.
  int first() const { return resumed_.samples; }
  // What the unfinished file held (nothing for a fresh file).
  const ResumePoint& resumed() const { return resumed_; }

  // Collective. Samples [0, samples) are written: the data first, then the count that declares
  // them complete.
  void complete(long long samples) {
    file_.flush();
    file_.set_attribute("samples_complete", samples);
    file_.flush();
  }

  // Collective. A safe point (where: which, for the message) after the samples written so far are
  // complete: every sample is already in the file, so when a signal asks to stop
  // (core/stop_request.hpp) save (if given) records in it what else a resumed run needs, the
  // unfinished file is kept as the checkpoint and Stopped thrown on every rank.
  void stop_if_asked(const std::string& where, const std::function<void()>& save = {}) {
    if (!poll_safe_point(comm_).stop) return;
    if (save) save();
    throw Stopped(where, "'" + file_.temporary_path() + "'; continue with -dataset_resume true");
  }

  // Collective. Whether the run stops before sample `samples` at end (-dataset_stop_after),
  // keeping the unfinished file; says so.
  bool stopped(int end, int samples) const {
    if (end == samples) return false;
    TESSERA_LOG("  stopped with " << end << " of " << samples
                                  << " samples complete (-dataset_stop_after); '"
                                  << file_.temporary_path()
                                  << "' is kept for -dataset_resume true to go on");
    return true;
  }

  // Collective. The attributes every data set ends with, then the rename to the final name.
  void commit(const std::string& options_text, int samples, int stored_points,
              double wall_seconds) {
    file_.set_attribute("options", options_text);
    file_.set_attribute("samples", samples);
    file_.set_attribute("stored_points", stored_points);
    file_.set_attribute("resumed_at", resumed_.samples);
    file_.set_attribute("wall_seconds", wall_seconds);
    file_.commit();
  }

private:
  // Collective. Copies the samples [0, grown_from_) of the finished set at path into the new
  // file, whole samples split over the ranks in rounds (round m: sample mP + rank), each round
  // marked complete, so that a run stopped while copying resumes after the copied ones.
  void grow(const std::string& path, int samples) {
    TESSERA_LOG("  growing '" << path << "' from its " << grown_from_ << " complete samples to "
                              << samples << " (copied into '" << file_.temporary_path()
                              << "'; the finished file stays as it is until the grown one is "
                                 "complete)");
    Timer copy;
    const io::FieldFileReader previous(comm_, path, "data set");
    const std::vector<hsize_t> shape = previous.dataset_shape("samples");
    io::BlockSelection whole;
    whole.rank = static_cast<int>(shape.size()) - 2;
    whole.global = {1, 1, 1};
    for (int d = 0; d < whole.rank; ++d) whole.global[size_t(d)] = shape[size_t(2 + d)];
    whole.count = whole.global;
    io::BlockSelection none = whole;
    none.count = {0, 0, 0};
    int rank = 0, ranks = 1;
    TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &rank));
    TESSERA_MPI_CALL(MPI_Comm_size(comm_, &ranks));
    for (int round = 0; round < grown_from_; round += ranks) {
      const int sample = round + rank;
      const bool mine = sample < grown_from_;
      io::SampleSelection selection;
      selection.first = mine ? sample : 0;
      selection.count = mine ? 1 : 0;
      const io::SampleShard shard = previous.read_sample_block("samples", selection);
      std::vector<const double*> blocks(shape[1], nullptr);
      if (mine)
        for (size_t f = 0; f < blocks.size(); ++f) blocks[f] = shard.field(0, f);
      file_.write_sample("samples", mine ? whole : none, mine ? sample : 0, blocks);
      complete(std::min(round + ranks, grown_from_));
    }
    resumed_.samples = grown_from_;
    TESSERA_LOG("  copied " << grown_from_ << " samples in " << copy.seconds() << " s");
  }

  MPI_Comm comm_;
  bool resuming_;
  int grown_from_;  // the samples of the finished set this run grows, 0 if none
  ResumePoint resumed_;
  io::FieldFile file_;
};

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

// Collective. Advection is explicit: a step too large for the flow blows up. Rank r solves
// sample round + r of this round; not_finite is its sample's first record that is not finite
// (ns.records() when all are, or when it has no sample). The first such record over the ranks
// (one reduction, the same on every rank) throws DivergenceError on every rank together, before
// the round is written or marked complete: the samples of earlier rounds stay complete in the
// unfinished file.
void require_finite_round(MPI_Comm comm, const VorticityDataConfig& ns, int round, int not_finite,
                          const std::string& unfinished) {
  const long long records = ns.records(), none = std::numeric_limits<long long>::max();
  int rank = 0;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  long long first = not_finite < records ? (round + rank) * records + not_finite : none;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_LONG_LONG, MPI_MIN, comm));
  if (first == none) return;
  const long long sample = first / records, record = first % records;
  TESSERA_THROW_DIVERGED("navier_stokes sample "
                         << sample << " (rank " << sample - round
                         << ") diverged: omega is not finite at t = " << record * ns.record_interval
                         << "; -navier_stokes_time_step " << ns.solver.time_step
                         << " is too large for this flow (halve it). The first " << round
                         << " sample(s) stay complete in '" << unfinished
                         << "' (-dataset_resume true continues after them); none after them was "
                            "written");
}

}  // namespace

long long VorticityDataConfig::steps_per_record() const {
  return std::llround(record_interval / solver.time_step);
}

int VorticityDataConfig::records() const {
  return static_cast<int>(std::llround(final_time / record_interval)) + 1;
}

namespace {

// Collective. The end of a run of independent solves (navier_stokes, les) after `solved` samples
// of this run's pass: the pace (seconds per sample over all ranks) as an attribute, the commit,
// the closing line.
void commit_solved_samples(MPI_Comm comm, SampleSet& set, const std::string& options_text,
                           int samples, int stored_points, const Timer& wall, const Timer& pass,
                           int solved, DatasetSummary& summary) {
  summary.wall_seconds = wall.seconds();
  const double per_sample = solved > 0 ? seconds_per_sample(comm, pass, solved) : 0.0;
  set.file().set_attribute("seconds_per_sample", per_sample);
  set.commit(options_text, samples, stored_points, summary.wall_seconds);
  int ranks = 1;
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &ranks));
  TESSERA_LOG("  wall time " << summary.wall_seconds << " s (" << per_sample << " s/sample on "
                             << ranks << " rank(s)); output " << summary.output_file);
}

// The les problem's options: the LES run's solver and flow options, and the record interval.
void read_les_data_options(Options& options, LesDataConfig& les, long samples) {
  les.solver = solvers::IncompressibleConfig::from_options(options);
  les.flow = LesFlowConfig::from_options(options, les.solver);
  les.record_interval =
      options.real("les_record_interval", les.record_interval, 1e-8, 1e6,
                   "the velocity is stored at t = 0, this, twice this, ..., -les_end_time");
  // Taylor-Green has one initial field: a set of one sample (the operators' out-of-distribution
  // check).
  if (les.flow.name == "taylor_green" && samples != 1)
    options.report(
        "-les_case taylor_green has one initial field: -dataset_samples must be 1, not " +
        std::to_string(samples));
  if (les.flow.name == "cavity")
    options.report(
        "-les_case cavity: a data set's LES runs on the periodic box (isotropic, mixing_layer, "
        "taylor_green)");
  if (les.solver.dim != 3)
    options.report("-les_dim " + std::to_string(les.solver.dim) +
                   ": the LES operators are 3D; the data set needs -les_dim 3");
  const double records = les.flow.end_time / les.record_interval;
  if (std::abs(records - std::round(records)) > 1e-9 * std::max(records, 1.0))
    options.report(
        "-les_end_time = " + format("%g", les.flow.end_time) +
        " is not a whole number of -les_record_interval = " + format("%g", les.record_interval));
}

}  // namespace

int LesDataConfig::records() const {
  return static_cast<int>(std::lround(flow.end_time / record_interval)) + 1;
}

std::uint64_t LesDataConfig::sample_seed(long s) const {
  // Distinct sets of fields for distinct set seeds: a hash of both, not their sum.
  return splitmix64(splitmix64(flow.seed) + static_cast<std::uint64_t>(s));
}

DatasetRunConfig DatasetRunConfig::from_options(Options& options) {
  DatasetRunConfig c;
  const std::string problem = options.choice(
      "dataset_problem", "darcy", {"darcy", "navier_stokes", "les"},
      "darcy (-div(a grad u) = 1, PETSc), navier_stokes (the FNO paper's 2D vorticity data, "
      "pseudo-spectral) or les (3D LES from random initial fields, PETSc); -help "
      "-dataset_problem navier_stokes (or les) lists its options");
  const bool darcy = problem == "darcy";
  if (problem == "navier_stokes") c.problem = DatasetProblem::navier_stokes;
  if (problem == "les") c.problem = DatasetProblem::les;
  c.sequence.samples = options.integer("dataset_samples", c.sequence.samples, 1, 1000000,
                                       "samples (coefficient fields and their solutions)");
  if (darcy) {
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
  } else if (c.problem == DatasetProblem::les) {
    c.strategies.push_back(ReuseStrategy::none);  // independent samples: nothing to reuse
    read_les_data_options(options, c.les, c.sequence.samples);
  } else {
    c.strategies.push_back(ReuseStrategy::none);  // independent samples: nothing to reuse
    auto& ns = c.navier_stokes;
    ns.solver = solvers::Vorticity2DConfig::from_options(options);
    ns.field = solvers::RandomVorticityConfig::from_options(options);
    ns.final_time = options.real("navier_stokes_final_time", ns.final_time, 0.0, 1e6,
                                 "T: the last time omega is stored at");
    ns.record_interval = options.real("navier_stokes_record_interval", ns.record_interval, 1e-8,
                                      1e6, "omega is stored at t = 0, this, twice this, ..., T");
    const double steps = ns.record_interval / ns.solver.time_step,
                 records = ns.final_time / ns.record_interval;
    if (std::abs(steps - std::round(steps)) > 1e-9 * steps)
      options.report("-navier_stokes_record_interval = " + std::to_string(ns.record_interval) +
                     " is not a whole number of steps -navier_stokes_time_step = " +
                     std::to_string(ns.solver.time_step));
    if (std::abs(records - std::round(records)) > 1e-9 * std::max(records, 1.0))
      options.report("-navier_stokes_final_time = " + std::to_string(ns.final_time) +
                     " is not a whole number of -navier_stokes_record_interval = " +
                     std::to_string(ns.record_interval));
  }
  c.subsample = options.integer("dataset_subsample", c.subsample, 1, 1 << 20,
                                "r: store every r-th grid point (from the first) of the solve; "
                                "darcy: r must divide points - 1, navier_stokes: r must divide "
                                "points (periodic)");
  if (darcy && (c.sequence.solver.points - 1) % c.subsample != 0)
    options.report(
        "-dataset_subsample = " + std::to_string(c.subsample) +
        " does not divide -dataset_points - 1 = " + std::to_string(c.sequence.solver.points - 1) +
        " (e.g. 421 points: 2, 3, 4, 5, ... give 211, 141, 106, 85)");
  if (c.problem == DatasetProblem::les && c.subsample != 1)
    options.report("-dataset_subsample = " + std::to_string(c.subsample) +
                   " : the les problem stores every point (the operators train on the LES's own "
                   "grid); use -les_cells for a coarser one");
  if (c.problem == DatasetProblem::navier_stokes &&
      c.navier_stokes.solver.points % c.subsample != 0)
    options.report("-dataset_subsample = " + std::to_string(c.subsample) +
                   " does not divide -navier_stokes_points = " +
                   std::to_string(c.navier_stokes.solver.points) +
                   " (e.g. 256 points: 4 gives the FNO paper's 64)");
  c.resume = options.flag("dataset_resume", c.resume,
                          "go on from the unfinished file (<name>.h5.tmp) of an earlier run of the "
                          "same deck, if there is one, or grow its finished <name>.h5 to more "
                          "-dataset_samples; keep this run's if it stops early");
  c.stop_after = options.integer("dataset_stop_after", c.stop_after, 0, 1000000,
                                 "stop once this many samples are complete, keeping the unfinished "
                                 "file for -dataset_resume (0: never; for tests)");
  c.progress_every = options.integer("dataset_progress_every", c.progress_every, 1, 1000000,
                                     "print a progress line every this many samples");
  if (c.stop_after > 0 && c.strategies.size() != 1)
    options.report(
        "-dataset_stop_after needs a single -dataset_reuse strategy, not all (a comparison of "
        "strategies is stopped by SIGUSR1 or SIGTERM and continued with -dataset_resume)");
  if (darcy)
    c.sequence.field =
        physics::PermeabilityFieldConfig::from_options(options, c.sequence.solver.points);
  c.output = OutputConfig::from_options(
      options, darcy
                   ? "darcy_dataset"
                   : (c.problem == DatasetProblem::les ? "les_dataset" : "navier_stokes_dataset"));
  return c;
}

DatasetRun::DatasetRun(MPI_Comm comm, const DatasetRunConfig& config)
    : config_(config), comm_(comm) {
  if (config_.problem == DatasetProblem::navier_stokes) {
    vorticity_.emplace(config_.navier_stokes.solver);
    return;
  }
  if (config_.problem == DatasetProblem::les) {
    decomp_.emplace(comm, 3, config_.les.solver.cells.points());
    les_ = std::make_unique<solvers::IncompressibleSolver>(*decomp_, config_.les.solver);
    return;
  }
  decomp_.emplace(
      comm, 2, std::array<int, 3>{config.sequence.solver.points, config.sequence.solver.points, 1});
  solver_.emplace(*decomp_, config.sequence.solver);
  // The bandit tunes the SOR factor of the multigrid smoothers: a deck that changes the
  // preconditioner must fail now, before any output, not after the other strategies have run.
  for (const ReuseStrategy strategy : config_.strategies) {
    if (strategy != ReuseStrategy::bandit) continue;
    try {
      solver_->set_smoother_omega(bandit_omegas().front());
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
  // A resumed run may find the finished set it grows under the final name: execute() decides
  // whether it can (grown_from), before it writes anything.
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite || config_.resume);
}

DatasetSummary DatasetRun::execute(const std::string& options_text) {
  switch (config_.problem) {
    case DatasetProblem::navier_stokes:
      return execute_navier_stokes(options_text);
    case DatasetProblem::les:
      return execute_les(options_text);
    case DatasetProblem::darcy:
      break;
  }
  return execute_darcy(options_text);
}

DatasetSummary DatasetRun::execute_darcy(const std::string& options_text) {
  Timer wall;
  DatasetSummary summary;
  const auto& seq = config_.sequence;
  const auto& decomp = *decomp_;
  const int n = seq.solver.points, samples = seq.samples, r = config_.subsample;
  const auto& grid = decomp.process_grid();
  const io::BlockSelection stored = stored_block(decomp, r);
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
                         << decomp.size() << " rank(s), process grid " << grid[0] << " x "
                         << grid[1]);

  summary.output_file = io::result_path(config_.output.directory, config_.output.name);
  SampleSet set(comm_, config_, summary.output_file,
                generating_options(config_, solver_->solver_name()), [&](io::FieldFile& file) {
                  file.create_samples("samples", stored, samples, {"permeability", "pressure"});
                });
  io::FieldFile& file = set.file();
  const int first = set.first();
  const int end = config_.stop_after > 0 ? std::min(samples, config_.stop_after) : samples;
  const auto& start = decomp.local_start();
  // A comparison of strategies records in the file the solves of every complete pass and their
  // count, and on a signal those of the pass it stops, so that a resumed run goes on at the first
  // pass not complete and ends with the uninterrupted run's table (only the times differ).
  const bool comparison = config_.strategies.size() > 1;
  const ResumePoint& resumed = set.resumed();
  std::vector<double> rows = resumed.solves;  // the per-solve table, on every rank
  auto record_passes = [&](int passes) {
    file.write_table("solves", solve_columns(), rows);
    file.set_attribute("passes_complete", passes);
    file.flush();
  };
  int complete = first;  // samples in the file
  for (int k = 0; k < static_cast<int>(config_.strategies.size()); ++k) {
    const ReuseStrategy strategy = config_.strategies[k];
    if (k < resumed.passes) {
      summary.results.push_back(recorded_pass(rows, k, strategy, solver_->solver_name()));
      continue;
    }
    // A pass goes on after the solves a signal left recorded only when its strategy carries
    // nothing from one solve to the next (none: bit for bit the same solves); any other starts
    // again, so that its reuse and its figures are those of an uninterrupted pass.
    SequenceResult earlier;
    int pass_first = comparison ? 0 : first;
    if (comparison) {
      earlier = recorded_pass(rows, k, strategy, solver_->solver_name());
      if (strategy != ReuseStrategy::none) {  // its rows are the last ones recorded
        rows.resize(rows.size() - earlier.solves.size() * solve_columns().size());
        earlier.solves.clear();
      }
      pass_first = static_cast<int>(earlier.solves.size());
    }
    Timer pass;
    auto observe = [&](const SolveRecord& rec, const solvers::DarcyReference& solver,
                       const physics::PermeabilitySequence&) {
      const int done = rec.sample + 1 - pass_first;
      append_row(rows, k, rec);
      if (k == 0 && rec.sample >= complete) {  // every strategy solves the same sequence
        const auto box = solver.coefficient_box();
        const auto& a = solver.coefficient();
        const auto permeability = stored_values(stored, r, [&](int i, int j) {
          return a[static_cast<size_t>(j - box.j0) * box.ni + (i - box.i0)];
        });
        const auto block = solver.local_solution();
        const int nx = decomp.local_count()[0];
        const auto pressure = stored_values(stored, r, [&](int i, int j) {
          return block[static_cast<size_t>(j - start[1]) * nx + (i - start[0])];
        });
        file.write_sample("samples", stored, rec.sample, {permeability.data(), pressure.data()});
        complete = rec.sample + 1;
        set.complete(complete);
      }
      if (comparison)
        set.stop_if_asked("sample " + std::to_string(rec.sample + 1) + " of the " +
                              reuse_strategy_name(strategy) + " pass (" + std::to_string(k) +
                              " of " + std::to_string(config_.strategies.size()) +
                              " strategies complete)",
                          [&] { record_passes(k); });
      else
        set.stop_if_asked(std::to_string(complete) + " complete samples");
      if (done % config_.progress_every == 0 || rec.sample + 1 == end) {
        const double per_sample = seconds_per_sample(comm_, pass, done);  // on every rank
        TESSERA_LOG(progress_line(strategy, rec, samples, per_sample, end - rec.sample - 1));
      }
    };
    SequenceResult result = solve_sequence(decomp, seq, strategy, observe, pass_first, end);
    result.solves.insert(result.solves.begin(), earlier.solves.begin(), earlier.solves.end());
    summary.results.push_back(std::move(result));
    if (comparison) record_passes(k + 1);
  }
  if (set.stopped(end, samples)) {
    summary.wall_seconds = wall.seconds();
    return summary;
  }
  const std::string table = reuse_table(summary.results);
  TESSERA_LOG("summary (" << (comparison ? samples : end - first) << " solves per strategy, "
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
  file.set_attribute(
      "problem", seq.field.family == physics::PermeabilityFamily::threshold
                     ? "darcy2d: -div(a grad u) = 1 on [0,1]^2, u = 0 on the boundary, a = "
                       "darcy_threshold_high where g >= 0, darcy_threshold_low where g < 0"
                     : "darcy2d: -div(a grad u) = 1 on [0,1]^2, u = 0 on the boundary, a = exp(g)");
  file.set_attribute("face_coefficient", "harmonic mean of the two nodes' a");
  file.set_attribute("strategies", joined(strategy_names));
  for (const auto& res : summary.results) {
    const std::string name = reuse_strategy_name(res.strategy);
    file.set_attribute("total_iterations_" + name, res.total_iterations());
    file.set_attribute("total_seconds_" + name, res.total_seconds());
  }
  file.set_attribute("reuse_table", table);
  summary.wall_seconds = wall.seconds();
  set.commit(options_text, samples, stored_points, summary.wall_seconds);
  TESSERA_LOG("  wall time " << summary.wall_seconds << " s; output " << summary.output_file);
  return summary;
}

DatasetSummary DatasetRun::execute_navier_stokes(const std::string& options_text) {
  Timer wall;
  DatasetSummary summary;
  const auto& ns = config_.navier_stokes;
  const int n = ns.solver.points, samples = config_.sequence.samples, r = config_.subsample;
  const int stored_points = n / r, records = ns.records();
  int rank = 0, ranks = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm_, &ranks));
  TESSERA_LOG("Tessera " << version << ": Navier-Stokes vorticity data set, " << samples
                         << " samples on " << n << " x " << n << " stored on " << stored_points
                         << " x " << stored_points << ", nu " << ns.solver.viscosity << ", dt "
                         << ns.solver.time_step << ", omega at t = 0, " << ns.record_interval
                         << ", ..., " << ns.final_time << " (" << records << " records); " << ranks
                         << " rank(s), one sample per rank at a time");

  // Each rank writes whole samples: the whole stored grid, or nothing in a round it has none.
  io::BlockSelection whole;
  whole.rank = 2;
  whole.global = {hsize_t(stored_points), hsize_t(stored_points), 1};
  whole.count = whole.global;
  io::BlockSelection none = whole;
  none.count = {0, 0, 0};
  std::vector<std::string> fields;
  for (int k = 0; k < records; ++k) {
    std::ostringstream name;
    name << "omega_t" << k * ns.record_interval;
    fields.push_back(name.str());
  }
  summary.output_file = io::result_path(config_.output.directory, config_.output.name);
  SampleSet set(
      comm_, config_, summary.output_file, generating_options(config_),
      [&](io::FieldFile& file) { file.create_samples("samples", whole, samples, fields); });
  const int first = set.first();
  const int end = config_.stop_after > 0 ? std::min(samples, config_.stop_after) : samples;
  const std::size_t plane = static_cast<std::size_t>(stored_points) * stored_points;
  std::vector<double> stored(plane * records);
  auto& solver = *vorticity_;
  Timer pass;
  for (int round = first; round < end; round += ranks) {
    const int sample = round + rank;
    const bool mine = sample < end;
    int not_finite = records;  // the first record of this rank's sample that is not finite
    if (mine) {
      solver.set_random_vorticity(ns.field, static_cast<std::uint64_t>(sample));
      for (int k = 0; k < records; ++k) {
        if (k > 0) solver.advance(ns.steps_per_record());
        const auto omega = solver.vorticity();
        if (!std::all_of(omega.begin(), omega.end(), [](double w) { return std::isfinite(w); })) {
          not_finite = k;
          break;
        }
        for (int j = 0; j < stored_points; ++j)
          for (int i = 0; i < stored_points; ++i)
            stored[k * plane + static_cast<std::size_t>(j) * stored_points + i] =
                omega[static_cast<std::size_t>(j * r) * n + i * r];
      }
    }
    require_finite_round(comm_, ns, round, not_finite, set.file().temporary_path());
    std::vector<const double*> blocks(records);
    for (int k = 0; k < records; ++k) blocks[k] = stored.data() + k * plane;
    set.file().write_sample("samples", mine ? whole : none, mine ? sample : 0, blocks);
    const int complete = std::min(round + ranks, end), done = complete - first;
    set.complete(complete);
    set.stop_if_asked(std::to_string(complete) + " complete samples");
    if (done / config_.progress_every != (round - first) / config_.progress_every ||
        complete == end) {
      const double per_sample = seconds_per_sample(comm_, pass, done);
      char line[80];
      std::snprintf(line, sizeof line, "  navier_stokes sample %4d/%d; ", complete, samples);
      TESSERA_LOG(line << pace_text(per_sample, complete, samples, end - complete));
    }
  }
  if (set.stopped(end, samples)) {
    summary.wall_seconds = wall.seconds();
    return summary;
  }
  io::UniformGrid stored_grid;
  stored_grid.dim = 2;
  stored_grid.points = {stored_points, stored_points, 1};
  stored_grid.spacing = {double(r) / n, double(r) / n, 1.0};
  set.file().set_grid(stored_grid);
  set.file().set_attribute(
      "problem",
      "navier_stokes2d vorticity: omega_t + u.grad omega = nu Laplacian omega + f on the periodic "
      "unit square, u = (psi_y, -psi_x), -Laplacian psi = omega, f = navier_stokes_forcing (sin "
      "2 pi (x + y) + cos 2 pi (x + y)); omega(0) ~ N(0, tau^(2 alpha - 2) (-Laplacian + "
      "tau^2)^-alpha), zero mean");
  set.file().set_attribute("scheme",
                           "pseudo-spectral, 2/3 dealiasing of u.grad omega, Crank-Nicolson "
                           "(viscous) + Heun (advection, forcing), FFTW");
  set.file().set_attribute("layout",
                           "samples [sample][record][y][x], record k = omega at t = k "
                           "navier_stokes_record_interval; x_i = i dataset_subsample / "
                           "navier_stokes_points (periodic, no endpoint)");
  set.file().set_attribute("records", records);
  commit_solved_samples(comm_, set, options_text, samples, stored_points, wall, pass, end - first,
                        summary);
  return summary;
}

DatasetSummary DatasetRun::execute_les(const std::string& options_text) {
  Timer wall;
  DatasetSummary summary;
  const auto& les = config_.les;
  const auto& decomp = *decomp_;
  auto& solver = *les_;
  const BoxCells& cells = les.solver.cells;
  const int samples = config_.sequence.samples, records = les.records();
  const auto& grid = decomp.process_grid();
  TESSERA_LOG(
      "Tessera " << version << ": LES data set, " << samples << " samples of " << les.flow.name
                 << " on " << cells.grid_text() << ", nu " << format("%.4e", les.solver.viscosity)
                 << ", " << solvers::subgrid_model_name(les.solver.subgrid_model)
                 << " model, velocity at t = 0, " << les.record_interval << ", ..., "
                 << les.flow.end_time << " (" << records << " records); " << decomp.size()
                 << " rank(s), process grid " << grid[0] << " x " << grid[1] << " x " << grid[2]);
  constexpr const char* kAxes[3] = {"x", "y", "z"};
  std::vector<std::string> fields;
  for (int k = 0; k < records; ++k)
    for (const char* axis : kAxes)
      fields.push_back(std::string("velocity_") + axis + "_" + std::to_string(k));
  summary.output_file = io::result_path(config_.output.directory, config_.output.name);
  SampleSet set(
      comm_, config_, summary.output_file, les_generating_options(config_),
      [&](io::FieldFile& file) { file.create_samples("samples", decomp, samples, fields); });
  const int first = set.first();
  const int end = config_.stop_after > 0 ? std::min(samples, config_.stop_after) : samples;
  std::vector<std::vector<double>> blocks;  // [record][component] of this sample
  Timer pass;
  for (int sample = first; sample < end; ++sample) {
    LesFlowConfig flow = les.flow;
    flow.seed = les.sample_seed(sample);
    set_initial_velocity(solver, flow, les.solver);
    const int steps_before = solver.steps();
    const double start_energy = solver.kinetic_energy();
    blocks.clear();
    for (int k = 0; k < records; ++k) {
      if (k > 0) solver.advance_to(k * les.record_interval);
      // Collective: the same on every rank, so every rank stops together.
      const double energy = solver.kinetic_energy();
      if (!std::isfinite(energy) || energy > 10 * start_energy)
        TESSERA_THROW_DIVERGED("the LES of sample "
                               << sample << " diverged by t = " << format("%g", solver.time())
                               << " (E_k " << format("%.4g", energy) << ", at t = 0 "
                               << format("%.4g", start_energy)
                               << "); lower -les_cfl; the unfinished file '"
                               << set.file().temporary_path() << "' holds the samples before it");
      for (auto& component : solver.local_cell_centre_velocity())
        blocks.push_back(std::move(component));
    }
    std::vector<const double*> pointers;
    for (const auto& b : blocks) pointers.push_back(b.data());
    set.file().write_sample("samples", decomp, sample, pointers);
    set.complete(sample + 1);
    set.stop_if_asked(std::to_string(sample + 1) + " complete samples");
    const int done = sample + 1 - first;
    if (done % config_.progress_every == 0 || sample + 1 == end) {
      const double per_sample = seconds_per_sample(comm_, pass, done);
      char line[80];
      std::snprintf(line, sizeof line, "  les sample %4d/%d (%d steps); ", sample + 1, samples,
                    solver.steps() - steps_before);
      TESSERA_LOG(line << pace_text(per_sample, sample + 1, samples, end - sample - 1));
    }
  }
  if (set.stopped(end, samples)) {
    summary.wall_seconds = wall.seconds();
    return summary;
  }
  const double h = les.solver.length / cells[0];
  set.file().set_grid(io::uniform_grid(decomp, {0.5 * h, 0.5 * h, 0.5 * h}, {h, h, h}), "length");
  set.file().set_attribute(
      "problem",
      "filtered incompressible Navier-Stokes with the -les_subgrid_model closure on the periodic "
      "box of les_cells x les_cells_y x les_cells_z cells of side h = les_length / les_cells "
      "from random divergence-free initial fields (run: les, -les_case), "
      "sample s seeded by a hash of -les_seed and s");
  set.file().set_attribute("scheme",
                           "the PETSc LES (solvers/incompressible.hpp): MAC grid, second order, "
                           "RK3 with projection; stored at the cell centres (face means)");
  set.file().set_attribute("layout",
                           "samples [sample][record][z][y][x], record 3 k + c = velocity "
                           "component c (x, y, z) at t = k les_record_interval; points at cell "
                           "centres (i + 1/2) h, h = les_length / les_cells");
  set.file().set_attribute("records", records);
  set.file().set_attribute("record_interval", les.record_interval);
  commit_solved_samples(comm_, set, options_text, samples, cells[0], wall, pass, end - first,
                        summary);
  return summary;
}

}  // namespace tessera::run
