#include "run/xpinn_learner.hpp"

#include <type_traits>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/field_file.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera::run {

void XpinnLearner::set_loss(const problems::Residual& pde, const dd::DomainConditions& conditions) {
  std::visit(
      [&](const auto& residual) {
        using Pde = std::decay_t<decltype(residual)>;
        loss_ = std::make_unique<dd::XpinnLoss<Pde>>(grid_, nets_, residual, config_.points,
                                                     config_.interface, conditions);
      },
      pde);
}

std::vector<double> XpinnLearner::sample(const Coordinates& points, int output) {
  return sample_subdomain_networks(grid_, nets_, points, output);
}

void XpinnLearner::write_attributes(io::FieldFile& file) const {
  const auto& jumps = loss_->interface_mismatch();
  file.set_attribute("interface_rms_jump_u", jumps[0]);
  file.set_attribute("interface_rms_jump_flux", jumps[1]);
  file.set_attribute("interface_rms_jump_residual", jumps[2]);
  file.set_attribute("communication_seconds", loss_->communication_seconds());
  file.set_attribute("bytes_per_exchange", loss_->exchange().bytes_per_exchange());
}

std::string XpinnLearner::summary() const {
  TESSERA_CHECK(loss_, "XpinnLearner::summary before train");
  const auto& jumps = loss_->interface_mismatch();
  return "  XPINN               " + counts_text(grid_.subdomains(), grid_.tiled_dim()) +
         " subdomains, " + std::to_string(parameter_count()) + " parameters in all\n" +
         "  interface RMS jumps u " + format("%.2e", jumps[0]) + ", d_n u " +
         format("%.2e", jumps[1]) + ", residual " + format("%.2e", jumps[2]) + "\n" +
         "  communication       " + format("%.2f s", loss_->communication_seconds()) +
         " waiting, " + std::to_string(loss_->exchange().bytes_per_exchange()) +
         " bytes per exchange (rank 0)\n";
}

}  // namespace tessera::run
