#pragma once
// The data-parallel PINN loss of the 1D heat equation (physics/heat.hpp) on (x, t) in [0,1]^2:
//   L = w_r (1/S) sum_i c_i L_i + w_0 mean_initial (u - u_0)^2 + w_b mean_boundary u^2,
// L_i the mean squared residual u_t - nu u_xx over time slab i of S, c_i its causal weight
// (pinn/causal.hpp; epsilon = 0 gives c_i = 1, the plain loss). u_xx is the network's Laplacian
// stream restricted to x (Mlp::prepare's laplacian_dims = 1), u_t its gradient stream of t.
// A small test problem: the interior goes through the network in one batch, and the per-slab sums
// (which the causal weights need before any adjoint can be formed) are taken on the host.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "nn/mlp.hpp"
#include "physics/heat.hpp"
#include "pinn/causal.hpp"
#include "pinn/loss.hpp"

namespace tessera::pinn {

struct HeatPoints {
  nn::Matrix interior;  // (x, t) uniform in [0,1]^2
  nn::Matrix initial;   // (x, 0)
  nn::Matrix boundary;  // (0, t) and (1, t)
};

/// This rank's shares of the three point sets, drawn from seed the same way on every rank.
HeatPoints heat_points(MPI_Comm comm, long interior, long initial, long boundary,
                       std::uint64_t seed);

class HeatLoss : public Loss {
public:
  /// Collective over comm (counts the global points per slab).
  HeatLoss(MPI_Comm comm, nn::Mlp& net, const physics::Heat1D& problem, const HeatPoints& points,
           const CausalConfig& causal, double initial_weight = 1.0, double boundary_weight = 1.0);

  /// Collective over comm.
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override;

  std::vector<std::string> term_names() const override {
    return {"residual", "initial", "boundary"};
  }
  std::vector<double> term_values() const override { return terms_; }
  std::vector<double> term_weights() const override { return weights_; }
  void set_term_weights(const std::vector<double>& weights) override;

  /// Of the last evaluation: each slab's mean squared residual and its causal weight.
  const std::vector<double>& slab_losses() const { return slab_losses_; }
  const std::vector<double>& causal_weights() const { return causal_weights_; }

private:
  double residual_term(const nn::Vector& gradient);

  MPI_Comm comm_;
  nn::Mlp& net_;
  physics::Heat1D problem_;
  HeatPoints points_;
  CausalConfig causal_;
  std::vector<double> weights_;  // residual, initial, boundary
  long global_initial_ = 0, global_boundary_ = 0;
  std::vector<long> slab_points_;  // global points per slab
  std::vector<int> slab_of_;       // this rank's interior points' slabs
  nn::MlpWorkspace interior_ws_, initial_ws_, boundary_ws_;
  nn::Matrix interior_adjoint_, initial_adjoint_, boundary_adjoint_;
  std::vector<double> terms_ = {0, 0, 0}, slab_losses_, causal_weights_;
};

}  // namespace tessera::pinn
