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

namespace tessera::run {

namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

/// The windowed sum at this rank's reference grid points, each assigned to the subdomain whose
/// box holds it (check_reference_split made sure this rank owns it). Collective.
std::vector<double> predict(const dd::SubdomainGrid& grid, const dd::PartitionOfUnity& windows,
                            nn::StackedMlp& nets, const Comparison& comparison) {
  const size_t n = comparison.x().size();
  std::vector<std::vector<double>> xy(grid.owned().size());
  std::vector<std::vector<size_t>> members(grid.owned().size());
  for (size_t k = 0; k < n; ++k) {
    const int l = grid.local_index(subdomain_of(grid, comparison.x()[k], comparison.y()[k]));
    xy[l].insert(xy[l].end(), {comparison.x()[k], comparison.y()[k]});
    members[l].push_back(k);
  }
  const auto values = dd::windowed_values(grid, windows, nets, xy);
  std::vector<double> u(n, 0.0);
  for (size_t l = 0; l < members.size(); ++l)
    for (size_t j = 0; j < members[l].size(); ++j) u[members[l][j]] = values[l][j];
  return u;
}

}  // namespace

FbpinnRunConfig FbpinnRunConfig::from_options(Options& options) {
  FbpinnRunConfig c;
  c.problem = physics::Poisson2D::from_options(options);
  c.network = nn::MlpShape::from_options(options, 2, 1);
  c.subdomains[0] = options.integer("dd_subdomains_x", 2, 1, 1024, "subdomains along x");
  c.subdomains[1] = options.integer("dd_subdomains_y", 2, 1, 1024, "subdomains along y");
  c.points = dd::SubdomainPointConfig::from_options(options);
  c.fbpinn = dd::FbpinnConfig::from_options(options);
  c.training = pinn::TrainingConfig::from_options(options);
  c.reference = solvers::PoissonReferenceConfig::from_options(options);
  c.output = OutputConfig::from_options(options, "poisson2d_fbpinn");
  return c;
}

FbpinnRun::FbpinnRun(MPI_Comm comm, const FbpinnRunConfig& config)
    : config_(config),
      comm_(comm),
      grid_(comm, 2, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, config.subdomains),
      windows_(grid_, config.fbpinn.overlap),
      decomp_(grid_.comm(), 2, {config.reference.points, config.reference.points, 1},
              grid_.process_grid()),
      reference_(decomp_, config.problem, config.reference),
      nets_(config.network, static_cast<int>(grid_.owned().size())) {
  check_reference_split(grid_, Comparison(decomp_, reference_.h()), config.reference.points);
  std::vector<std::uint64_t> seeds;
  for (int id : grid_.owned()) seeds.push_back(config.points.seed * 7919 + id);
  nets_.initialize_glorot(seeds);
  loss_ = std::make_unique<dd::FbpinnLoss>(grid_, windows_, nets_, config.problem, config.points);
}

void FbpinnRun::prepare_output() {
  io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                               config_.output.overwrite);
}

