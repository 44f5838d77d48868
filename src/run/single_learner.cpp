#include "run/single_learner.hpp"

#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.hpp"
#include "core/log.hpp"
#include "physics/kovasznay.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "pinn/pde_loss.hpp"
#include "pinn/pde_residuals.hpp"

namespace tessera::run {

namespace {

/// Network output `output` at the points whose coordinate i is coordinates[i][k], one list per
/// input, all of the same length. Not collective.
std::vector<double> sample_network(const nn::Mlp& net, const Coordinates& coordinates, int output) {
  const int dims = static_cast<int>(coordinates.size());
  TESSERA_CHECK(dims == net.shape().inputs, "sample_network: " << dims
                                                               << " coordinates for a network of "
                                                               << net.shape().inputs << " inputs");
  TESSERA_CHECK(output >= 0 && output < net.shape().outputs,
                "sample_network: the network has no output " << output);
  const int n = static_cast<int>(coordinates[0].size());
  for (const auto& c : coordinates)
    TESSERA_CHECK(static_cast<int>(c.size()) == n,
                  "sample_network: coordinate lists of different sizes");
  nn::Matrix points("tessera::run::comparison_points", dims, n);
  auto host = Kokkos::create_mirror_view(points);
  for (int d = 0; d < dims; ++d)
    for (int k = 0; k < n; ++k) host(d, k) = coordinates[d][k];
  Kokkos::deep_copy(points, host);
  nn::MlpWorkspace ws;
  net.prepare(ws, nn::JetOrder::Value, n);
  if (n > 0) net.forward(points, ws);
  auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
  std::vector<double> values(n);
  for (int k = 0; k < n; ++k) values[k] = out(k, output);
  return values;
}

}  // namespace

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

pinn::TrainingResult SingleLearner::train(const problems::Residual& residual,
                                          const nn::Matrix& interior,
                                          const std::vector<pinn::ConditionPoints>& conditions,
                                          int first, int last, const pinn::CausalConfig& causal) {
  return std::visit(
      [&](const auto& pde) {
        using Pde = std::decay_t<decltype(pde)>;
        pinn::PdeLoss<Pde> loss(comm_, net_, pde, interior, points_.residual_weight, conditions,
                                causal, points_.batch_points);
        return train(loss, first, last, causal);
      },
      residual);
}

template <class Loss>
pinn::TrainingResult SingleLearner::train(Loss& loss, int first, int last,
                                          const pinn::CausalConfig& causal) {
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

}  // namespace tessera::run
