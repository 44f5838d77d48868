#include "run/subdomain_learner.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "dd/subdomain_sums.hpp"
#include "io/field_file.hpp"
#include "run/fbpinn_learner.hpp"
#include "run/subdomain_networks.hpp"
#include "run/xpinn_learner.hpp"

namespace tessera::run {

SubdomainLearnerConfig SubdomainLearnerConfig::from_options(Options& options,
                                                            const std::string& method, int inputs) {
  SubdomainLearnerConfig c;
  c.method = method;
  for (int d = 0; d < 3; ++d) {
    const std::string name = std::string("dd_subdomains_") + "xyz"[d];
    c.subdomains[d] =
        options.integer(name, d < inputs ? 2 : 1, 1, 1024,
                        std::string("subdomains along the problem's input ") + "xyz"[d] +
                            " (x; y or t; z), default 2 within its inputs, 1 beyond (a fourth "
                            "input, time, is not tiled: each subdomain spans it)");
    if (d >= inputs && c.subdomains[d] != 1)
      options.report("-" + name + " = " + std::to_string(c.subdomains[d]) + " needs a problem of " +
                     std::to_string(d + 1) + " or more dimensions (this run's is " +
                     std::to_string(inputs) + "D)");
  }
  c.points = dd::SubdomainPointConfig::from_options(options);
  if (method == "fbpinn")
    c.fbpinn = dd::FbpinnConfig::from_options(options);
  else
    c.interface = dd::InterfaceWeights::from_options(options);
  return c;
}

std::unique_ptr<SubdomainLearner> SubdomainLearner::make(MPI_Comm comm,
                                                         const SubdomainLearnerConfig& config,
                                                         const nn::MlpShape& shape,
                                                         const dd::Corner& lo, const dd::Corner& hi,
                                                         const pinn::TrainingConfig& training) {
  if (config.method == "fbpinn")
    return std::make_unique<FbpinnLearner>(comm, config, shape, lo, hi, training);
  return std::make_unique<XpinnLearner>(comm, config, shape, lo, hi, training);
}

SubdomainLearner::SubdomainLearner(MPI_Comm comm, const SubdomainLearnerConfig& config,
                                   const nn::MlpShape& shape, const dd::Corner& lo,
                                   const dd::Corner& hi, const pinn::TrainingConfig& training)
    : config_(config),
      grid_(comm, shape.inputs, lo, hi, config.subdomains),
      nets_(shape, static_cast<int>(grid_.owned().size())) {
  nets_.initialize_glorot(subdomain_network_seeds(grid_, config.points.seed));
  restart_ =
      dd::read_restart(grid_, nets_.parameters_per_network(), config_.checkpoint, {training});
}

SubdomainLearner::~SubdomainLearner() = default;

pinn::TrainingResult SubdomainLearner::train(const problems::Residual& pde,
                                             const dd::DomainConditions& conditions,
                                             const pinn::TrainingConfig& training) {
  set_loss(pde, conditions);
  const auto& shape = nets_.shape();
  TESSERA_LOG("networks: MLP " << shape.inputs << "-" << shape.width << "x" << shape.depth << "-"
                               << shape.outputs << " " << nn::activation_name(shape.activation)
                               << " (" << nets_.parameters_per_network()
                               << " parameters) per subdomain, " << config_.points.interior_points
                               << " interior + " << config_.points.face_points << " per face points"
                               << points_note());
  histories_ = std::make_unique<SubdomainHistories>(grid_.count(), loss().term_names());
  pinn::TrainingControl control;
  const dd::SubdomainInnerProduct inner(grid_, nets_.parameters_per_network());
  control.inner = &inner;
  control.on_record = [&](int iteration, int phase) {
    histories_->record(iteration, phase, subdomain_terms());
  };
  dd::attach_checkpoints(control, grid_, nets_.parameters_per_network(), config_.checkpoint,
                         restart_.get());
  return pinn::train(loss(), nets_.parameters(), training, control);
}

std::string SubdomainLearner::headline() const {
  return description() + " on " + counts_text(grid_.subdomains(), grid_.tiled_dim()) +
         " subdomains, " + std::to_string(grid_.size()) + " rank(s), process grid " +
         counts_text(grid_.process_grid(), grid_.tiled_dim());
}

void SubdomainLearner::write(io::FieldFile& file) const {
  TESSERA_CHECK(histories_, "SubdomainLearner::write before train");
  histories_->write(file);
  file.set_attribute("subdomains", grid_.count());
  file.set_attribute("subdomains_x", grid_.subdomains()[0]);
  if (grid_.tiled_dim() >= 2) file.set_attribute("subdomains_y", grid_.subdomains()[1]);
  if (grid_.tiled_dim() == 3) file.set_attribute("subdomains_z", grid_.subdomains()[2]);
  file.set_attribute("parameters_per_subdomain", nets_.parameters_per_network());
  write_attributes(file);
}

}  // namespace tessera::run
