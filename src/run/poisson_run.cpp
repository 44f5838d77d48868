#include "run/poisson_run.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "run/comparison.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

namespace {

/// The checkpoint kind of one network in each dimension: those of the runs that trained these
/// problems before (run: poisson, run: pde -pde poisson3d), so that their checkpoints restart; 1D
/// shares the 2D kind (its physics options are the 2D ones', and the network's size tells the
/// two apart). The subdomain learners' kind is their name.
std::string checkpoint_kind(const problems::PinnSelection& selection) {
  if (selection.learner != "single") return selection.learner;
  return selection.inputs() == 3 ? "pde_single_poisson3d" : "poisson";
}

}  // namespace

PoissonRunConfig PoissonRunConfig::from_options(Options& options,
                                                const problems::PinnSelection& selection) {
  PoissonRunConfig c;
  c.selection = selection;
  const int dim = selection.inputs();
  const bool single = c.single();
  c.domain = PoissonDomainConfig::from_options(options, dim, !single);
  c.network = nn::MlpShape::from_options(options, dim, 1);
  if (single) {
    // Batching changes the round-off of a training; the 1D and 3D figures were measured without
    // it.
    c.points = pinn::PointSetConfig::from_options(
        options, dim == 2 ? ""
                          : "is implemented for " + selection.problem_key() +
                                " poisson2d so far (this problem evaluates its interior points "
                                "at once)");
    c.network.fourier_seed = c.points.seed;  // the feature frequencies are drawn like the points
  } else {
    c.subdomain_points = dd::SubdomainPointConfig::from_options(options);
    if (selection.learner == "xpinn")
      c.interface = dd::InterfaceWeights::from_options(options);
    else
      c.fbpinn = dd::FbpinnConfig::from_options(options);
  }
  c.training = pinn::TrainingConfig::from_options(options);
  if (!single)
    refuse_single_network_options(options, c.network, c.training, selection.learner_flag());
  else if (dim != 2 && c.training.resampling.every > 0)
    options.report(
        "-train_rar_every: residual-based refinement is implemented for poisson2d with the single "
        "learner only (its candidates are drawn in the unit square; use 0)");
  c.output = OutputConfig::from_options(
      options, single ? selection.problem : selection.problem + "_" + selection.learner);
  c.checkpoint = dd::CheckpointConfig::from_options(options, checkpoint_kind(selection),
                                                    c.output.checkpoint_path(), c.output.overwrite,
                                                    c.output.checkpoints_kept);
  return c;
}

SubdomainLearnerConfig PoissonRunConfig::subdomains() const {
  SubdomainLearnerConfig s;
  s.method = selection.learner;
  s.subdomains = domain.subdomains;
  s.points = subdomain_points;
  s.interface = interface;
  s.fbpinn = fbpinn;
  s.checkpoint = checkpoint;
  return s;
}

PoissonRun::PoissonRun(MPI_Comm comm, const PoissonRunConfig& config)
    : config_(config), comm_(comm) {
  if (config.single()) {
    // The reference first: its solver reads its PETSc options before the restart is read.
    reference_ = std::make_unique<PoissonDomainReference>(comm, config.domain);
    single_ =
        std::make_unique<SingleLearner>(comm, config.network, config.points, config.checkpoint,
                                        std::vector<pinn::TrainingConfig>{config.training});
  } else {
    subdomains_ = SubdomainLearner::make(comm, config.subdomains(), config.network, {0.0, 0.0, 0.0},
                                         {1.0, 1.0, 1.0}, config.training);
    reference_ = std::make_unique<PoissonDomainReference>(subdomains_->grid(), config.domain);
  }
}

PoissonRun::~PoissonRun() = default;

Learner& PoissonRun::learner() const {
  if (single_) return *single_;
  return *subdomains_;
}

void PoissonRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

