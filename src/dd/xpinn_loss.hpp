#pragma once
// The domain-decomposed (XPINN / cPINN) PINN loss of any PDE system of pinn/pde_loss.hpp's Pde
// interface (Poisson in 1, 2 or 3 dimensions, Burgers, Helmholtz, Allen–Cahn, steady
// Navier–Stokes, ...), over a subdomain grid of the Pde's input dimension (space, or space-time):
// one network per subdomain (a StackedMlp of this rank's subdomains), each trained on its own
// points
//   interior   N points uniform in its box:           w_pde mean sum_j r_j^2
//   boundary   n points per face on the domain edge:  w_b mean over its constrained faces'
//              points of the sum of that face's conditions' squared misfits (DomainConditions)
//   interface  n points per shared face (InterfacePoints, identical on both sides), the
//              InterfaceCondition's terms against the neighbour's values, a mean per face.
// Every subdomain has 2 dim n face points, boundary and interface alike, so the networks' batches
// have equal sizes and stack (in 1D a face is a point: n = 1, see interface_point_count); a
// domain face without conditions (the final time of a space-time box) is evaluated and unused.
//
// Interface quantities come in channels, channel c pairing output c with residual c: (u_c, d_n
// u_c, r_c), zero beyond the Pde's outputs or residuals; each condition term sums over channels.
// One channel is the scalar case (u, d_n u, r).
//
// One evaluation: forward the face points, send the channels on every shared face
// (InterfaceExchange::begin), forward/backward the interior points while the messages travel,
// end(), then the boundary and interface terms and the face points' backward pass; each step a
// kernel on the default execution space (dd/xpinn_loss_kernels.hpp). Parameters
// and gradients stay on their rank; the only collective is one allreduce of a few numbers per
// subdomain (the loss terms, see subdomain_sums.hpp).
//
// The value is F = sum_i (pde_i + boundary_i + 1/2 interface_i): the function whose gradient the
// local, neighbour-as-constant gradients are (see interface_condition.hpp), so Adam and a global
// L-BFGS (with SubdomainInnerProduct) minimise one well-defined objective; neighbour values are
// exchanged at every evaluation, line-search trial points included.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/timer.hpp"
#include "dd/domain_conditions.hpp"
#include "dd/exchange.hpp"
#include "dd/interface.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/xpinn_loss_kernels.hpp"
#include "nn/mlp.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/loss.hpp"
#include "pinn/pde_loss.hpp"

namespace tessera {
class Options;
}

namespace tessera::dd {

struct SubdomainPointConfig {
  long interior_points = 512;  // per subdomain
  long face_points = 64;       // per face, on the domain boundary and on interfaces alike
  double pde_weight = 1.0;
  double boundary_weight = 1.0;
  std::uint64_t seed = 1234;  // draws every subdomain's points and initial network

  /// Reads -dd_interior_points, -dd_face_points, -dd_pde_weight, -dd_boundary_weight, -dd_seed.
  static SubdomainPointConfig from_options(Options& options);
};

/// The part of the XPINN loss that does not depend on the PDE: the subdomains' points, the
/// networks' workspaces, the exchange, and the gathering of the per-subdomain terms.
class XpinnLossBase : public pinn::Loss {
public:
  /// Per subdomain: pde, boundary, then the InterfaceCondition's terms.
  static constexpr int kTerms = 2 + kInterfaceTerms;

  std::vector<std::string> term_names() const override;
  /// The global terms of the last evaluation, interface terms halved: they sum to its value.
  std::vector<double> term_values() const override { return global_terms_; }

  /// Every subdomain's own terms at the last evaluation (kTerms per subdomain, by id; interface
  /// terms as that subdomain sees them), on every rank. Not collective.
  const std::vector<double>& subdomain_terms() const { return subdomain_terms_; }

  /// Root mean square over all interface points (both sides) and channels of the jumps of u,
  /// d_n u and the residual at the last evaluation, on every rank. Not collective.
  const std::array<double, 3>& interface_mismatch() const { return mismatch_; }

  const InterfaceExchange& exchange() const { return *exchange_; }
  /// Seconds spent waiting in InterfaceExchange::end() over all evaluations on this rank.
  double communication_seconds() const { return communication_seconds_; }
  long evaluations() const { return evaluations_; }

  /// This rank's interior points (dim x L N), network l's in columns [l N, (l+1) N).
  const nn::Matrix& interior_points() const { return interior_; }

protected:
  // Per-subdomain row of the one allreduce: the loss terms, then the squared jumps of u, d_n u
  // and r summed over the interface points and channels, then the count of (point, channel).
  static constexpr int kJumps = kFaceJumps;
  static constexpr int kColumns = kFaceColumns;
  static_assert(kColumns == kTerms + kJumps + 1, "the face kernels' row is the allreduce's row");

