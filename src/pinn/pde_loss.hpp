#pragma once
// The data-parallel PINN loss of any PDE system whose residuals are pointwise functions of the
// network's jet (per output: value, gradient and a Laplacian over the first laplacian_dims
// inputs), for networks of 1 to 4 inputs (space, or space-time) and 1 to 3 outputs (u, or u, v, p):
//   L = w_r mean_interior sum_j r_j(jet)^2 + sum_c w_c mean_{points of c} (u_k - g_k)^2
//                                                                 [or (du_k/dx_d)^2],
// means over the global point sets, the conditions c (boundary, initial, ...) each a point set
// with its weight, output k and target g_k = the PDE's condition(k, x), or a homogeneous Neumann
// condition. A PDE is then a few lines (pde_residuals.hpp) rather than a loss class: its residuals
// and their partial derivatives with respect to the jet's streams, which seed the network's reverse
// pass. Like PoissonLoss, each rank holds a share of the points and the terms and the flat gradient
// are summed over ranks.
#include <mpi.h>

#include <string>
#include <vector>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "nn/mlp.hpp"
#include "pinn/loss.hpp"

namespace tessera::pinn {

/// Largest jet a PdeLoss handles: (x, y, z, t) inputs and (u, v, p) outputs, three residuals
/// (two momentum equations and continuity).
constexpr int kMaxJetInputs = 4, kMaxJetOutputs = 3, kMaxResiduals = 3;

/// The network's jet at one point x: per output k, u[k], its gradient, and its Laplacian over the
/// first laplacian_dims inputs. Entries beyond the Pde's inputs and outputs are 0.
struct PointJet {
  double x[kMaxJetInputs] = {};
  double u[kMaxJetOutputs] = {};
  double gradient[kMaxJetOutputs][kMaxJetInputs] = {};
  double laplacian[kMaxJetOutputs] = {};
};

/// The partial derivatives of one residual with respect to the jet's streams.
struct JetSensitivity {
  double u[kMaxJetOutputs] = {};
  double gradient[kMaxJetOutputs][kMaxJetInputs] = {};
  double laplacian[kMaxJetOutputs] = {};
};

// What PdeLoss<Pde> asks of a Pde (see pde_residuals.hpp):
//   static constexpr int inputs, outputs, residuals;  // at most the kMax* above
//   static constexpr int laplacian_dims;              // inputs the Laplacian sums over, 0: all
//   KOKKOS_FUNCTION void residual(const PointJet&, double* r, JetSensitivity* dr) const;
//                                                     // r[j] and dr[j] for j < residuals
//   KOKKOS_FUNCTION double condition(int output, const double* x) const;  // at condition points

/// One soft constraint on a point set (this rank's share, inputs x n) and one output k:
/// u_k = condition(k, x), or du_k/dx_d = 0 when derivative = d >= 0.
struct ConditionPoints {
  std::string name;
  nn::Matrix points;
  double weight = 1.0;
  int derivative = -1;
  int output = 0;
};

template <class Pde>
class PdeLoss : public Loss {
  static_assert(Pde::inputs >= 1 && Pde::inputs <= kMaxJetInputs, "PdeLoss: 1 to 4 inputs");
  static_assert(Pde::outputs >= 1 && Pde::outputs <= kMaxJetOutputs, "PdeLoss: 1 to 3 outputs");
  static_assert(Pde::residuals >= 1 && Pde::residuals <= kMaxResiduals,
                "PdeLoss: 1 to 3 residuals");

public:
  /// Collective over comm (counts the global points).
  PdeLoss(MPI_Comm comm, nn::Mlp& net, const Pde& pde, const nn::Matrix& interior,
          double residual_weight, const std::vector<ConditionPoints>& conditions)
      : comm_(comm), net_(net), pde_(pde), interior_(interior), conditions_(conditions) {
    TESSERA_CHECK(net.shape().inputs == Pde::inputs && net.shape().outputs == Pde::outputs,
                  "PdeLoss: the network must map " << Pde::inputs << " inputs to " << Pde::outputs
                                                   << " outputs");
    const size_t terms = 1 + conditions.size();
    weights_.push_back(residual_weight);
    global_.push_back(static_cast<long>(interior.extent(1)));
    for (const auto& c : conditions) {
      TESSERA_CHECK(c.derivative < Pde::inputs && c.output >= 0 && c.output < Pde::outputs,
                    "PdeLoss: condition '" << c.name << "' names input " << c.derivative
                                           << " or output " << c.output << " the PDE lacks");
      weights_.push_back(c.weight);
      global_.push_back(static_cast<long>(c.points.extent(1)));
    }
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, global_.data(), static_cast<int>(terms), MPI_LONG,
                                   MPI_SUM, comm));
    for (long count : global_) TESSERA_CHECK(count > 0, "PdeLoss: a point set is empty");
    const int n = static_cast<int>(interior.extent(1));
    net.prepare(interior_ws_, nn::JetOrder::Laplacian, n, Pde::laplacian_dims);
    interior_adjoint_ =
        nn::Matrix("tessera::pinn::pde_interior_adjoint",
                   nn::stream_count(nn::JetOrder::Laplacian, Pde::inputs) * n, Pde::outputs);
    condition_ws_.resize(conditions.size());
    for (size_t c = 0; c < conditions.size(); ++c) {
      const int m = static_cast<int>(conditions[c].points.extent(1));
      const auto order =
          conditions[c].derivative < 0 ? nn::JetOrder::Value : nn::JetOrder::Gradient;
      net.prepare(condition_ws_[c], order, m);
      condition_adjoint_.push_back(nn::Matrix("tessera::pinn::pde_condition_adjoint",
                                              nn::stream_count(order, Pde::inputs) * m,
                                              Pde::outputs));
    }
    terms_.assign(terms, 0.0);
  }

  PdeLoss(const PdeLoss&) = delete;  // the workspaces belong to this object
  PdeLoss& operator=(const PdeLoss&) = delete;

  /// Collective over comm. Evaluates at x (copied into the network's parameters).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    if (x.data() != net_.parameters().data()) Kokkos::deep_copy(net_.parameters(), x);
    Kokkos::deep_copy(gradient, 0.0);
    terms_[0] = residual_term(gradient);
    for (size_t c = 0; c < conditions_.size(); ++c)
      terms_[c + 1] = condition_term(c, weights_[c + 1] / global_[c + 1], gradient);
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, terms_.data(), static_cast<int>(terms_.size()),
                                   MPI_DOUBLE, MPI_SUM, comm_));
    allreduce_sum(comm_, gradient);
    double value = 0;
    for (double t : terms_) value += t;
    return value;
  }

  std::vector<std::string> term_names() const override {
    std::vector<std::string> names{"residual"};
    for (const auto& c : conditions_) names.push_back(c.name);
    return names;
  }
  std::vector<double> term_values() const override { return terms_; }
  std::vector<double> term_weights() const override { return weights_; }
  void set_term_weights(const std::vector<double>& weights) override {
    TESSERA_CHECK(weights.size() == weights_.size(),
                  "PdeLoss: " << weights_.size() << " term weights, not " << weights.size());
    weights_ = weights;
  }

