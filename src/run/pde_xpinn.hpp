#pragma once
// run: pde -pde_method xpinn: a PDE of run: pde (Burgers, Helmholtz, Allen–Cahn, Kovasznay, the
// lid-driven cavity) trained on the XPINN / cPINN decomposition of dd/xpinn_loss.hpp instead of
// one data-parallel network: the PDE's box, space or space-time, tiled into -dd_subdomains_x x
// -dd_subdomains_y subdomains over the process grid, one network per subdomain, the PDE's
// conditions on the faces of the box (domain_conditions), interface conditions between
// neighbours. run: pde decomposes its comparison grid, and with it the PDE's reference, over the
// same process grid, so each rank compares its own subdomains' networks.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/xpinn_loss.hpp"
#include "nn/mlp.hpp"
#include "pinn/trainer.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera {
class Options;
}

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

struct PdeXpinnConfig {
  std::array<int, 3> subdomains{2, 2, 1};
  dd::SubdomainPointConfig points;
  dd::InterfaceWeights interface;
  dd::CheckpointConfig checkpoint;

  /// Reads -dd_subdomains_x, -dd_subdomains_y, the subdomain points, the interface weights and
  /// the checkpoint options; checkpoints are of kind pde_xpinn_<pde>, so a restart of another
  /// PDE is refused.
  static PdeXpinnConfig from_options(Options& options, const std::string& pde);
};

/// The conditions of -pde `pde` on the faces of its box, -x, +x, -y (or -t), +y (or +t):
///   burgers            u = 0 at x = ±1, u(x, 0) = -sin(πx); t = 1 free
///   allen_cahn         u_x = 0 at x = ±1 (pinn::AllenCahnResidual says why), u(x, 0); t = 1 free
///   helmholtz          u = the exact solution on every face
///   kovasznay          u, v exact on every face, p exact on the outlet x = 1 (its gauge)
///   lid_driven_cavity  u, v on every face (p's constant is free; comparisons remove means)
dd::DomainConditions domain_conditions(const std::string& pde);

class PdeXpinn {
public:
  /// Collective over comm. The grid of config.subdomains over the box [lo, hi] of (x, y) or
  /// (x, t), one network of `shape` per subdomain (Glorot, seeded by the subdomain id) and the
  /// restart checkpoint if given; touches no file. An InputError on every rank if the tiling does
  /// not fit the rank count or the checkpoint does not fit the run.
  PdeXpinn(MPI_Comm comm, const PdeXpinnConfig& config, const nn::MlpShape& shape,
           const std::array<double, 2>& lo, const std::array<double, 2>& hi,
           const pinn::TrainingConfig& training);

  const dd::SubdomainGrid& grid() const { return grid_; }

  /// Collective. Trains the networks on the XPINN loss of pde with conditions, checkpointing to
  /// checkpoint_path as configured.
  template <class Pde>
  pinn::TrainingResult train(const Pde& pde, const dd::DomainConditions& conditions,
                             const pinn::TrainingConfig& training,
                             const std::string& checkpoint_path) {
    loss_ = std::make_unique<dd::XpinnLoss<Pde>>(grid_, nets_, pde, config_.points,
                                                 config_.interface, conditions);
    return train_loss(training, checkpoint_path);
  }

  /// Output `output` of the subdomain networks at this rank's points (all in its own
  /// subdomains). Not collective.
  std::vector<double> sample(const Coordinates& points, int output = 0) const;
  /// Parameters of all subdomains' networks together.
  long parameter_count() const { return nets_.parameters_per_network() * grid_.count(); }

  /// Collective over the file's communicator, after train(): every subdomain's history and the
  /// decomposition's attributes (tiling, interface jumps, communication).
  void write(io::FieldFile& file) const;
  /// The lines the run's summary adds, after train(): tiling, interface jumps, communication.
  std::string summary() const;

private:
  pinn::TrainingResult train_loss(const pinn::TrainingConfig& training,
                                  const std::string& checkpoint_path);

  PdeXpinnConfig config_;
  dd::SubdomainGrid grid_;
  nn::StackedMlp nets_;
  std::unique_ptr<dd::XpinnLossBase> loss_;
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
  std::unique_ptr<SubdomainHistories> histories_;
};

}  // namespace tessera::run
