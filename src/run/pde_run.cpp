#include "run/pde_run.hpp"

#include <cstdio>
#include <utility>
#include <variant>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "io/uniform_grid.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "problems/domain_conditions.hpp"
#include "run/comparison.hpp"

namespace tessera::run {

PdeRunConfig PdeRunConfig::from_options(Options& options,
                                        const problems::PinnSelection& selection) {
  PdeRunConfig c;
  c.selection = selection;
  c.pde = selection.problem;
  c.method = selection.learner;
  // The PDE's own block only: a key of another PDE's stops the run as unknown
  // (problems::PinnSelection names whose it is).
  if (problems::BoxProblemConfig::is_box_problem(c.pde)) {
    c.problem = problems::BoxProblemConfig::from_options(options, c.pde);
  } else if (c.pde == "heat3d") {
    c.heat = Heat3DConfig::from_options(options);
  } else {
    TESSERA_CHECK(is_navier_stokes(c.pde), "PdeRunConfig: no PDE " << c.pde);
    c.navier_stokes = NavierStokesPdeConfig::from_options(options, c.pde);
  }
  c.output = OutputConfig::from_options(options, c.pde);
  c.network = nn::MlpShape::from_options(options, c.pde == "heat3d" ? 4 : 2,
                                         is_navier_stokes(c.pde) ? 3 : 1);
  if (c.pde == "heat3d" && c.network.hard_dirichlet)
    options.report(
        "-pinn_hard_boundary: its ansatz vanishes on every face of the unit box, t = 0 "
        "and t = 1 included, so it cannot hold the heat equation's initial value");
  if (c.subdomain_method()) {
    c.subdomains = SubdomainLearnerConfig::from_options(options, c.method, c.pde, c.output);
  } else {
    // Batching changes the round-off of every training, and these problems' published figures
    // were measured without it: they take it up when they are measured again.
    c.points = pinn::PointSetConfig::from_options(
        options, "is implemented for " + selection.problem_key() +
                     " poisson2d so far (this problem evaluates its interior points at once)");
    c.network.fourier_seed = c.points.seed;
  }
  c.causal = pinn::CausalConfig::from_options(options);
  c.network.periodic_harmonics = options.integer(
      "pinn_periodic_harmonics", 0, 0, 64,
      "Allen-Cahn: x enters as [sin, cos](k pi x), k = 1..K, periodic exactly; 0: raw x");
  c.network.periodic_length = 2.0;  // Allen–Cahn's x in [-1, 1]
  if (c.network.periodic_harmonics > 0 && (c.pde != "allen_cahn" || c.network.fourier_features))
    options.report("-pinn_periodic_harmonics: a periodic embedding is for " +
                   selection.problem_key() + " allen_cahn and replaces -pinn_fourier_features");
  // The PDEs in (x, t) whose loss run: pde builds with time slabs and windows.
  const bool time_marching = c.pde == "burgers" || c.pde == "allen_cahn";
  if (c.causal.epsilon > 0 && !time_marching)
    options.report("-pinn_causal_epsilon: causal training needs a time-dependent PDE, not " +
                   c.pde + " (it is implemented for " + selection.problem_key() +
                   " burgers and allen_cahn)");
  c.training = pinn::TrainingConfig::from_options(options);
  if (c.subdomain_method()) {
    refuse_single_network_options(options, c.network, c.training, selection.learner_flag());
    if (c.causal.epsilon > 0 || c.network.periodic_harmonics > 0)
      options.report(selection.learner_flag() +
                     ": causal weights and the periodic embedding are for " +
                     selection.learner_key() + " single");
  } else if (c.training.resampling.every > 0) {
    // Refinement draws its candidates in the unit square, not in these problems' boxes (or
    // space-time), and the trainer would find out only once the output exists.
    options.report(
        "-train_rar_every: residual-based refinement is implemented for poisson2d with the single "
        "learner only (its candidates are drawn in the unit square; use 0)");
  }
  c.time_windows = options.integer(
      "pde_time_windows", c.time_windows, 1, 1000,
      "Burgers / Allen-Cahn time marching: train on t <= k/K of the time range, k = 1..K in turn");
  if (c.time_windows > 1 && (!time_marching || c.subdomain_method()))
    options.report("-pde_time_windows: time marching is for " + selection.problem_key() +
                   " burgers and allen_cahn with " + selection.learner_key() + " single");
  if (!c.subdomain_method()) {
    c.checkpoint = dd::CheckpointConfig::from_options(
        options, "pde_single_" + c.pde, c.output.checkpoint_path(), c.output.overwrite,
        c.output.checkpoints_kept);
    c.checkpoint.stages_set_by =
        "-pde_time_windows " + std::to_string(c.time_windows) + " and " +
        (c.causal_then_lbfgs() ? "two trainings per window (" : "one training per window (two ") +
        "with causal training followed by L-BFGS: -pinn_causal_epsilon > 0, "
        "-train_lbfgs_iterations > 0)";
  }
  return c;
}

bool PdeRunConfig::causal_then_lbfgs() const {
  return causal.epsilon > 0 && training.lbfgs_iterations > 0;
}

std::vector<pinn::TrainingConfig> PdeRunConfig::training_stages() const {
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

solvers::SpaceTimeBox pde_box(const PdeRunConfig& c) {
  if (is_navier_stokes(c.pde)) return navier_stokes_box(c.pde);
  if (c.pde == "heat3d") return {};  // Heat3DRun's own: the unit cube and [0, T]
  return c.problem.box();
}

/// -pde_method xpinn / fbpinn: the subdomains over the PDE's box. Collective.
std::unique_ptr<SubdomainLearner> make_subdomains(MPI_Comm comm, const PdeRunConfig& c,
                                                  const solvers::SpaceTimeBox& box) {
  if (!c.subdomain_method()) return nullptr;
  return SubdomainLearner::make(comm, c.subdomains, c.network, {box.x0, box.t0, 0.0},
                                {box.x1, box.t1, 1.0}, c.training);
}

std::array<int, 3> grid_points(const PdeRunConfig& c) {
  if (c.pde == "heat3d")
    return {c.heat.heat_reference.points, c.heat.heat_reference.points,
            c.heat.heat_reference.points};
  if (is_navier_stokes(c.pde)) return navier_stokes_grid(c.pde, c.navier_stokes);
  return c.problem.grid_points();
}

/// The comparison points of every output, one coordinate list per input, on this rank: the
/// grid's points, or for the cavity each component's MAC points. Not collective.
std::vector<Coordinates> comparison_points(const Decomposition& decomp, const PdeRunConfig& c,
                                           const solvers::SpaceTimeBox& box) {
  if (c.pde == "lid_driven_cavity") {
    std::vector<Coordinates> points;
    for (int k = 0; k < 3; ++k) {
      auto xy = cavity_points(decomp, k);
      points.push_back({std::move(xy[0]), std::move(xy[1])});
    }
    return points;
  }
  return {{solvers::sample_space_time_block(decomp, box, [](double x, double) { return x; }),
           solvers::sample_space_time_block(decomp, box, [](double, double y) { return y; })}};
}

/// Collective. An InputError on every rank if a rank's comparison points, and so its block of
/// the reference, reach into subdomains it does not own.
void check_comparison_split(const SubdomainLearner& subdomains, const Decomposition& decomp,
                            const PdeRunConfig& c, const solvers::SpaceTimeBox& box) {
  const auto& n = decomp.global_points();
  for (const auto& points : comparison_points(decomp, c, box))
    check_points_owned(subdomains.grid(), points,
                       "the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) +
                           " comparison grid of " + c.selection.problem_flag());
}

/// Maps points of the unit square onto the PDE's box in place. Not collective.
void map_to_box(const nn::Matrix& points, const solvers::SpaceTimeBox& box) {
  pinn::map_to_box(points, {box.x0, box.t0}, {box.x1, box.t1});
}

/// This rank's points (inputs x n) whose time, the last input, is at most end. Not collective.
nn::Matrix points_until(const nn::Matrix& points, double end) {
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  const int inputs = static_cast<int>(x.extent(0));
  std::vector<int> kept;
  for (int p = 0; p < static_cast<int>(x.extent(1)); ++p)
    if (x(inputs - 1, p) <= end) kept.push_back(p);
  nn::Matrix window("tessera::run::pde_window_points", inputs, kept.size());
  auto w = Kokkos::create_mirror_view(window);
  for (size_t q = 0; q < kept.size(); ++q)
    for (int i = 0; i < inputs; ++i) w(i, q) = x(i, kept[q]);
  Kokkos::deep_copy(window, w);
  return window;
}

/// An InputError, on every rank (each holds the same restart), if restart belongs to a stage
/// whose loss holds causal weights frozen (the L-BFGS of causal_then_lbfgs) without one weight per
/// time slab of this run.
void check_frozen_weights(const pinn::TrainingCheckpoint* restart, const PdeRunConfig& config) {
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

PdeRun::PdeRun(MPI_Comm comm, const PdeRunConfig& config)
    : config_(config),
      comm_(comm),
      box_(pde_box(config)),
      subdomains_(make_subdomains(comm, config, box_)),
      decomp_(comm, config.pde == "heat3d" ? 3 : 2, grid_points(config),
              subdomains_ ? subdomains_->grid().process_grid() : std::array<int, 3>{0, 0, 0}) {
  if (subdomains_) check_comparison_split(*subdomains_, decomp_, config_, box_);
  if (config.pde == "heat3d") heat3d_ = std::make_unique<Heat3DRun>(decomp_, config_);
  if (problems::BoxProblemConfig::is_box_problem(config.pde))
    problem_ = problems::make_box_problem(config.problem, decomp_);
  if (!subdomains_) {
    single_ = std::make_unique<SingleLearner>(comm, config.network, config.points,
                                              config.checkpoint, config.training_stages());
    check_frozen_weights(single_->restart(), config);
  }
}

PdeRun::~PdeRun() = default;

Learner& PdeRun::learner() const {
  if (single_) return *single_;
  return *subdomains_;
}

void PdeRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

PinnOutcome PdeRun::execute(const std::string& options_text) {
  if (heat3d_) return heat3d_->execute(options_text, *single_);
  if (is_navier_stokes(config_.pde))
    return run_navier_stokes_pde(comm_, decomp_, config_, options_text, single_.get(),
                                 subdomains_.get());
  Timer total;
  PinnOutcome s;
  const auto& p = config_.points;
  TESSERA_LOG("Tessera " << version << ": PINN for " << config_.pde << ", "
                         << learner().headline());

  pinn::TrainingResult training;
  if (subdomains_) {
    training = subdomains_->train(problem_->residual(), problems::domain_conditions(config_.pde),
                                  config_.training);
  } else if (problem_->time_dependent()) {
    training = train_time_windows();
  } else {
    const auto interior = pinn::interior_points_2d(comm_, p.interior_points, p.seed);
    const auto boundary = pinn::boundary_points_2d(comm_, p.boundary_points, p.seed);
    map_to_box(interior, box_);
    map_to_box(boundary, box_);
    training = std::visit(
        [&](const auto& residual) {
          return single_->train(residual, interior, {{"boundary", boundary, p.boundary_weight}});
        },
        problem_->residual());
  }
  s.record_training(training, config_.training);

  const auto xs =
      solvers::sample_space_time_block(decomp_, box_, [](double x, double) { return x; });
  const auto ys =
      solvers::sample_space_time_block(decomp_, box_, [](double, double y) { return y; });
  const auto pinn = learner().sample({xs, ys});
  const auto reference = problem_->reference();
  const auto exact = problem_->exact();
  if (!exact.empty()) {
    s.pinn_vs_exact = relative_l2(comm_, pinn, exact);
    s.reference_vs_exact = relative_l2(comm_, reference, exact);
  }
  s.pinn_vs_reference = relative_l2(comm_, pinn, reference);

  const auto path = io::result_path(config_.output.directory, config_.output.name);
  {
    ProfilingRegion stage(Stage::Output);
    std::vector<double> error(pinn.size());
    for (size_t k = 0; k < error.size(); ++k) error[k] = pinn[k] - reference[k];
    const auto& n = decomp_.global_points();
    io::FieldFile file(comm_, path);
    file.set_grid(io::uniform_grid(
        decomp_, {box_.x0, box_.t0, 0.0},
        {(box_.x1 - box_.x0) / (n[0] - 1), (box_.t1 - box_.t0) / (n[1] - 1), 1.0}));
    file.write_field("x", decomp_, xs.data());
    file.write_field(problem_->time_dependent() ? "t" : "y", decomp_, ys.data());
    file.write_field("pinn", decomp_, pinn.data());
    file.write_field("reference", decomp_, reference.data());
    if (!exact.empty()) file.write_field("exact", decomp_, exact.data());
    file.write_field("pinn_error", decomp_, error.data());
    file.set_attribute("relative_l2_pinn_vs_reference", s.pinn_vs_reference);
    if (!exact.empty()) {
      file.set_attribute("relative_l2_pinn_vs_exact", s.pinn_vs_exact);
      file.set_attribute("relative_l2_reference_vs_exact", s.reference_vs_exact);
    }
    finish_pinn_result(file, {config_.selection, learner(), s, training.history, options_text},
                       total.seconds());
  }

  const auto& n = decomp_.global_points();
  TESSERA_LOG("summary (relative L2 on the "
              << n[0] << " x " << n[1] << " grid):\n"
              << "  PINN vs reference   " << format("%.3e", s.pinn_vs_reference) << " ("
              << problem_->reference_source() << ")\n"
              << (exact.empty()
                      ? ""
                      : "  PINN vs exact       " + format("%.3e", s.pinn_vs_exact) + "\n" +
                            "  reference vs exact  " + format("%.3e", s.reference_vs_exact) + "\n")
              << summary_tail(learner(), s, total.seconds(), path));
  return s;
}

pinn::TrainingResult PdeRun::train_time_windows() {
  const auto& p = config_.points;
  // (x, t) on the unit square: interior, t = 0, and x in {0, 1}; then onto the box.
  const auto points = pinn::space_time_points(comm_, p.interior_points, p.boundary_points,
                                              p.boundary_points, p.seed);
  for (const auto* set : {&points.interior, &points.initial, &points.boundary})
    map_to_box(*set, box_);
  // The sides hold the problem's condition, unless the periodic embedding makes u periodic
  // exactly. Window k trains on t <= t0 + (t1 - t0) k / K, from the last window's net, in the
  // stages [(k - 1) n, k n) of the run (n per window). Those before the restart's are done: the
  // restart holds the network they ended with.
  const auto residual = problem_->residual();
  // The condition on x = x0 and x1 is the one the subdomain learners hold there.
  const dd::BoundaryCondition side = problems::domain_conditions(config_.pde)[0].front();
  const int windows = config_.time_windows;
  const int per_window = static_cast<int>(single_->stages().size()) / windows;
  pinn::TrainingResult training;
  for (int k = 1; k <= windows; ++k) {
    const double end = box_.t0 + (box_.t1 - box_.t0) * k / windows;
    if (k * per_window <= single_->first_stage()) {
      TESSERA_LOG("time window " << k << " of " << windows << ": t <= " << end
                                 << ", trained before the restart");
      continue;
    }
    const auto interior = k < windows ? points_until(points.interior, end) : points.interior;
    std::vector<pinn::ConditionPoints> conditions{{"initial", points.initial, p.boundary_weight}};
    if (config_.network.periodic_harmonics == 0)
      conditions.push_back({"boundary",
                            k < windows ? points_until(points.boundary, end) : points.boundary,
                            p.boundary_weight, side.derivative});
    if (windows > 1) TESSERA_LOG("time window " << k << " of " << windows << ": t <= " << end);
    const int first = (k - 1) * per_window, last = k * per_window;
    pinn::append(training, std::visit(
                               [&](const auto& pde) {
                                 return single_->train(pde, interior, conditions, first, last,
                                                       config_.causal);
                               },
                               residual));
  }
  return training;
}

}  // namespace tessera::run
