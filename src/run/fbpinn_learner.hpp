#pragma once
// -pinn_learner fbpinn: a problem trained as a finite-basis PINN (dd/fbpinn_loss.hpp): one network
// per subdomain of its box (run/subdomain_learner.hpp), each subdomain grown by -fbpinn_overlap and
// its network weighed by its window, the solution u = Σ_j w_j N_j smooth across the subdomain
// boundaries by construction, so no interface conditions.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dd/fbpinn_loss.hpp"
#include "dd/partition_of_unity.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::run {

class FbpinnLearner : public SubdomainLearner {
public:
  /// Collective over comm; see SubdomainLearner. The windows of config.fbpinn's overlap.
  FbpinnLearner(MPI_Comm comm, const SubdomainLearnerConfig& config, const nn::MlpShape& shape,
                const dd::Corner& lo, const dd::Corner& hi, const pinn::TrainingConfig& training)
      : SubdomainLearner(comm, config, shape, lo, hi, training),
        windows_(grid_, config.fbpinn.overlap) {}

  /// Output `output` of the windowed sum. Collective: neighbours exchange their networks' jets.
  std::vector<double> sample(const Coordinates& points, int output = 0) override;
  /// Tiling, overlap, communication.
  std::string summary() const override;

private:
  void set_loss(const problems::Residual& pde, const dd::DomainConditions& conditions) override;
  pinn::Loss& loss() override { return *loss_; }
  const std::vector<double>& subdomain_terms() const override { return loss_->subdomain_terms(); }
  void write_attributes(io::FieldFile& file) const override;
  std::string description() const override;
  std::string points_note() const override;

  dd::PartitionOfUnity windows_;
  std::unique_ptr<dd::FbpinnLossBase> loss_;
};

}  // namespace tessera::run
