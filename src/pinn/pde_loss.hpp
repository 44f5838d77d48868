#pragma once
// The data-parallel PINN loss of any PDE in two inputs whose residual is a pointwise function of
// the network's jet (value, gradient and a Laplacian over the first laplacian_dims inputs):
//   L = w_r mean_interior r(jet)^2 + sum_c w_c mean_{points of c} (u - g)^2   [or (du/dx_d)^2],
// means over the global point sets, the conditions c (boundary, initial, ...) each a point set
// with its weight and g the PDE's condition(x, y), or a homogeneous Neumann condition. A PDE is
// then a few lines (pde_residuals.hpp) rather than a loss class: its residual and the residual's
// partial derivatives with respect to the jet's streams, which seed the network's reverse pass.
// Like PoissonLoss, each rank holds a share of the points and the terms and the flat gradient are
// summed over ranks.
#include <mpi.h>

#include <string>
#include <vector>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "nn/mlp.hpp"
#include "pinn/loss.hpp"
#include "pinn/misfit.hpp"

namespace tessera::pinn {

/// The network's jet at one point (x[0], x[1]): u, its gradient, and its Laplacian over the first
/// laplacian_dims inputs.
struct PointJet {
  double x[2] = {0, 0};
  double u = 0;
  double gradient[2] = {0, 0};
  double laplacian = 0;
};

/// The partial derivatives of a residual with respect to the jet's streams.
struct JetSensitivity {
  double u = 0;
  double gradient[2] = {0, 0};
  double laplacian = 0;
};

// What PdeLoss<Pde> asks of a Pde (see pde_residuals.hpp):
//   static constexpr int laplacian_dims;   // inputs the Laplacian stream sums over, 0: all
//   KOKKOS_FUNCTION double residual(const PointJet&, JetSensitivity& dr) const;
//   KOKKOS_FUNCTION double condition(double x, double y) const;  // u at every condition point

/// One soft constraint on a point set (this rank's share, 2 x n): u = condition(x, y), or
/// du/dx_d = 0 when derivative = d >= 0.
struct ConditionPoints {
  std::string name;
  nn::Matrix points;
  double weight = 1.0;
  int derivative = -1;
};

template <class Pde>
class PdeLoss : public Loss {
public:
  /// Collective over comm (counts the global points).
  PdeLoss(MPI_Comm comm, nn::Mlp& net, const Pde& pde, const nn::Matrix& interior,
          double residual_weight, const std::vector<ConditionPoints>& conditions)
      : comm_(comm), net_(net), pde_(pde), interior_(interior), conditions_(conditions) {
    TESSERA_CHECK(net.shape().inputs == 2 && net.shape().outputs == 1,
                  "PdeLoss: the network must map two inputs to u");
    const size_t terms = 1 + conditions.size();
    weights_.push_back(residual_weight);
    global_.push_back(static_cast<long>(interior.extent(1)));
    for (const auto& c : conditions) {
      weights_.push_back(c.weight);
      global_.push_back(static_cast<long>(c.points.extent(1)));
    }
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, global_.data(), static_cast<int>(terms), MPI_LONG,
                                   MPI_SUM, comm));
    for (long count : global_) TESSERA_CHECK(count > 0, "PdeLoss: a point set is empty");
    const int n = static_cast<int>(interior.extent(1));
    net.prepare(interior_ws_, nn::JetOrder::Laplacian, n, Pde::laplacian_dims);
    interior_adjoint_ = nn::Matrix("tessera::pinn::pde_interior_adjoint",
                                   nn::stream_count(nn::JetOrder::Laplacian, 2) * n, 1);
    condition_ws_.resize(conditions.size());
    for (size_t c = 0; c < conditions.size(); ++c) {
      const int m = static_cast<int>(conditions[c].points.extent(1));
      const auto order =
          conditions[c].derivative < 0 ? nn::JetOrder::Value : nn::JetOrder::Gradient;
      TESSERA_CHECK(conditions[c].derivative < 2, "PdeLoss: a derivative along input 0 or 1");
      net.prepare(condition_ws_[c], order, m);
      condition_adjoint_.push_back(
          nn::Matrix("tessera::pinn::pde_condition_adjoint", nn::stream_count(order, 2) * m, 1));
    }
    terms_.assign(terms, 0.0);
  }

  PdeLoss(const PdeLoss&) = delete;  // the workspaces belong to this object
  PdeLoss& operator=(const PdeLoss&) = delete;

  /// Collective over comm. Evaluates at x (copied into the network's parameters).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    if (x.data() != net_.parameters().data()) Kokkos::deep_copy(net_.parameters(), x);
    Kokkos::deep_copy(gradient, 0.0);
    const auto pde = pde_;
    terms_[0] = residual_term(gradient);
    for (size_t c = 0; c < conditions_.size(); ++c) {
      const double scale = weights_[c + 1] / global_[c + 1];
      terms_[c + 1] =
          conditions_[c].derivative >= 0
              ? derivative_misfit(c, scale, gradient)
              : squared_misfit(
                    net_, conditions_[c].points, condition_ws_[c], condition_adjoint_[c], scale,
                    KOKKOS_LAMBDA(double a, double b) { return pde.condition(a, b); }, gradient);
    }
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
  /// This rank's weighted sum of squared residuals; adds its parameter gradient. Not collective.
  double residual_term(const nn::Vector& gradient) {
    const int n = interior_ws_.points;
    if (n == 0) return 0.0;
    net_.forward(interior_, interior_ws_);
    const auto u = interior_ws_.output();
    const auto adjoint = interior_adjoint_;
    const auto x = interior_;
    const auto pde = pde_;
    const int gx = nn::gradient_stream(0) * n, gy = nn::gradient_stream(1) * n,
              lap = nn::laplacian_stream(2) * n;
    const double scale = weights_[0] / global_[0];
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::pinn::pde_residual", Kokkos::RangePolicy<>(0, n),
        KOKKOS_LAMBDA(const int p, double& acc) {
          PointJet jet;
          jet.x[0] = x(0, p);
          jet.x[1] = x(1, p);
          jet.u = u(p, 0);
          jet.gradient[0] = u(gx + p, 0);
          jet.gradient[1] = u(gy + p, 0);
          jet.laplacian = u(lap + p, 0);
          JetSensitivity dr;
          const double r = pde.residual(jet, dr);
          acc += r * r;
          const double a = 2.0 * scale * r;  // d(scale r^2)/dr
          adjoint(p, 0) = a * dr.u;
          adjoint(gx + p, 0) = a * dr.gradient[0];
          adjoint(gy + p, 0) = a * dr.gradient[1];
          adjoint(lap + p, 0) = a * dr.laplacian;
        },
        sum);
    net_.backward(interior_ws_, interior_adjoint_, gradient);
    return scale * sum;
  }

  /// scale * sum_p (du/dx_d)^2 over condition c's points on this rank; adds its gradient. Not
  /// collective.
  double derivative_misfit(size_t c, double scale, const nn::Vector& gradient) {
    auto& ws = condition_ws_[c];
    const int m = ws.points;
    if (m == 0) return 0.0;
    net_.forward(conditions_[c].points, ws);
    const auto u = ws.output();
    const auto adjoint = condition_adjoint_[c];
    const int row = nn::gradient_stream(conditions_[c].derivative) * m;
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::pinn::pde_derivative_misfit", Kokkos::RangePolicy<>(0, m),
        KOKKOS_LAMBDA(const int p, double& acc) {
          const double d = u(row + p, 0);
          acc += d * d;
          adjoint(row + p, 0) = 2.0 * scale * d;
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
