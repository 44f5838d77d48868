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
#include "pinn/poisson_loss.hpp"
#include "run/comparison.hpp"

namespace tessera::run {

PoissonRunConfig PoissonRunConfig::from_options(Options& options) {
  PoissonRunConfig c;
  c.problem = physics::Poisson2D::from_options(options);
  c.network = nn::MlpShape::from_options(options, 2, 1);
  c.points = pinn::PointSetConfig::from_options(options);
  c.network.fourier_seed = c.points.seed;  // the feature frequencies are drawn like the points
  c.training = pinn::TrainingConfig::from_options(options);
  c.reference = solvers::PoissonReferenceConfig::from_options(options);
  c.output = OutputConfig::from_options(options, "poisson2d");
  return c;
}

PoissonRun::PoissonRun(MPI_Comm comm, const PoissonRunConfig& config)
    : config_(config),
      comm_(comm),
      decomp_(comm, 2, {config.reference.points, config.reference.points, 1}),
      reference_(decomp_, config.problem, config.reference) {}

void PoissonRun::prepare_output() {
  io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                               config_.output.overwrite);
}

namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

RunSummary PoissonRun::execute(const std::string& options_text) {
  Timer total;
  RunSummary s;
  const auto& net_shape = config_.network;
  const auto& grid = decomp_.process_grid();
  const int n = config_.reference.points;
  TESSERA_LOG("Tessera " << version << ": 2D Poisson, k = " << config_.problem.frequency << ", "
                         << decomp_.size() << " rank(s), process grid " << grid[0] << " x "
                         << grid[1]);

  Timer t;
  reference_.solve();
  s.reference_seconds = t.seconds();
  s.reference_iterations = reference_.iterations();
  TESSERA_LOG("reference: PETSc DMDA " << n << " x " << n << ", " << s.reference_iterations
                                       << " iterations, " << format("%.2f s", s.reference_seconds));

  nn::Mlp net(net_shape);
  net.initialize_glorot(config_.points.seed);
  const auto interior =
      pinn::interior_points_2d(comm_, config_.points.interior_points, config_.points.seed);
  const auto boundary =
      pinn::boundary_points_2d(comm_, config_.points.boundary_points, config_.points.seed);
  pinn::PoissonLoss loss(comm_, net, config_.problem, interior, boundary,
                         config_.points.residual_weight, config_.points.boundary_weight,
                         config_.points.batch_points);
  TESSERA_LOG("PINN: MLP 2-" << net_shape.width << "x" << net_shape.depth << "-1 "
                             << nn::activation_name(net_shape.activation) << " ("
                             << net.parameter_count() << " parameters), "
                             << config_.points.interior_points << " interior + "
                             << config_.points.boundary_points << " boundary points");
  const auto training = pinn::train(loss, net, config_.training);
  s.training_seconds = training.seconds;
  s.final_loss = training.final_loss;
  s.lbfgs_stop = config_.training.lbfgs_iterations > 0 ? nn::stop_reason(training.lbfgs.reason)
                                                       : "no L-BFGS phase";

  Comparison comparison(decomp_, reference_.h());
  const auto pinn = comparison.sample(net);
  const auto reference = reference_.local_solution();
  const auto exact =
      comparison.tabulate([&](double x, double y) { return config_.problem.exact(x, y); });
  s.pinn_error = comparison.relative_l2(pinn, exact);
  s.reference_error = comparison.relative_l2(reference, exact);
  s.pinn_vs_reference = comparison.relative_l2(pinn, reference);
  s.total_seconds = total.seconds();

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  {
    std::vector<double> error(pinn.size());
    for (size_t k = 0; k < error.size(); ++k) error[k] = pinn[k] - exact[k];
    io::FieldFile file(comm_, s.output_file);
    const double h = reference_.h();
    file.set_grid(io::uniform_grid(decomp_, {0.0, 0.0, 0.0}, {h, h, 1.0}));
    file.write_field("x", decomp_, comparison.x().data());
    file.write_field("y", decomp_, comparison.y().data());
    file.write_field("pinn", decomp_, pinn.data());
    file.write_field("reference", decomp_, reference.data());
    file.write_field("exact", decomp_, exact.data());
    file.write_field("pinn_error", decomp_, error.data());
    file.write_table("history", training.history.columns, training.history.rows);
    file.set_attribute("options", options_text);
    file.set_attribute("problem", "poisson2d");
    file.set_attribute("poisson_frequency", config_.problem.frequency);
    file.set_attribute("poisson_multiscale_amplitude", config_.problem.multiscale_amplitude);
    file.set_attribute("poisson_multiscale_frequency", config_.problem.multiscale_frequency);
    file.set_attribute("network", "MLP 2-" + std::to_string(net_shape.width) + "x" +
                                      std::to_string(net_shape.depth) + "-1 " +
                                      nn::activation_name(net_shape.activation));
    file.set_attribute("parameters", net.parameter_count());
    file.set_attribute("relative_l2_pinn_vs_exact", s.pinn_error);
    file.set_attribute("relative_l2_reference_vs_exact", s.reference_error);
    file.set_attribute("relative_l2_pinn_vs_reference", s.pinn_vs_reference);
    file.set_attribute("reference_iterations", s.reference_iterations);
    file.set_attribute("reference_seconds", s.reference_seconds);
    file.set_attribute("training_seconds", s.training_seconds);
    file.set_attribute("final_loss", s.final_loss);
    file.set_attribute("lbfgs_stop", s.lbfgs_stop);
    file.set_attribute("wall_seconds", total.seconds());
    const auto xdmf = file.xdmf_description();
    file.commit();
    io::write_xdmf(comm_, config_.output.directory + "/" + config_.output.name + ".xmf", xdmf);
  }
  s.total_seconds = total.seconds();

  TESSERA_LOG("summary (relative L2 on the "
              << n << " x " << n << " reference grid):\n"
              << "  PINN vs exact       " << format("%.3e", s.pinn_error) << "\n"
              << "  reference vs exact  " << format("%.3e", s.reference_error) << "\n"
              << "  PINN vs reference   " << format("%.3e", s.pinn_vs_reference) << "\n"
              << "  training            " << format("%.1f s", s.training_seconds) << ", final loss "
              << format("%.3e", s.final_loss) << ", L-BFGS: " << s.lbfgs_stop << "\n"
              << "  wall time           " << format("%.1f s", s.total_seconds) << "\n"
              << "  output              " << s.output_file << " (+ .xmf for ParaView)");
  return s;
}

}  // namespace tessera::run