namespace {

/// This rank's interior and boundary points of the unit box of dimension dim: the unit square's
/// own draws in 2D (the published figures' points), the box's faces otherwise.
std::pair<nn::Matrix, nn::Matrix> poisson_points(MPI_Comm comm, int dim,
                                                 const pinn::PointSetConfig& p) {
  if (dim == 2)
    return {pinn::interior_points_2d(comm, p.interior_points, p.seed),
            pinn::boundary_points_2d(comm, p.boundary_points, p.seed)};
  return {pinn::interior_points(comm, dim, p.interior_points, p.seed),
          pinn::face_points(comm, dim, dim, p.boundary_points, p.seed)};
}

/// Collective. Trains the one network on the Poisson loss of the problem's dimension.
template <int dim>
pinn::TrainingResult train_single(MPI_Comm comm, SingleLearner& learner,
                                  const physics::PoissonProblem& problem,
                                  const pinn::PointSetConfig& p) {
  const auto [interior, boundary] = poisson_points(comm, dim, p);
  return learner.train(pinn::PoissonResidual<dim>{problem}, interior,
                       {{"boundary", boundary, p.boundary_weight}});
}

problems::Residual poisson_residual(const physics::PoissonProblem& problem) {
  if (problem.dim == 1) return pinn::PoissonResidual<1>{problem};
  if (problem.dim == 2) return pinn::PoissonResidual<2>{problem};
  return pinn::PoissonResidual<3>{problem};
}

}  // namespace

PinnOutcome PoissonRun::execute(const std::string& options_text) {
  Timer total;
  PinnOutcome s;
  const auto& domain = config_.domain;
  const auto& net_shape = config_.network;
  const auto& decomp = reference_->decomposition();
  const int n = domain.reference_points(), dim = domain.dim();
  TESSERA_LOG("Tessera " << version << ": " << domain.description() << ", " << learner().headline()
                         << (single_ ? ", process grid " + counts_text(decomp.process_grid(), dim)
                                     : std::string()));

  const Comparison comparison(decomp, reference_->h());
  const auto reference = reference_->solve(comparison);

  pinn::TrainingResult training;
  if (single_) {
    TESSERA_LOG("PINN: MLP " << dim << "-" << net_shape.width << "x" << net_shape.depth << "-1 "
                             << nn::activation_name(net_shape.activation) << " ("
                             << single_->parameter_count() << " parameters), "
                             << config_.points.interior_points << " interior + "
                             << config_.points.boundary_points << " boundary points");
    const auto& p = config_.points;
    training = dim == 1   ? train_single<1>(comm_, *single_, domain.problem, p)
               : dim == 2 ? train_single<2>(comm_, *single_, domain.problem, p)
                          : train_single<3>(comm_, *single_, domain.problem, p);
  } else {
    training =
        subdomains_->train(poisson_residual(domain.problem),
                           problems::domain_conditions(domain.problem.name()), config_.training);
  }
  s.record_training(training, config_.training);

  const auto points = comparison_points(comparison, dim);
  const auto pinn = learner().sample(points);
  const auto exact = reference_->exact(comparison);
  const GridFields fields{comparison, pinn, reference, exact};
  s.record_errors(fields);
  // XPINN: each point's value is one subdomain's network's.
  const auto owners = config_.selection.learner == "xpinn"
                          ? subdomain_ids(subdomains_->grid(), points)
                          : std::vector<double>();

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, decomp, reference_->h(), fields, s,
      {config_.selection, learner(), s, training.history, options_text},
      [&] { return total.seconds(); },
      [&](io::FieldFile& file) {
        domain.write_attributes(file);
        if (!owners.empty()) {
          file.write_field("subdomain", decomp, owners.data());
          file.set_dataset_attribute("subdomain", "subdomain_meaning",
                                     "index (0 to subdomains - 1) of the subdomain whose network "
                                     "gives the point's pinn value");
        }
        if (single_) {
          file.set_attribute("network", "MLP " + std::to_string(dim) + "-" +
                                            std::to_string(net_shape.width) + "x" +
                                            std::to_string(net_shape.depth) + "-1 " +
                                            nn::activation_name(net_shape.activation));
          if (dim >= 2) {
            file.set_attribute("reference_iterations", reference_->iterations());
            file.set_attribute("reference_seconds", reference_->seconds());
          }
        }
      });
  s.total_seconds = total.seconds();

  TESSERA_LOG(error_summary(config_.selection.learner == "fbpinn" ? "FBPINN" : "PINN", n, s, dim)
              << (dim == 1 ? "\n  (1D: the reference is the exact solution)" : "") << "\n"
              << summary_tail(learner(), s, s.total_seconds, s.output_file));
  return s;
}

}  // namespace tessera::run
