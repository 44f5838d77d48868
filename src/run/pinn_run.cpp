#include "run/pinn_run.hpp"

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

namespace {

/// The checkpoint kind of a run: those of the runs that trained these problems before (run:
/// poisson, run: xpinn / fbpinn, run: pde), so that their checkpoints restart. One network on
/// Poisson: 1D shares the 2D kind (its physics options are the 2D ones', and the network's size
/// tells the two apart).
std::string checkpoint_kind(const problems::PinnSelection& selection) {
  const auto& problem = selection.problem;
  const auto& learner = selection.learner;
  if (!problems::is_poisson(problem) || (problem == "poisson3d" && learner == "single"))
    return "pde_" + learner + "_" + problem;
  return learner == "single" ? "poisson" : learner;
}

}  // namespace

PinnRunConfig PinnRunConfig::from_options(Options& options,
                                          const problems::PinnSelection& selection) {
  PinnRunConfig c;
  c.selection = selection;
  const auto& problem = selection.problem;
  const bool single = c.single();
  // The problem's own block only: a key of another problem's stops the run as unknown
  // (problems::PinnSelection names whose it is).
  c.problem = problems::ProblemConfig::from_options(options, problem);
  const auto& entry = problems::find_problem(problem);
  c.network = nn::MlpShape::from_options(options, entry.inputs, entry.outputs);
  c.problem->check_network(options, c.network);
  if (single) {
    // Batching changes the round-off of a training, and the other problems' published figures
    // were measured without it: they batch when a deck asks.
    c.points = pinn::PointSetConfig::from_options(options, problem == "poisson2d");
    c.network.fourier_seed = c.points.seed;  // the feature frequencies are drawn like the points
  } else {
    c.subdomains = SubdomainLearnerConfig::from_options(options, selection.learner, entry.inputs);
  }
  c.causal = pinn::CausalConfig::from_options(options);
  c.network.periodic_harmonics = options.integer(
      "pinn_periodic_harmonics", 0, 0, 64,
      "Allen-Cahn: x enters as [sin, cos](k pi x), k = 1..K, periodic exactly; 0: raw x");
  c.network.periodic_length = c.problem->upper()[0] - c.problem->lower()[0];  // x's period
  if (c.network.periodic_harmonics > 0 &&
      (!entry.has(problems::kPeriodicInX) || c.network.fourier_features))
    options.report("-pinn_periodic_harmonics: a periodic embedding is for " +
                   selection.problem_key() + " " + problems::problems_with(problems::kPeriodicInX) +
                   " and replaces -pinn_fourier_features");
  // The problems in (x, t) trained in time slabs and windows.
  const bool time_marching = entry.has(problems::kTimeMarching);
  if (c.causal.epsilon > 0 && !time_marching)
    options.report("-pinn_causal_epsilon: causal training needs a time-dependent PDE, not " +
                   problem + " (it is implemented for " + selection.problem_key() + " " +
                   problems::problems_with(problems::kTimeMarching) + ")");
  if (single && c.causal.epsilon > 0 && c.points.batch_points > 0)
    options.report(
        "-pinn_batch_points " + std::to_string(c.points.batch_points) +
        ": causal training evaluates the interior points at once (each time slab's loss weights "
        "the next); use 0");
  c.training = pinn::TrainingConfig::from_options(options);
  if (!single) {
    refuse_single_network_options(options, c.network, c.training, selection.learner_flag());
    if (c.causal.epsilon > 0 || c.network.periodic_harmonics > 0)
      options.report(selection.learner_flag() +
                     ": causal weights and the periodic embedding are for " +
                     selection.learner_key() + " single");
  } else if (c.training.resampling.every > 0) {
    // Refinement draws its candidates in the problem's box and adds them to one training's
    // interior set; the loss would refuse it only once the output exists.
    c.training.resampling.lower = c.problem->lower();
    c.training.resampling.upper = c.problem->upper();
    if (c.causal.epsilon > 0)
      options.report(
          "-train_rar_every: residual-based refinement with causal training is not implemented "
          "(the time slabs' points are fixed when training starts; use 0 for one of "
          "-train_rar_every, -pinn_causal_epsilon)");
  }
  c.time_windows = options.integer(
      "pde_time_windows", c.time_windows, 1, 1000,
      "Burgers / Allen-Cahn time marching: train on t <= k/K of the time range, k = 1..K in turn");
  if (c.time_windows > 1 && (!time_marching || !single))
    options.report("-pde_time_windows: time marching is for " + selection.problem_key() + " " +
                   problems::problems_with(problems::kTimeMarching) + " with " +
                   selection.learner_key() + " single");
  if (c.time_windows > 1 && c.training.resampling.every > 0)
    options.report(
        "-train_rar_every: residual-based refinement with time windows is not implemented (its "
        "candidates span the whole time range; use 0 for one of -train_rar_every, "
        "-pde_time_windows > 1)");
  c.output =
      OutputConfig::from_options(options, single ? problem : problem + "_" + selection.learner);
  c.checkpoint = dd::CheckpointConfig::from_options(options, checkpoint_kind(selection),
                                                    c.output.checkpoint_path(), c.output.overwrite,
                                                    c.output.checkpoints_kept);
  if (single)
    c.checkpoint.stages_set_by =
        "-pde_time_windows " + std::to_string(c.time_windows) + " and " +
        (c.causal_then_lbfgs() ? "two trainings per window (" : "one training per window (two ") +
        "with causal training followed by L-BFGS: -pinn_causal_epsilon > 0, "
        "-train_lbfgs_iterations > 0)";
  return c;
}

