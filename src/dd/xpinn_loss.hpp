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
// end(), then the boundary and interface terms and the face points' backward pass. Parameters
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
  static constexpr int kJumps = 3;
  static constexpr int kColumns = kTerms + kJumps + 1;

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
  /// The end: the face points' backward pass, then gathers rows (kColumns per owned subdomain),
  /// sets the per-subdomain and global terms and the mismatch; returns F. Collective.
  double end_evaluation(const std::vector<double>& rows, const nn::Vector& gradient);

  /// Row of stream s of face point j (j counts over the subdomain's 2 dim n face points) of
  /// local network l in the face jets.
  long face_row(int l, int s, long j) const { return (l * streams_ + s) * face_count_ + j; }

  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  SubdomainPointConfig config_;
  InterfaceCondition condition_;
  DomainConditions conditions_;
  InterfacePoints interface_points_;
  std::unique_ptr<InterfaceExchange> exchange_;
  int dim_ = 2;
  int streams_ = 4;  // Laplacian jets: u, du/dx_d (dim of them), Δu
  int channels_ = 1;
  int local_ = 0;
  long face_points_ = 0;                // per face: -dd_face_points, or 1 in 1D
  long face_count_ = 0;                 // face points per subdomain: 2 dim face_points_
  std::vector<double> boundary_scale_;  // per owned subdomain: w_b / (constrained faces n)
  nn::Matrix interior_, faces_;
  nn::MlpWorkspace interior_ws_, face_ws_;
  nn::Matrix interior_adjoint_, face_adjoint_;
  nn::Vector residual_squares_;  // per interior point, summed per subdomain in a fixed order
  // Host copies of the face points and their output jets / adjoint.
  nn::Matrix::HostMirror faces_host_, face_out_host_, face_adjoint_host_;

private:
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
        pde_(pde),
        face_sensitivities_(static_cast<size_t>(local_) * face_count_ * Pde::residuals) {}

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    begin_evaluation(x, gradient);  // face points first: their values travel meanwhile
    pack_face_quantities();
    exchange_->begin();
    const auto pde = interior_terms(gradient);
    wait_for_exchange();
    std::vector<double> rows(static_cast<size_t>(local_) * kColumns, 0.0);
    for (int l = 0; l < local_; ++l) rows[l * kColumns] = pde[l];
    face_terms(rows);
    return end_evaluation(rows, gradient);
  }

