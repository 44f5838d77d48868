#include "run/poisson_run.hpp"

#include <cstdio>
#include <sstream>

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

PoissonRunConfig PoissonRunConfig::from_options(Options& options,
                                                const problems::PinnSelection& selection) {
  PoissonRunConfig c;
  c.selection = selection;
  c.problem = physics::Poisson2D::from_options(options);
  c.network = nn::MlpShape::from_options(options, 2, 1);
  c.points = pinn::PointSetConfig::from_options(options);
  c.network.fourier_seed = c.points.seed;  // the feature frequencies are drawn like the points
  c.training = pinn::TrainingConfig::from_options(options);
  c.reference = solvers::PoissonReferenceConfig::from_options(options);
  c.output = OutputConfig::from_options(options, "poisson2d");
  c.checkpoint = dd::CheckpointConfig::from_options(options, "poisson", c.output.checkpoint_path(),
                                                    c.output.overwrite, c.output.checkpoints_kept);
  return c;
}

PoissonRun::PoissonRun(MPI_Comm comm, const PoissonRunConfig& config)
    : config_(config),
      comm_(comm),
      decomp_(comm, 2, {config.reference.points, config.reference.points, 1}),
      reference_(decomp_, config.problem, config.reference),
      checkpoints_(comm, nn::Mlp(config.network).parameter_count(), config.checkpoint,
                   {config.training}) {}

void PoissonRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

PinnOutcome PoissonRun::execute(const std::string& options_text) {
  Timer total;
  PinnOutcome s;
  const auto& net_shape = config_.network;
  const auto& grid = decomp_.process_grid();
  const int n = config_.reference.points;
  TESSERA_LOG("Tessera " << version << ": 2D Poisson, k = " << config_.problem.frequency << ", "
                         << decomp_.size() << " rank(s), process grid " << grid[0] << " x "
                         << grid[1]);

  Timer t;
  reference_.solve();
  const double reference_seconds = t.seconds();
  const int reference_iterations = reference_.iterations();
  TESSERA_LOG("reference: PETSc DMDA " << n << " x " << n << ", " << reference_iterations
                                       << " iterations, " << format("%.2f s", reference_seconds));

  nn::Mlp net(net_shape);
  net.initialize_glorot(config_.points.seed);
  const auto interior =
      pinn::interior_points_2d(comm_, config_.points.interior_points, config_.points.seed);
  const auto boundary =
      pinn::boundary_points_2d(comm_, config_.points.boundary_points, config_.points.seed);
  pinn::PdeLoss<pinn::PoissonResidual<2>> loss(
      comm_, net, {config_.problem}, interior, config_.points.residual_weight,
      {{"boundary", boundary, config_.points.boundary_weight}}, {}, config_.points.batch_points);
  TESSERA_LOG("PINN: MLP 2-" << net_shape.width << "x" << net_shape.depth << "-1 "
                             << nn::activation_name(net_shape.activation) << " ("
                             << net.parameter_count() << " parameters), "
                             << config_.points.interior_points << " interior + "
                             << config_.points.boundary_points << " boundary points");
  pinn::TrainingControl control;
  checkpoints_.attach(control);
  const auto training = pinn::train(loss, net.parameters(), config_.training, control);
  s.record_training(training, config_.training);

  Comparison comparison(decomp_, reference_.h());
  const auto pinn = comparison.sample(net);
  const auto reference = reference_.local_solution();
  const auto exact =
      comparison.tabulate([&](double x, double y) { return config_.problem.exact(x, y); });
  const GridFields fields{comparison, pinn, reference, exact};
  s.record_errors(fields);
  s.total_seconds = total.seconds();

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, decomp_, reference_.h(), fields, s,
      {config_.selection, net.parameter_count(), s, training.history, options_text},
      config_.problem.frequency, [&] { return total.seconds(); },
      [&](io::FieldFile& file) {
        file.set_attribute("poisson_multiscale_amplitude", config_.problem.multiscale_amplitude);
        file.set_attribute("poisson_multiscale_frequency", config_.problem.multiscale_frequency);
        file.set_attribute("network", "MLP 2-" + std::to_string(net_shape.width) + "x" +
                                          std::to_string(net_shape.depth) + "-1 " +
                                          nn::activation_name(net_shape.activation));
        file.set_attribute("reference_iterations", reference_iterations);
        file.set_attribute("reference_seconds", reference_seconds);
      });
  s.total_seconds = total.seconds();

  TESSERA_LOG(error_summary("PINN", n, s)
              << "\n"
              << summary_tail(nullptr, s, s.total_seconds, s.output_file));
  return s;
}

}  // namespace tessera::run