private:
  /// This rank's weighted sum over points of sum_j r_j^2; adds its parameter gradient. Not
  /// collective.
  double residual_term(const nn::Vector& gradient) {
    constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
    const int n = interior_ws_.points;
    if (n == 0) return 0.0;
    net_.forward(interior_, interior_ws_);
    const auto u = interior_ws_.output();
    const auto adjoint = interior_adjoint_;
    const auto x = interior_;
    const auto pde = pde_;
    const int lap = nn::laplacian_stream(inputs) * n;
    const double scale = weights_[0] / global_[0];
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::pinn::pde_residual", Kokkos::RangePolicy<>(0, n),
        KOKKOS_LAMBDA(const int p, double& acc) {
          PointJet jet;
          for (int i = 0; i < inputs; ++i) jet.x[i] = x(i, p);
          for (int k = 0; k < outputs; ++k) {
            jet.u[k] = u(p, k);
            for (int i = 0; i < inputs; ++i)
              jet.gradient[k][i] = u(nn::gradient_stream(i) * n + p, k);
            jet.laplacian[k] = u(lap + p, k);
          }
          double r[kMaxResiduals];
          JetSensitivity dr[kMaxResiduals];
          pde.residual(jet, r, dr);
          double a[kMaxResiduals];  // d(scale r_j^2)/dr_j
          for (int j = 0; j < residuals; ++j) {
            acc += r[j] * r[j];
            a[j] = 2.0 * scale * r[j];
          }
          for (int k = 0; k < outputs; ++k) {
            double du = 0, dlap = 0;
            for (int j = 0; j < residuals; ++j) {
              du += a[j] * dr[j].u[k];
              dlap += a[j] * dr[j].laplacian[k];
            }
            adjoint(p, k) = du;
            adjoint(lap + p, k) = dlap;
            for (int i = 0; i < inputs; ++i) {
              double dg = 0;
              for (int j = 0; j < residuals; ++j) dg += a[j] * dr[j].gradient[k][i];
              adjoint(nn::gradient_stream(i) * n + p, k) = dg;
            }
          }
        },
        sum);
    net_.backward(interior_ws_, interior_adjoint_, gradient);
    return scale * sum;
  }

  /// scale * sum_p d_p^2 over condition c's points on this rank, d = u_k - condition(k, x) or
  /// du_k/dx_d; adds its gradient. Not collective.
  double condition_term(size_t c, double scale, const nn::Vector& gradient) {
    constexpr int inputs = Pde::inputs;
    auto& ws = condition_ws_[c];
    const int m = ws.points;
    if (m == 0) return 0.0;
    const auto& points = conditions_[c].points;
    net_.forward(points, ws);
    const auto u = ws.output();
    const auto adjoint = condition_adjoint_[c];
    const auto x = points;
    const auto pde = pde_;
    const int k = conditions_[c].output, derivative = conditions_[c].derivative;
    const int row = derivative < 0 ? 0 : nn::gradient_stream(derivative) * m;
    // Only (row + p, k) is ever written: the other outputs' and streams' entries keep the zeros
    // the adjoint was created with.
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::pinn::pde_condition_misfit", Kokkos::RangePolicy<>(0, m),
        KOKKOS_LAMBDA(const int p, double& acc) {
          double d = u(row + p, k);
          if (derivative < 0) {
            double point[kMaxJetInputs] = {};
            for (int i = 0; i < inputs; ++i) point[i] = x(i, p);
            d -= pde.condition(k, point);
          }
          acc += d * d;
          adjoint(row + p, k) = 2.0 * scale * d;
        },
        sum);
    net_.backward(ws, adjoint, gradient);
    return scale * sum;
  }

  MPI_Comm comm_;
  nn::Mlp& net_;
  Pde pde_;
  nn::Matrix interior_;
  std::vector<ConditionPoints> conditions_;
  std::vector<double> weights_;  // residual, then the conditions'
  std::vector<long> global_;     // global points of each term's set
  nn::MlpWorkspace interior_ws_;
  nn::Matrix interior_adjoint_;
  std::vector<nn::MlpWorkspace> condition_ws_;
  std::vector<nn::Matrix> condition_adjoint_;
  std::vector<double> terms_;  // weighted terms of the last evaluation
};

}  // namespace tessera::pinn