SubdomainLearnerConfig PinnRunConfig::subdomain_learner() const {
  auto s = subdomains;
  s.method = selection.learner;
  s.checkpoint = checkpoint;
  return s;
}

bool PinnRunConfig::causal_then_lbfgs() const {
  return causal.epsilon > 0 && training.lbfgs_iterations > 0;
}

std::vector<pinn::TrainingConfig> PinnRunConfig::training_stages() const {
  if (!causal_then_lbfgs()) return std::vector<pinn::TrainingConfig>(time_windows, training);
  // Weights that move with every evaluation defeat L-BFGS's line search (it stops at once): its
  // stage minimises the causal loss with the weights Adam ended with.
  auto adam = training, lbfgs = training;
  adam.lbfgs_iterations = 0;
  lbfgs.adam_iterations = 0;
  std::vector<pinn::TrainingConfig> stages;
  for (int k = 0; k < time_windows; ++k) stages.insert(stages.end(), {adam, lbfgs});
  return stages;
}

namespace {

/// The corner of the problem's box as the subdomain grid takes it, coordinates beyond the
/// inputs `fill`.
dd::Corner corner(const std::vector<double>& box, double fill) {
  dd::Corner c{fill, fill, fill, fill};
  for (size_t d = 0; d < box.size() && d < c.size(); ++d) c[d] = box[d];
  return c;
}

/// This rank's points (inputs x n) whose time, the last input, is at most end. Not collective.
nn::Matrix points_until(const nn::Matrix& points, double end) {
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  const int inputs = static_cast<int>(x.extent(0));
  std::vector<int> kept;
  for (int p = 0; p < static_cast<int>(x.extent(1)); ++p)
    if (x(inputs - 1, p) <= end) kept.push_back(p);
  nn::Matrix window("tessera::run::pinn_window_points", inputs, kept.size());
  auto w = Kokkos::create_mirror_view(window);
  for (size_t q = 0; q < kept.size(); ++q)
    for (int i = 0; i < inputs; ++i) w(i, q) = x(i, kept[q]);
  Kokkos::deep_copy(window, w);
  return window;
}

/// An InputError, on every rank (each holds the same restart), if restart belongs to a stage
/// whose loss holds causal weights frozen (the L-BFGS of causal_then_lbfgs) without one weight per
/// time slab of this run.
void check_frozen_weights(const pinn::TrainingCheckpoint* restart, const PinnRunConfig& config) {
  if (!restart || !config.causal_then_lbfgs() || restart->stage % 2 == 0) return;
  const auto& weights = restart->causal_weights;
  if (static_cast<int>(weights.size()) != config.causal.time_slabs)
    throw InputError("the checkpoint of -dd_restart " + config.checkpoint.restart + " holds " +
                         std::to_string(weights.size()) +
                         " frozen causal weights for its L-BFGS stage; this run has " +
                         std::to_string(config.causal.time_slabs) +
                         " time slabs (-pinn_causal_slabs)",
                     __FILE__, __LINE__);
}

}  // namespace

PinnRun::PinnRun(MPI_Comm comm, const PinnRunConfig& config) : config_(config), comm_(comm) {
  const auto& problem = *config.problem;
  if (!config.single())
    subdomains_ = SubdomainLearner::make(comm, config.subdomain_learner(), config.network,
                                         corner(problem.lower(), 0.0), corner(problem.upper(), 1.0),
                                         config.training);
  // The reference before the restart is read: its solver reads its PETSc options.
  problem_ = problem.make(
      comm, subdomains_ ? subdomains_->grid().process_grid() : std::array<int, 3>{0, 0, 0});
  if (subdomains_)
    for (const auto& points : problem_->comparison_points())
      check_points_owned(subdomains_->grid(), points,
                         problem.grid_name(config.selection.problem_flag()));
  if (config.single()) {
    single_ = std::make_unique<SingleLearner>(comm, config.network, config.points,
                                              config.checkpoint, config.training_stages());
    check_frozen_weights(single_->restart(), config);
  }
}

