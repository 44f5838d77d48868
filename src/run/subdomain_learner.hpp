#pragma once
// The subdomain learners of run: pinn (-pinn_learner xpinn | fbpinn): a problem (Poisson in 1 to
// 3 dimensions, Burgers, Helmholtz, Allen–Cahn, the 3D heat equation, Kovasznay, the lid-driven
// cavity) trained on subdomains of its box instead of one data-parallel network. This is what
// both methods share: the box, space or space-time, tiled into -dd_subdomains_x (x _y (x _z))
// subdomains over the process grid (3D space and time: in space, each subdomain spanning the time
// range), one network per subdomain, the problem's conditions on the faces of the box
// (problems::domain_conditions), training with every subdomain's history and checkpoints.
// XpinnLearner (run/xpinn_learner.hpp: interface conditions between neighbours) and FbpinnLearner
// (run/fbpinn_learner.hpp: overlapping windows, u = Σ w_j N_j) add their loss, their sampling of
// the solution and their output. The runs decompose their comparison grid, and with it the
// problem's reference, over the same process grid, so each rank compares its own subdomains.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "dd/fbpinn_loss.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/xpinn_loss.hpp"
#include "nn/mlp.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "problems/residual.hpp"
#include "run/output_config.hpp"
#include "run/subdomain_networks.hpp"

namespace tessera {
class Options;
}

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

struct SubdomainLearnerConfig {
  std::string method = "xpinn";  // xpinn or fbpinn
  std::array<int, 3> subdomains{2, 2, 1};
  dd::SubdomainPointConfig points;
  dd::InterfaceWeights interface;   // xpinn
  dd::FbpinnConfig fbpinn;          // fbpinn
  dd::CheckpointConfig checkpoint;  // the run's

  /// Reads the tiling (-dd_subdomains_x, _y, _z, 1 beyond the problem's inputs), the subdomain
  /// points and the method's own options (xpinn: the interface weights; fbpinn:
  /// -fbpinn_overlap); the run sets the checkpoint. Problems are reported to options. Not
  /// collective.
  static SubdomainLearnerConfig from_options(Options& options, const std::string& method,
                                             int inputs);
};

class SubdomainLearner : public Learner {
public:
  ~SubdomainLearner() override;
  SubdomainLearner(const SubdomainLearner&) = delete;
  SubdomainLearner& operator=(const SubdomainLearner&) = delete;

  /// Collective over comm: the XpinnLearner or FbpinnLearner of config.method (see their
  /// constructors).
  static std::unique_ptr<SubdomainLearner> make(MPI_Comm comm, const SubdomainLearnerConfig& config,
                                                const nn::MlpShape& shape, const dd::Corner& lo,
                                                const dd::Corner& hi,
                                                const pinn::TrainingConfig& training);

  const dd::SubdomainGrid& grid() const { return grid_; }

  /// Collective. Trains the networks on the method's loss of pde with conditions, checkpointing
  /// as configured.
  pinn::TrainingResult train(const problems::Residual& pde, const dd::DomainConditions& conditions,
                             const pinn::TrainingConfig& training);

  // sample (the method's): at points all in this rank's own subdomains.

  /// Parameters of all subdomains' networks together.
  long parameter_count() const override { return nets_.parameters_per_network() * grid_.count(); }

  /// Collective over the file's communicator, after train(): every subdomain's history, the
  /// tiling and the method's attributes.
  void write(io::FieldFile& file) const override;
  /// "XPINN on 2 x 2 subdomains" (FBPINN adds its overlap), for a run's first log line.
  std::string headline() const override;

protected:
  /// Collective over comm. The grid of config.subdomains over the box [lo, hi] of the network's
  /// inputs (1 to 4: space, or space and time; coordinates beyond them unused), one network of
  /// `shape` per subdomain (Glorot, seeded by the subdomain id) and the restart checkpoint if
  /// given; touches no file. An InputError on every rank if the tiling does not fit the rank count
  /// or the checkpoint does not fit the run.
  SubdomainLearner(MPI_Comm comm, const SubdomainLearnerConfig& config, const nn::MlpShape& shape,
                   const dd::Corner& lo, const dd::Corner& hi,
                   const pinn::TrainingConfig& training);

  /// Builds the method's loss of pde with conditions (collective).
  virtual void set_loss(const problems::Residual& pde, const dd::DomainConditions& conditions) = 0;
  virtual pinn::Loss& loss() = 0;
  /// Every subdomain's terms at the last evaluation (the loss's term_names() per subdomain).
  virtual const std::vector<double>& subdomain_terms() const = 0;
  /// The method's own attributes of the result file.
  virtual void write_attributes(io::FieldFile& file) const = 0;
  /// The method in the log, e.g. "FBPINN (overlap 0.25)".
  virtual std::string description() const = 0;
  /// What the networks' log line adds about their points (FBPINN: the points under each window).
  virtual std::string points_note() const { return ""; }

  SubdomainLearnerConfig config_;
  dd::SubdomainGrid grid_;
  nn::StackedMlp nets_;

private:
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
  std::unique_ptr<SubdomainHistories> histories_;
};

}  // namespace tessera::run