private:
  /// The jet of face point j of local network l, and its residuals and their sensitivities.
  pinn::PointJet face_jet(int l, long j) const {
    return pinn::point_jet<Pde::inputs, Pde::outputs>(
        faces_host_, l * face_count_ + j, face_out_host_, face_row(l, 0, j), face_count_);
  }

  void pack_face_quantities() {
    Kokkos::deep_copy(face_out_host_, face_ws_.output());
    const long nf = face_points_;
    for (int l = 0; l < local_; ++l)
      for (int f = 0; f < 2 * dim_; ++f) {
        if (interface_points_.count(l, f) == 0) continue;
        const auto send = exchange_->send(l, f);
        const int axis = face_axis(f);
        for (long i = 0; i < nf; ++i) {
          const auto jet = face_jet(l, f * nf + i);
          double r[pinn::kMaxResiduals];
          pinn::JetSensitivity dr[pinn::kMaxResiduals];
          pde_.residual(jet, r, dr);
          // Kept for the interface terms' reverse pass after the exchange.
          std::copy(dr, dr + Pde::residuals, face_sensitivity(l, f * nf + i));
          for (int c = 0; c < kChannels; ++c) {
            const bool output = c < Pde::outputs;
            send(3 * c + kValue, i) = output ? jet.u[c] : 0.0;
            send(3 * c + kNormalDerivative, i) = output ? jet.gradient[c][axis] : 0.0;
            send(3 * c + kResidual, i) = c < Pde::residuals ? r[c] : 0.0;
          }
        }
      }
  }

  std::vector<double> interior_terms(const nn::Vector& gradient) {
    const int n = interior_ws_.points;
    nets_.forward(interior_, interior_ws_);
    const double scale = config_.pde_weight / n;
    xpinn_residual_squares(pde_, interior_, interior_ws_.output(), interior_adjoint_,
                           residual_squares_, local_, n, streams_, scale);
    nets_.backward(interior_ws_, interior_adjoint_, gradient);
    std::vector<double> terms(local_);
    for (int l = 0; l < local_; ++l)
      terms[l] = scale * xpinn_range_sum(residual_squares_, l * n, (l + 1) * n);
    return terms;
  }

  /// Adds adjoint a of residual channel c at face point j of network l through the residual's
  /// sensitivities.
  void add_residual_adjoint(int l, long j, const pinn::JetSensitivity& dr, double a) {
    for (int k = 0; k < Pde::outputs; ++k) {
      face_adjoint_host_(face_row(l, 0, j), k) += a * dr.u[k];
      face_adjoint_host_(face_row(l, nn::laplacian_stream(Pde::inputs), j), k) +=
          a * dr.laplacian[k];
      for (int i = 0; i < Pde::inputs; ++i)
        face_adjoint_host_(face_row(l, nn::gradient_stream(i), j), k) += a * dr.gradient[k][i];
    }
  }

  void boundary_face(int l, int f, double* row) {
    const long nf = face_points_;
    const double scale = boundary_scale_[l];
    for (long i = 0; i < nf; ++i) {
      const long j = f * nf + i;
      const auto jet = face_jet(l, j);
      for (const auto& c : conditions_[f]) {
        const double d = c.derivative < 0 ? jet.u[c.output] - pde_.condition(c.output, jet.x)
                                          : jet.gradient[c.output][c.derivative];
        row[1] += scale * d * d;
        const int stream = c.derivative < 0 ? 0 : nn::gradient_stream(c.derivative);
        face_adjoint_host_(face_row(l, stream, j), c.output) += 2.0 * scale * d;
      }
    }
  }

  void interface_face(int l, int f, double* row) {
    const long nf = face_points_;
    const int axis = face_axis(f);
    const auto own = exchange_->send(l, f), other = exchange_->received(l, f);
    for (long i = 0; i < nf; ++i) {
      const long j = f * nf + i;
      const pinn::JetSensitivity* dr = face_sensitivity(l, j);
      for (int c = 0; c < kChannels; ++c) {
        double d_own[kInterfaceQuantities];
        condition_.evaluate(&own(3 * c, i), &other(3 * c, i), 1.0 / nf, row + 2, d_own);
        if (c < Pde::outputs) {
          face_adjoint_host_(face_row(l, 0, j), c) += d_own[kValue];
          face_adjoint_host_(face_row(l, nn::gradient_stream(axis), j), c) +=
              d_own[kNormalDerivative];
        }
        if (c < Pde::residuals) add_residual_adjoint(l, j, dr[c], d_own[kResidual]);
        for (int q = 0; q < kJumps; ++q) {
          const double jump = own(3 * c + q, i) - other(3 * c + q, i);
          row[kTerms + q] += jump * jump;
        }
        row[kTerms + kJumps] += 1;
      }
    }
  }

  void face_terms(std::vector<double>& rows) {
    Kokkos::deep_copy(face_adjoint_host_, 0.0);
    for (int l = 0; l < local_; ++l)
      for (int f = 0; f < 2 * dim_; ++f) {
        double* row = rows.data() + l * kColumns;
        if (interface_points_.count(l, f) == 0)
          boundary_face(l, f, row);
        else
          interface_face(l, f, row);
      }
    Kokkos::deep_copy(face_adjoint_, face_adjoint_host_);
  }

  /// The residuals' sensitivities at face point j of local network l, from the last packing.
  pinn::JetSensitivity* face_sensitivity(int l, long j) {
    return face_sensitivities_.data() + (l * face_count_ + j) * Pde::residuals;
  }

  Pde pde_;
  std::vector<pinn::JetSensitivity> face_sensitivities_;  // Pde::residuals per face point
};

/// XpinnLoss of the Poisson problem of the grid's dimension (1, 2 or 3), u given on the whole
/// boundary. Collective over grid.comm().
std::unique_ptr<XpinnLossBase> poisson_xpinn_loss(const SubdomainGrid& grid, nn::StackedMlp& nets,
                                                  const physics::PoissonProblem& problem,
                                                  const SubdomainPointConfig& points,
                                                  const InterfaceWeights& weights);

}  // namespace tessera::dd
