#include "run/single_learner.hpp"

#include <utility>

#include "core/log.hpp"
#include "physics/kovasznay.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "pinn/pde_loss.hpp"
#include "pinn/pde_residuals.hpp"
#include "run/comparison.hpp"

namespace tessera::run {

SingleLearner::SingleLearner(MPI_Comm comm, const nn::MlpShape& shape,
                             const pinn::PointSetConfig& points,
                             const dd::CheckpointConfig& checkpoint,
                             std::vector<pinn::TrainingConfig> stages)
    : comm_(comm),
      net_(shape),
      points_(points),
      stages_(std::move(stages)),
      checkpoints_(comm, net_.parameter_count(), checkpoint, stages_) {
  net_.initialize_glorot(points.seed);
}

template <class Pde>
pinn::TrainingResult SingleLearner::train(const Pde& pde, const nn::Matrix& interior,
                                          const std::vector<pinn::ConditionPoints>& conditions,
                                          int first, int last, const pinn::CausalConfig& causal) {
  pinn::PdeLoss<Pde> loss(comm_, net_, pde, interior, points_.residual_weight, conditions, causal,
                          points_.batch_points);
  pinn::TrainingResult result;
  for (int stage = std::max(first, first_stage()); stage < last; ++stage) {
    std::vector<double> frozen;
    if (stage > first) {
      if (stage == first_stage())
        loss.freeze_causal_weights(restart()->causal_weights);
      else
        loss.freeze_causal_weights(true);
      frozen = loss.causal_weights();
      TESSERA_LOG("causal weights frozen for L-BFGS");
    }
    pinn::TrainingControl control;
    checkpoints_.attach(control, stage, std::move(frozen));
    if (causal.epsilon > 0)
      control.on_record = [&](int iteration, int) {
        TESSERA_LOG("causal it " << iteration << "  last slab weight "
                                 << format("%.3e", loss.causal_weights().back()));
      };
    pinn::append(result, pinn::train(loss, net_.parameters(), stages_[size_t(stage)], control));
  }
  return result;
}

std::vector<double> SingleLearner::sample(const Coordinates& points, int output) {
  return sample_network(net_, points, output);
}

std::string SingleLearner::headline() const {
  int size = 1;
  MPI_Comm_size(comm_, &size);
  return std::to_string(size) + " rank(s)";
}

// The residuals the single network trains on (pinn/pde_residuals.hpp).
#define TESSERA_SINGLE_LEARNER_TRAIN(Pde)                                                       \
  template pinn::TrainingResult SingleLearner::train(const Pde&, const nn::Matrix&,             \
                                                     const std::vector<pinn::ConditionPoints>&, \
                                                     int, int, const pinn::CausalConfig&);
TESSERA_SINGLE_LEARNER_TRAIN(pinn::PoissonResidual<1>)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::PoissonResidual<2>)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::PoissonResidual<3>)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::BurgersResidual)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::HelmholtzResidual)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::AllenCahnResidual)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::Heat3DResidual)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::SteadyNavierStokesResidual<physics::Kovasznay>)
TESSERA_SINGLE_LEARNER_TRAIN(pinn::SteadyNavierStokesResidual<physics::LidDrivenCavity>)
#undef TESSERA_SINGLE_LEARNER_TRAIN

}  // namespace tessera::run
