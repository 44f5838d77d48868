#include "run/fbpinn_learner.hpp"

#include <type_traits>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/field_file.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

void FbpinnLearner::set_loss(const problems::Residual& pde,
                             const dd::DomainConditions& conditions) {
  std::visit(
      [&](const auto& residual) {
        using Pde = std::decay_t<decltype(residual)>;
        loss_ = std::make_unique<dd::FbpinnLoss<Pde>>(grid_, windows_, nets_, residual,
                                                      config_.points, conditions);
      },
      pde);
}

std::vector<double> FbpinnLearner::sample(const Coordinates& points, int output) {
  return sample_windowed_sum(grid_, windows_, nets_, points, output);
}

void FbpinnLearner::write_attributes(io::FieldFile& file) const {
  file.set_attribute("fbpinn_overlap", windows_.overlap());
  file.set_attribute("communication_seconds", loss_->sum().communication_seconds());
  file.set_attribute("bytes_per_evaluation", loss_->sum().bytes_per_evaluation());
}

std::string FbpinnLearner::points_note() const {
  return ", " + std::to_string(loss_->sum().batch_points()) + " points each under its window";
}

std::string FbpinnLearner::description() const {
  return "FBPINN (overlap " + format("%g", windows_.overlap()) + ")";
}

std::string FbpinnLearner::summary() const {
  TESSERA_CHECK(loss_, "FbpinnLearner::summary before train");
  return "  FBPINN              " + counts_text(grid_.subdomains(), grid_.tiled_dim()) +
         " subdomains, overlap " + format("%g", windows_.overlap()) + ", " +
         std::to_string(parameter_count()) + " parameters in all\n" + "  communication       " +
         format("%.2f s", loss_->sum().communication_seconds()) + " waiting, " +
         std::to_string(loss_->sum().bytes_per_evaluation()) + " bytes per evaluation (rank 0)\n";
}

}  // namespace tessera::run
