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

namespace tessera::run {

namespace {

/// The checkpoint kind of each dimension: those of the runs that trained these problems before
/// (run: poisson, run: pde -pde poisson3d), so that their checkpoints restart; 1D shares the 2D
/// kind (its physics options are the 2D ones', and the network's size tells the two apart).
std::string checkpoint_kind(int dim) { return dim == 3 ? "pde_single_poisson3d" : "poisson"; }

}  // namespace

PoissonRunConfig PoissonRunConfig::from_options(Options& options,
                                                const problems::PinnSelection& selection) {
  PoissonRunConfig c;
  c.selection = selection;
  const int dim = selection.inputs();
  c.domain = PoissonDomainConfig::from_options(options, dim, false);
  c.network = nn::MlpShape::from_options(options, dim, 1);
  // Batching changes the round-off of a training; the 1D and 3D figures were measured without it.
  c.points = pinn::PointSetConfig::from_options(
      options, dim == 2 ? ""
                        : "is implemented for " + selection.problem_key() +
                              " poisson2d so far (this problem evaluates its interior points "
                              "at once)");
  c.network.fourier_seed = c.points.seed;  // the feature frequencies are drawn like the points
  c.training = pinn::TrainingConfig::from_options(options);
  if (dim != 2 && c.training.resampling.every > 0)
    options.report(
        "-train_rar_every: residual-based refinement is implemented for poisson2d with the single "
        "learner only (its candidates are drawn in the unit square; use 0)");
  c.output = OutputConfig::from_options(options, selection.problem);
  c.checkpoint =
      dd::CheckpointConfig::from_options(options, checkpoint_kind(dim), c.output.checkpoint_path(),
                                         c.output.overwrite, c.output.checkpoints_kept);
  return c;
}

PoissonRun::PoissonRun(MPI_Comm comm, const PoissonRunConfig& config)
    : config_(config),
      comm_(comm),
      reference_(comm, config.domain),
      checkpoints_(comm, nn::Mlp(config.network).parameter_count(), config.checkpoint,
                   {config.training}) {}

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

/// Collective. Trains net on the Poisson loss of problem's dimension.
template <int dim>
pinn::TrainingResult train_poisson(MPI_Comm comm, nn::Mlp& net,
                                   const physics::PoissonProblem& problem,
                                   const pinn::PointSetConfig& p,
                                   const pinn::TrainingConfig& training,
                                   const pinn::TrainingControl& control) {
  const auto [interior, boundary] = poisson_points(comm, dim, p);
  pinn::PdeLoss<pinn::PoissonResidual<dim>> loss(comm, net, {problem}, interior, p.residual_weight,
                                                 {{"boundary", boundary, p.boundary_weight}}, {},
                                                 p.batch_points);
  return pinn::train(loss, net.parameters(), training, control);
}

}  // namespace

PinnOutcome PoissonRun::execute(const std::string& options_text) {
  Timer total;
  PinnOutcome s;
  const auto& domain = config_.domain;
  const auto& net_shape = config_.network;
  const auto& decomp = reference_.decomposition();
  const int n = domain.reference_points(), dim = domain.dim();
  TESSERA_LOG("Tessera " << version << ": " << domain.description() << ", " << decomp.size()
                         << " rank(s), process grid " << counts_text(decomp.process_grid(), dim));

  const Comparison comparison(decomp, reference_.h());
  const auto reference = reference_.solve(comparison);

  nn::Mlp net(net_shape);
  net.initialize_glorot(config_.points.seed);
  TESSERA_LOG("PINN: MLP " << dim << "-" << net_shape.width << "x" << net_shape.depth << "-1 "
                           << nn::activation_name(net_shape.activation) << " ("
                           << net.parameter_count() << " parameters), "
                           << config_.points.interior_points << " interior + "
                           << config_.points.boundary_points << " boundary points");
  pinn::TrainingControl control;
  checkpoints_.attach(control);
  const auto& p = config_.points;
  const auto training =
      dim == 1   ? train_poisson<1>(comm_, net, domain.problem, p, config_.training, control)
      : dim == 2 ? train_poisson<2>(comm_, net, domain.problem, p, config_.training, control)
                 : train_poisson<3>(comm_, net, domain.problem, p, config_.training, control);
  s.record_training(training, config_.training);

  const auto pinn = sample_network(net, comparison_points(comparison, dim));
  const auto exact = reference_.exact(comparison);
  const GridFields fields{comparison, pinn, reference, exact};
  s.record_errors(fields);

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, decomp, reference_.h(), fields, s,
      {config_.selection, net.parameter_count(), s, training.history, options_text},
      [&] { return total.seconds(); },
      [&](io::FieldFile& file) {
        domain.write_attributes(file);
        file.set_attribute("network", "MLP " + std::to_string(dim) + "-" +
                                          std::to_string(net_shape.width) + "x" +
                                          std::to_string(net_shape.depth) + "-1 " +
                                          nn::activation_name(net_shape.activation));
        if (dim >= 2) {
          file.set_attribute("reference_iterations", reference_.iterations());
          file.set_attribute("reference_seconds", reference_.seconds());
        }
      });
  s.total_seconds = total.seconds();

  TESSERA_LOG(error_summary("PINN", n, s, dim)
              << (dim == 1 ? "\n  (1D: the reference is the exact solution)" : "") << "\n"
              << summary_tail(nullptr, s, s.total_seconds, s.output_file));
  return s;
}

}  // namespace tessera::run
