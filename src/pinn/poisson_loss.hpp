#pragma once
// The data-parallel PINN loss for the 2D Poisson problem:
//   L = w_r mean_interior (-Δu - f)^2 + w_b mean_boundary (u - g)^2,
// means over the global point sets; each rank holds a share of the points and the loss and the
// flat gradient are summed over ranks (one allreduce of the gradient view per evaluation).
// Interior points go through forward, residual and backward in batches that reuse one workspace:
// on a CPU a batch's activations stay in cache between the passes (see PointSetConfig).
#include <mpi.h>

#include <vector>

#include "nn/mlp.hpp"
#include "physics/poisson.hpp"
#include "pinn/loss.hpp"
#include "pinn/resampling.hpp"

namespace tessera::pinn {

class PoissonLoss : public Loss, public ResidualSampled {
public:
  /// Collective over comm (counts the global points).
  /// batch_points: interior points per batch, 0 for all at once.
  PoissonLoss(MPI_Comm comm, nn::Mlp& net, const physics::Poisson2D& problem,
              const nn::Matrix& interior, const nn::Matrix& boundary, double residual_weight,
              double boundary_weight, long batch_points = 0);

  PoissonLoss(const PoissonLoss&) = delete;  // batches point at this object's workspaces
  PoissonLoss& operator=(const PoissonLoss&) = delete;

  /// Collective over comm. Evaluates at x (copied into the network's parameters).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override;

  std::vector<std::string> term_names() const override { return {"residual", "boundary"}; }
  std::vector<double> term_values() const override { return {last_residual_, last_boundary_}; }
  std::vector<double> term_weights() const override { return {residual_weight_, boundary_weight_}; }
  void set_term_weights(const std::vector<double>& weights) override;

  MPI_Comm communicator() const override { return comm_; }
  /// |-Δu - f| of the network at each point (2 x n). Not collective.
  std::vector<double> residual_magnitudes(const nn::Matrix& points) override;
  /// Collective over comm: appends this rank's points and recounts the global set.
  void add_interior_points(const nn::Matrix& points) override;
  long global_interior_points() const { return global_interior_; }
  /// This rank's interior points (2 x n), refined ones included.
  const nn::Matrix& interior() const { return interior_; }

private:
  struct Batch {
    nn::Matrix points;  // 2 x n
    nn::MlpWorkspace* workspace;
    nn::Matrix* adjoint;
  };
  /// Collective: counts the global points and splits this rank's interior into batches.
  void build_batches();
  double residual_term(const Batch& batch, const nn::Vector& gradient);
  double boundary_term(const nn::Vector& gradient);

  MPI_Comm comm_;
  nn::Mlp& net_;
  nn::Vector::HostMirror staging_;  // the gradient allreduce's host copy, made once
  physics::Poisson2D problem_;
  nn::Matrix interior_, boundary_;
  double residual_weight_, boundary_weight_;
  long batch_points_ = 0;
  long global_interior_ = 0, global_boundary_ = 0;
  std::vector<Batch> batches_;
  // Batches have at most two sizes (full and the remainder), each with its own workspace.
  nn::MlpWorkspace batch_ws_, tail_ws_, boundary_ws_;
  nn::Matrix batch_adjoint_, tail_adjoint_, boundary_adjoint_;
  double last_residual_ = 0, last_boundary_ = 0;  // weighted terms of the last evaluation
};

}  // namespace tessera::pinn
