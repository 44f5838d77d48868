#pragma once
// The single learner of run: pinn (-pinn_learner single): one network over the problem's whole
// box, data-parallel (every rank holds it and trains on its share of the points; the gradient is
// summed over the ranks), trained on the problem's PdeLoss (pinn/pde_loss.hpp) in one or more
// stages (time windows; causal Adam, then L-BFGS), each checkpointed and restartable
// (dd::ReplicatedCheckpoints). The points are the problem's (the runs draw them); the subdomain
// learners draw their own in each subdomain: run/subdomain_learner.hpp.
#include <mpi.h>

#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "nn/mlp.hpp"
#include "pinn/causal.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/residual.hpp"
#include "run/learner.hpp"

namespace tessera::pinn {
struct ConditionPoints;
}

namespace tessera::run {

class SingleLearner final : public Learner {
public:
  /// Collective over comm. The network of shape, Glorot-initialised from points.seed (the seed the
  /// runs draw its points with), and the checkpoints of its trainings, one per entry of stages in
  /// turn (dd::ReplicatedCheckpoints: the restart is read if checkpoint names one); touches no
  /// file. An InputError on every rank if the restart does not fit.
  SingleLearner(MPI_Comm comm, const nn::MlpShape& shape, const pinn::PointSetConfig& points,
                const dd::CheckpointConfig& checkpoint, std::vector<pinn::TrainingConfig> stages);

  /// Collective. Trains the network on the PdeLoss of residual pde on this rank's interior points
  /// and conditions (the residual weight and interior batches of the point set configuration) in
  /// the stages [first, last), those before the restart's stage excepted (done before the restart:
  /// it holds the network they ended with). A stage after `first` keeps the causal weights the one
  /// before ended with frozen (L-BFGS's line search fails on weights that move with every
  /// evaluation), or, first after a restart, the restart's. With causal training, logs the last
  /// time slab's weight (the smallest) with every history row: near 1, the whole time range is
  /// being fitted.
  pinn::TrainingResult train(const problems::Residual& pde, const nn::Matrix& interior,
                             const std::vector<pinn::ConditionPoints>& conditions, int first = 0,
                             int last = 1, const pinn::CausalConfig& causal = {});

  /// The trainings in turn, as given to the constructor.
  const std::vector<pinn::TrainingConfig>& stages() const { return stages_; }
  /// The stage the run starts at: the restart's, 0 without one. Not collective.
  int first_stage() const { return checkpoints_.first_stage(); }
  /// The restart state, nullptr without one. Not collective.
  const pinn::TrainingCheckpoint* restart() const { return checkpoints_.restart(); }

  /// Not collective: every rank holds the network.
  std::vector<double> sample(const Coordinates& points, int output = 0) override;
  long parameter_count() const override { return net_.parameter_count(); }
  void write(io::FieldFile&) const override {}
  std::string summary() const override { return ""; }
  /// "2 rank(s)".
  std::string headline() const override;

private:
  /// The stages [first, last) of loss (a PdeLoss).
  template <class Loss>
  pinn::TrainingResult train(Loss& loss, int first, int last, const pinn::CausalConfig& causal);

  MPI_Comm comm_;
  nn::Mlp net_;
  pinn::PointSetConfig points_;
  std::vector<pinn::TrainingConfig> stages_;
  dd::ReplicatedCheckpoints checkpoints_;
};

}  // namespace tessera::run