FbpinnSummary FbpinnRun::execute(const std::string& options_text) {
  Timer total;
  FbpinnSummary s;
  const auto& shape = config_.network;
  const auto& procs = grid_.process_grid();
  const int n = config_.reference.points;
  TESSERA_LOG("Tessera " << version << ": 2D Poisson, k = " << config_.problem.frequency
                         << ", FBPINN on " << config_.subdomains[0] << " x "
                         << config_.subdomains[1] << " subdomains (overlap "
                         << config_.fbpinn.overlap << "), " << grid_.size()
                         << " rank(s), process grid " << procs[0] << " x " << procs[1]);
  reference_.solve();
  TESSERA_LOG("reference: PETSc DMDA " << n << " x " << n << ", " << reference_.iterations()
                                       << " iterations");
  TESSERA_LOG("networks: MLP 2-" << shape.width << "x" << shape.depth << "-1 "
                                 << nn::activation_name(shape.activation) << " ("
                                 << nets_.parameters_per_network() << " parameters) per subdomain, "
                                 << loss_->sum().batch_points() << " points each under its window");

  std::vector<std::vector<double>> histories(grid_.count());
  pinn::TrainingControl control;
  const dd::SubdomainInnerProduct inner(grid_, nets_.parameters_per_network());
  control.inner = &inner;
  control.on_record = [&](int iteration, int phase) {
    if (!is_root()) return;
    const auto& terms = loss_->subdomain_terms();
    for (int id = 0; id < grid_.count(); ++id) {
      const double* t = terms.data() + id * dd::FbpinnLoss::kTerms;
      histories[id].insert(histories[id].end(),
                           {double(iteration), double(phase), t[0] + t[1], t[0], t[1]});
    }
  };
  const auto training = pinn::train(*loss_, nets_.parameters(), config_.training, control);
  s.training_seconds = training.seconds;
  s.final_loss = training.final_loss;
  s.communication_seconds = loss_->sum().communication_seconds();
  s.bytes_per_evaluation = loss_->sum().bytes_per_evaluation();
  s.lbfgs_stop = config_.training.lbfgs_iterations > 0 ? nn::stop_reason(training.lbfgs.reason)
                                                       : "no L-BFGS phase";

  Comparison comparison(decomp_, reference_.h());
  const auto pinn = predict(grid_, windows_, nets_, comparison);
  const auto reference = reference_.local_solution();
  const auto exact =
      comparison.tabulate([&](double x, double y) { return config_.problem.exact(x, y); });
  s.pinn_error = comparison.relative_l2(pinn, exact);
  s.reference_error = comparison.relative_l2(reference, exact);
  s.pinn_vs_reference = comparison.relative_l2(pinn, reference);

  s.output_file = io::result_path(config_.output.directory, config_.output.name);
  {
    std::vector<double> error(pinn.size());
    for (size_t k = 0; k < error.size(); ++k) error[k] = pinn[k] - exact[k];
    io::FieldFile file(comm_, s.output_file);
    const double h = reference_.h();
    file.set_grid(io::uniform_grid(decomp_, {0.0, 0.0, 0.0}, {h, h, 1.0}));
    for (const auto& [name, field] :
         {std::pair<const char*, const std::vector<double>*>{"x", &comparison.x()},
          {"y", &comparison.y()},
          {"pinn", &pinn},
          {"reference", &reference},
          {"exact", &exact},
          {"pinn_error", &error}})
      file.write_field(name, decomp_, field->data());
    file.write_table("history", training.history.columns, training.history.rows);
    for (int id = 0; id < grid_.count(); ++id)
      file.write_table("history_subdomain_" + std::to_string(id),
                       {"iteration", "phase", "loss", "pde", "boundary"}, histories[id]);
    file.set_attribute("options", options_text);
    file.set_attribute("problem", "poisson2d_fbpinn");
    file.set_attribute("poisson_frequency", config_.problem.frequency);
    file.set_attribute("subdomains", grid_.count());
    file.set_attribute("fbpinn_overlap", config_.fbpinn.overlap);
    file.set_attribute("parameters_per_subdomain", nets_.parameters_per_network());
    file.set_attribute("relative_l2_pinn_vs_exact", s.pinn_error);
    file.set_attribute("relative_l2_reference_vs_exact", s.reference_error);
    file.set_attribute("relative_l2_pinn_vs_reference", s.pinn_vs_reference);
    file.set_attribute("training_seconds", s.training_seconds);
    file.set_attribute("communication_seconds", s.communication_seconds);
    file.set_attribute("bytes_per_evaluation", s.bytes_per_evaluation);
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
              << "  FBPINN vs exact     " << format("%.3e", s.pinn_error) << "\n"
              << "  reference vs exact  " << format("%.3e", s.reference_error) << "\n"
              << "  FBPINN vs reference " << format("%.3e", s.pinn_vs_reference) << "\n"
              << "  training            " << format("%.1f s", s.training_seconds) << ", final loss "
              << format("%.3e", s.final_loss) << ", L-BFGS: " << s.lbfgs_stop << "\n"
              << "  communication       " << format("%.2f s", s.communication_seconds)
              << " waiting, " << s.bytes_per_evaluation << " bytes per evaluation (rank 0)\n"
              << "  wall time           " << format("%.1f s", s.total_seconds) << "\n"
              << "  output              " << s.output_file << " (+ .xmf for ParaView)");
  return s;
}

}  // namespace tessera::run