PinnRun::~PinnRun() = default;

Learner& PinnRun::learner() const {
  if (single_) return *single_;
  return *subdomains_;
}

void PinnRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

PinnOutcome PinnRun::execute(const std::string& options_text) {
  Timer total;
  PinnOutcome s;
  const auto& decomp = problem_->decomposition();
  const auto& net = config_.network;
  TESSERA_LOG(
      "Tessera " << version << ": " << problem_->description() << ", " << learner().headline()
                 << (single_ ? ", process grid " + counts_text(decomp.process_grid(), decomp.dim())
                             : std::string()));
  if (single_)
    TESSERA_LOG("PINN: MLP " << net.inputs << "-" << net.width << "x" << net.depth << "-"
                             << net.outputs << " " << nn::activation_name(net.activation) << " ("
                             << single_->parameter_count() << " parameters), "
                             << config_.points.interior_points << " interior + "
                             << config_.points.boundary_points << " boundary points");

  problem_->solve_reference();
  const auto training = single_
                            ? train_single()
                            : subdomains_->train(problem_->residual(),
                                                 problems::domain_conditions(config_.problem->name),
                                                 config_.training);
  s.record_training(training, config_.training);

  const std::string label = config_.selection.learner == "fbpinn" ? "FBPINN" : "PINN";
  const auto comparison =
      problem_->compare([&](const problems::Coordinates& points,
                            int output) { return learner().sample(points, output); },
                        label);
  s.pinn_vs_exact = comparison.pinn_vs_exact;
  s.reference_vs_exact = comparison.reference_vs_exact;
  s.pinn_vs_reference = comparison.pinn_vs_reference;
  // XPINN: each point's value is one subdomain's network's.
  const auto owners = config_.selection.learner == "xpinn"
                          ? subdomain_ids(subdomains_->grid(), problem_->grid_points())
                          : std::vector<double>();

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, s.output_file, decomp, comparison,
      {config_.selection, learner(), s, training.history, options_text},
      [&](io::FieldFile& file) {
        if (!owners.empty()) {
          file.write_field("subdomain", decomp, owners.data());
          file.set_dataset_attribute("subdomain", "subdomain_meaning",
                                     "index (0 to subdomains - 1) of the subdomain whose network "
                                     "gives the point's pinn value");
        }
        if (single_)
          file.set_attribute(
              "network", "MLP " + std::to_string(net.inputs) + "-" + std::to_string(net.width) +
                             "x" + std::to_string(net.depth) + "-" + std::to_string(net.outputs) +
                             " " + nn::activation_name(net.activation));
      },
      [&] { return total.seconds(); });
  s.total_seconds = total.seconds();
  TESSERA_LOG(comparison.summary << summary_tail(learner(), s, s.total_seconds, s.output_file));
  return s;
}

pinn::TrainingResult PinnRun::train_single() {
  auto points = problem_->training_points(comm_, config_.points);
  // With the periodic embedding u is periodic in x exactly: no condition on the sides.
  if (config_.network.periodic_harmonics > 0)
    points.conditions.erase(
        std::remove_if(points.conditions.begin(), points.conditions.end(),
                       [](const pinn::ConditionPoints& c) { return c.name == "boundary"; }),
        points.conditions.end());
  // Window k trains on t <= t0 + (t1 - t0) k / K, from the last window's network, in the stages
  // [(k - 1) n, k n) of the run (n per window). Those before the restart's are done: the restart
  // holds the network they ended with.
  const auto residual = problem_->residual();
  const int windows = config_.time_windows;
  const int per_window = static_cast<int>(single_->stages().size()) / windows;
  const double t0 = config_.problem->lower().back(), t1 = config_.problem->upper().back();
  pinn::TrainingResult training;
  for (int k = 1; k <= windows; ++k) {
    const double end = t0 + (t1 - t0) * k / windows;
    if (k * per_window <= single_->first_stage()) {
      TESSERA_LOG("time window " << k << " of " << windows << ": t <= " << end
                                 << ", trained before the restart");
      continue;
    }
    auto interior = points.interior;
    auto conditions = points.conditions;
    if (k < windows) {
      interior = points_until(interior, end);
      for (auto& condition : conditions) condition.points = points_until(condition.points, end);
    }
    if (windows > 1) TESSERA_LOG("time window " << k << " of " << windows << ": t <= " << end);
    pinn::append(training, single_->train(residual, interior, conditions, (k - 1) * per_window,
                                          k * per_window, config_.causal));
  }
  return training;
}

}  // namespace tessera::run
