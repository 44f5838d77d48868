#pragma once
// -pinn_learner xpinn: a problem trained on the XPINN / cPINN decomposition of dd/xpinn_loss.hpp
// instead of one data-parallel network: one network per subdomain of its box
// (run/subdomain_learner.hpp),
// interface conditions between neighbours; each subdomain's network is the solution on its box.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dd/xpinn_loss.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::run {

class XpinnLearner : public SubdomainLearner {
public:
  /// Collective over comm; see SubdomainLearner.
  XpinnLearner(MPI_Comm comm, const SubdomainLearnerConfig& config, const nn::MlpShape& shape,
               const dd::Corner& lo, const dd::Corner& hi, const pinn::TrainingConfig& training)
      : SubdomainLearner(comm, config, shape, lo, hi, training) {}

  /// Output `output` of each point's subdomain network; no communication.
  std::vector<double> sample(const Coordinates& points, int output = 0) override;
  /// Tiling, interface jumps, communication.
  std::string summary() const override;

private:
  void set_loss(const problems::Residual& pde, const dd::DomainConditions& conditions) override;
  pinn::Loss& loss() override { return *loss_; }
  const std::vector<double>& subdomain_terms() const override { return loss_->subdomain_terms(); }
  void write_attributes(io::FieldFile& file) const override;
  std::string description() const override { return "XPINN"; }

  std::unique_ptr<dd::XpinnLossBase> loss_;
};

}  // namespace tessera::run