  /// Collective over grid.comm() (builds the exchange). nets holds one network of dim inputs and
  /// `outputs` outputs per owned subdomain, in grid.owned() order; channels interface channels;
  /// the jets' Laplacian sums over the first laplacian_dims inputs (0: all). Points are drawn
  /// from (seed, subdomain id), so they do not depend on the rank count.
  XpinnLossBase(const SubdomainGrid& grid, nn::StackedMlp& nets, int outputs, int channels,
                int laplacian_dims, const SubdomainPointConfig& points,
                const InterfaceWeights& weights, const DomainConditions& conditions);

  /// The start of an evaluation: x into the networks, the gradient zeroed, the face points'
  /// forward pass.
  void begin_evaluation(const nn::Vector& x, const nn::Vector& gradient);
  /// Waits for the exchange begun after packing, timing the wait.
  void wait_for_exchange();
  /// The end: the face points' backward pass, then the per-subdomain sums of the interior
  /// squares and the face terms (one launch each, one small copy to the host), gathered into
  /// the per-subdomain and global terms and the mismatch; returns F. Collective.
  double end_evaluation(const nn::Vector& gradient);

  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  SubdomainPointConfig config_;
  InterfaceCondition condition_;
  ConditionTable conditions_;
  InterfacePoints interface_points_;
  std::unique_ptr<InterfaceExchange> exchange_;
  int dim_ = 2;
  int streams_ = 4;  // Laplacian jets: u, du/dx_d (dim of them), Δu
  int channels_ = 1;
  int local_ = 0;
  FaceLayout face_layout_{};
  Kokkos::View<double*> boundary_scale_;  // per owned subdomain: w_b / (constrained faces n)
  nn::Matrix interior_, faces_;
  nn::MlpWorkspace interior_ws_, face_ws_;
  nn::Matrix interior_adjoint_, face_adjoint_;
  Kokkos::View<double**> residual_squares_;                 // per interior point: sum_j r_j^2
  Kokkos::View<double**> face_terms_;                       // per face point: kColumns
  Kokkos::View<pinn::JetSensitivity*> face_sensitivities_;  // residuals per face point

private:
  Kokkos::View<long**> interior_ranges_, face_ranges_;  // per owned subdomain: its points
  Kokkos::View<double**, Kokkos::LayoutRight> rows_;    // per owned subdomain: kColumns
  Kokkos::View<double**, Kokkos::LayoutRight>::HostMirror rows_host_;
  std::vector<double> subdomain_terms_, global_terms_;
  std::array<double, 3> mismatch_{0, 0, 0};
  double communication_seconds_ = 0;
  long evaluations_ = 0;
};

template <class Pde>
class XpinnLoss : public XpinnLossBase {
  static constexpr int kChannels = std::max(Pde::outputs, Pde::residuals);

public:
  /// Collective over grid.comm(). grid has Pde::inputs dimensions; nets holds one network of
  /// Pde::inputs inputs and Pde::outputs outputs per owned subdomain, in grid.owned() order.
  XpinnLoss(const SubdomainGrid& grid, nn::StackedMlp& nets, const Pde& pde,
            const SubdomainPointConfig& points, const InterfaceWeights& weights,
            const DomainConditions& conditions = dirichlet_everywhere())
      : XpinnLossBase(grid, nets, Pde::outputs, kChannels, Pde::laplacian_dims, points, weights,
                      conditions),
        pde_(pde) {
    face_sensitivities_ = Kokkos::View<pinn::JetSensitivity*>(
        "tessera::dd::face_sensitivities", local_ * face_layout_.faces * Pde::residuals);
  }

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets): every
  /// point's terms and adjoints as kernels on the default execution space.
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    begin_evaluation(x, gradient);  // face points first: their values travel meanwhile
    xpinn_pack_faces<Pde, kChannels>(pde_, faces_, face_ws_.output(), face_sensitivities_,
                                     exchange_->send_buffer(), face_layout_, local_);
    exchange_->begin();
    const int n = interior_ws_.points;
    nets_.forward(interior_, interior_ws_);
    xpinn_residual_squares(pde_, interior_, interior_ws_.output(), interior_adjoint_,
                           residual_squares_, local_, n, streams_, config_.pde_weight / n);
    nets_.backward(interior_ws_, interior_adjoint_, gradient);
    wait_for_exchange();
    xpinn_face_terms<Pde, kChannels>(pde_, condition_, conditions_, faces_, face_ws_.output(),
                                     face_sensitivities_, exchange_->send_buffer(),
                                     exchange_->receive_buffer(), boundary_scale_, face_adjoint_,
                                     face_terms_, face_layout_, local_);
    return end_evaluation(gradient);
  }

private:
  Pde pde_;
};

/// XpinnLoss of the Poisson problem of the grid's dimension (1, 2 or 3), u given on the whole
/// boundary. Collective over grid.comm().
std::unique_ptr<XpinnLossBase> poisson_xpinn_loss(const SubdomainGrid& grid, nn::StackedMlp& nets,
                                                  const physics::PoissonProblem& problem,
                                                  const SubdomainPointConfig& points,
                                                  const InterfaceWeights& weights);

}  // namespace tessera::dd
