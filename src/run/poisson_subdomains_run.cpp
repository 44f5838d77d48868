#include "run/poisson_subdomains_run.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "run/comparison.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

PoissonSubdomainsRunConfig PoissonSubdomainsRunConfig::from_options(
    Options& options, const problems::PinnSelection& selection) {
  TESSERA_CHECK(selection.learner == "xpinn" || selection.learner == "fbpinn",
                "PoissonSubdomainsRunConfig: learner " << selection.learner);
  PoissonSubdomainsRunConfig c;
  c.selection = selection;
  c.domain = PoissonDomainConfig::from_options(options, selection.inputs());
  c.network = nn::MlpShape::from_options(options, c.domain.dim(), 1);
  c.points = dd::SubdomainPointConfig::from_options(options);
  if (c.selection.learner == "xpinn")
    c.interface = dd::InterfaceWeights::from_options(options);
  else
    c.fbpinn = dd::FbpinnConfig::from_options(options);
  c.training = pinn::TrainingConfig::from_options(options);
  refuse_single_network_options(options, c.network, c.training, selection.learner_flag());
  c.output = OutputConfig::from_options(
      options, std::string(c.domain.problem.name()) + "_" + c.selection.learner);
  c.checkpoint =
      dd::CheckpointConfig::from_options(options, c.selection.learner, c.output.checkpoint_path(),
                                         c.output.overwrite, c.output.checkpoints_kept);
  return c;
}

SubdomainLearnerConfig PoissonSubdomainsRunConfig::subdomains() const {
  SubdomainLearnerConfig s;
  s.method = selection.learner;
  s.subdomains = domain.subdomains;
  s.points = points;
  s.interface = interface;
  s.fbpinn = fbpinn;
  s.checkpoint = checkpoint;
  return s;
}

PoissonSubdomainsRun::PoissonSubdomainsRun(MPI_Comm comm, const PoissonSubdomainsRunConfig& config)
    : config_(config),
      comm_(comm),
      learner_(SubdomainLearner::make(comm, config.subdomains(), config.network, {0.0, 0.0, 0.0},
                                      {1.0, 1.0, 1.0}, config.training)),
      reference_(learner_->grid(), config.domain) {}

PoissonSubdomainsRun::~PoissonSubdomainsRun() = default;

void PoissonSubdomainsRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

namespace {

SubdomainPde poisson_residual(const physics::PoissonProblem& problem) {
  if (problem.dim == 1) return pinn::PoissonResidual<1>{problem};
  if (problem.dim == 2) return pinn::PoissonResidual<2>{problem};
  return pinn::PoissonResidual<3>{problem};
}

}  // namespace

PinnOutcome PoissonSubdomainsRun::execute(const std::string& options_text) {
  Timer total;
  PinnOutcome s;
  const auto& domain = config_.domain;
  const int n = domain.reference_points(), dim = domain.dim();
  TESSERA_LOG("Tessera " << version << ": " << domain.description() << ", "
                         << learner_->headline());
  const Comparison comparison(reference_.decomposition(), reference_.h());
  const auto reference = reference_.solve(comparison);
  const auto training =
      learner_->train(poisson_residual(domain.problem),
                      problems::domain_conditions(domain.problem.name()), config_.training);
  s.record_training(training, config_.training);

  const auto points = comparison_points(comparison, dim);
  const auto pinn = learner_->sample(points);
  const auto exact = reference_.exact(comparison);
  const GridFields fields{comparison, pinn, reference, exact};
  s.record_errors(fields);
  // XPINN: each point's value is one subdomain's network's.
  const auto owners = config_.selection.learner == "xpinn" ? subdomain_ids(learner_->grid(), points)
                                                           : std::vector<double>();

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, reference_.decomposition(), reference_.h(), fields, s,
      {config_.selection, learner_->parameter_count(), s, training.history, options_text,
       learner_.get()},
      [&] { return total.seconds(); },
      [&](io::FieldFile& file) {
        if (!owners.empty()) {
          file.write_field("subdomain", reference_.decomposition(), owners.data());
          file.set_dataset_attribute("subdomain", "subdomain_meaning",
                                     "index (0 to subdomains - 1) of the subdomain whose network "
                                     "gives the point's pinn value");
        }
        domain.write_attributes(file);
      });
  s.total_seconds = total.seconds();

  TESSERA_LOG(error_summary(config_.selection.learner == "xpinn" ? "PINN" : "FBPINN", n, s, dim)
              << (dim == 1 ? "\n  (1D: the reference is the exact solution)" : "") << "\n"
              << summary_tail(learner_.get(), s, s.total_seconds, s.output_file));
  return s;
}

}  // namespace tessera::run
