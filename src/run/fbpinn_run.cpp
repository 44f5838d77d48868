#include "run/fbpinn_run.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd/windowed_sum.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "run/comparison.hpp"
#include "run/dd_pinn_run.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

FbpinnRunConfig FbpinnRunConfig::from_options(Options& options, int dim) {
  FbpinnRunConfig c;
  c.domain = SubdomainProblemConfig::from_options(options, dim);
  c.network = nn::MlpShape::from_options(options, c.domain.dim(), 1);
  c.points = dd::SubdomainPointConfig::from_options(options);
  c.fbpinn = dd::FbpinnConfig::from_options(options);
  c.training = pinn::TrainingConfig::from_options(options);
  refuse_single_network_options(options, c.network, c.training, "run: fbpinn");
  c.output = OutputConfig::from_options(options, std::string(c.domain.problem.name()) + "_fbpinn");
  c.checkpoint = dd::CheckpointConfig::from_options(options, "fbpinn", c.output.checkpoint_path(),
                                                    c.output.overwrite, c.output.checkpoints_kept);
  return c;
}

FbpinnRun::FbpinnRun(MPI_Comm comm, const FbpinnRunConfig& config)
    : config_(config),
      comm_(comm),
      grid_(comm, config.domain.dim(), {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, config.domain.subdomains),
      windows_(grid_, config.fbpinn.overlap),
      reference_(grid_, config.domain),
      nets_(config.network, static_cast<int>(grid_.owned().size())) {
  nets_.initialize_glorot(subdomain_network_seeds(grid_, config.points.seed));
  loss_ = dd::poisson_fbpinn_loss(grid_, windows_, nets_, config.domain.problem, config.points);
  restart_ = dd::read_restart(grid_, nets_.parameters_per_network(), config_.checkpoint,
                              {config.training});
}

void FbpinnRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

FbpinnSummary FbpinnRun::execute(const std::string& options_text) {
  Timer total;
  FbpinnSummary s;
  const auto& shape = config_.network;
  const auto& procs = grid_.process_grid();
  const auto& domain = config_.domain;
  const int n = domain.reference_points(), dim = domain.dim();
  const std::string tiling = counts_text(domain.subdomains, dim);
  const std::string process_grid = counts_text(procs, dim);
  TESSERA_LOG("Tessera " << version << ": " << domain.description() << ", FBPINN on " << tiling
                         << " subdomains (overlap " << config_.fbpinn.overlap << "), "
                         << grid_.size() << " rank(s), process grid " << process_grid);
  const Comparison comparison(reference_.decomposition(), reference_.h());
  const auto reference = reference_.solve(comparison);
  TESSERA_LOG("networks: MLP " << dim << "-" << shape.width << "x" << shape.depth << "-1 "
                               << nn::activation_name(shape.activation) << " ("
                               << nets_.parameters_per_network() << " parameters) per subdomain, "
                               << config_.points.interior_points << " interior + "
                               << config_.points.face_points << " per boundary face points, "
                               << loss_->sum().batch_points() << " points each under its window");

  SubdomainHistories histories(grid_.count(), loss_->term_names());
  pinn::TrainingControl control;
  const dd::SubdomainInnerProduct inner(grid_, nets_.parameters_per_network());
  control.inner = &inner;
  control.on_record = [&](int iteration, int phase) {
    histories.record(iteration, phase, loss_->subdomain_terms());
  };
  dd::attach_checkpoints(control, grid_, nets_.parameters_per_network(), config_.checkpoint,
                         restart_.get());
  const auto training = pinn::train(*loss_, nets_.parameters(), config_.training, control);
  s.record_training(training, config_.training);
  s.communication_seconds = loss_->sum().communication_seconds();
  s.bytes_per_evaluation = loss_->sum().bytes_per_evaluation();

  Coordinates points{comparison.x(), comparison.y(), comparison.z()};
  points.resize(grid_.dim());
  const auto pinn = sample_windowed_sum(grid_, windows_, nets_, points);
  const auto exact = reference_.exact(comparison);
  const GridFields fields{comparison, pinn, reference, exact};
  s.record_errors(fields);

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  write_pinn_result(
      comm_, reference_.decomposition(), reference_.h(), fields, s, training.history, options_text,
      std::string(domain.problem.name()) + "_fbpinn", domain.frequency(),
      [&] { return total.seconds(); },
      [&](io::FieldFile& file) {
        histories.write(file);
        file.set_attribute("subdomains", grid_.count());
        file.set_attribute("fbpinn_overlap", config_.fbpinn.overlap);
        file.set_attribute("parameters_per_subdomain", nets_.parameters_per_network());
        file.set_attribute("communication_seconds", s.communication_seconds);
        file.set_attribute("bytes_per_evaluation", s.bytes_per_evaluation);
      });
  s.total_seconds = total.seconds();

  TESSERA_LOG(error_summary("FBPINN", n, s, dim)
              << (dim == 1 ? "\n  (1D: the reference is the exact solution)" : "") << "\n"
              << training_summary(s) << "\n"
              << "  communication       " << format("%.2f s", s.communication_seconds)
              << " waiting, " << s.bytes_per_evaluation << " bytes per evaluation (rank 0)\n"
              << "  wall time           " << format("%.1f s", s.total_seconds) << "\n"
              << "  output              " << s.output_file << " (+ .xmf for ParaView)");
  return s;
}

}  // namespace tessera::run
