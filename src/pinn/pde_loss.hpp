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
// pass. Each rank holds a share of the points and the terms and the flat gradient are summed over
// ranks.
//
// Causal training (pinn/causal.hpp) of a time-dependent PDE, time its last input: with an epsilon
// > 0 the residual term becomes w_r (1/S) sum_i c_i L_i over S equal time slabs of the interior's
// global time range, L_i the slab's mean of sum_j r_j^2 and c_i = exp(-epsilon sum_{k<i} L_k),
// constants in the gradient. The slab losses are sums over ranks, so the weights are the same on
// every rank count. The interior points are kept sorted by slab, which makes each slab's sum one
// reduction over a contiguous range.
//
// Interior points go through forward, residual and backward in batches of batch_points that reuse
// one workspace per batch size: on a CPU a batch's activations stay in cache between the passes
// (PointSetConfig). Causal training evaluates the interior as one batch: every slab's loss, and so
// every point's weight, needs the whole forward pass before the first backward one.
// The interior set can grow by residual-based refinement (ResidualSampled, resampling.hpp).
#include <mpi.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "nn/mlp.hpp"
#include "pinn/causal.hpp"
#include "pinn/loss.hpp"
#include "pinn/pde_loss_kernels.hpp"
#include "pinn/resampling.hpp"

namespace tessera::pinn {

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
class PdeLoss : public Loss, public ResidualSampled {
  static_assert(Pde::inputs >= 1 && Pde::inputs <= kMaxJetInputs, "PdeLoss: 1 to 4 inputs");
  static_assert(Pde::outputs >= 1 && Pde::outputs <= kMaxJetOutputs, "PdeLoss: 1 to 3 outputs");
  static_assert(Pde::residuals >= 1 && Pde::residuals <= kMaxResiduals,
                "PdeLoss: 1 to 3 residuals");

public:
  /// Collective over comm (counts the global points). causal.epsilon > 0: causal weights over
  /// the last input, time. batch_points: interior points per batch, 0 for all at once (so with
  /// causal weights).
  PdeLoss(MPI_Comm comm, nn::Mlp& net, const Pde& pde, const nn::Matrix& interior,
          double residual_weight, const std::vector<ConditionPoints>& conditions,
          const CausalConfig& causal = {}, long batch_points = 0)
      : comm_(comm),
        net_(net),
        staging_(Kokkos::create_mirror_view(net.parameters())),
        pde_(pde),
        interior_(interior),
        conditions_(conditions),
        causal_epsilon_(causal.epsilon),
        batch_points_(causal.epsilon > 0 ? 0 : batch_points) {
    TESSERA_CHECK(causal.time_slabs >= 1 && causal.epsilon >= 0 && batch_points >= 0,
                  "PdeLoss: causal training needs at least one time slab and an epsilon >= 0; "
                  "batches at least 0 points");
    if (causal.epsilon > 0) sort_into_slabs(causal.time_slabs);
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
    build_batches();
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
    if (slab_points_.empty()) slab_points_ = {global_[0]};
    slab_losses_.assign(slab_points_.size(), 0.0);
    causal_weights_.assign(slab_points_.size(), 1.0);
    slab_scale_ = Kokkos::View<double*>("tessera::pinn::pde_slab_scale", slab_points_.size());
    slab_scale_host_ = Kokkos::create_mirror_view(slab_scale_);
    if (slab_of_.extent(0) != interior_.extent(1))  // one slab: every point's index is 0
      slab_of_ = Kokkos::View<int*>("tessera::pinn::pde_slab_of", interior_.extent(1));
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
    allreduce_sum(comm_, gradient, staging_);
    double value = 0;
    for (double t : terms_) value += t;
    return value;
  }

  /// Of the last evaluation: each time slab's mean squared residual and its causal weight
  /// (non-increasing; one slab of weight 1 without causal training).
  const std::vector<double>& slab_losses() const { return slab_losses_; }
  const std::vector<double>& causal_weights() const { return causal_weights_; }

  /// Frozen: later evaluations keep the causal weights of the last one (a gradient check of the
  /// loss the optimizer sees, whose weights are constants). Not collective.
  void freeze_causal_weights(bool frozen) { frozen_ = frozen; }
  /// Frozen at the given weights, one per time slab: those of an evaluation before a restart (a
  /// checkpoint's). Not collective.
  void freeze_causal_weights(const std::vector<double>& weights) {
    TESSERA_CHECK(
        weights.size() == causal_weights_.size(),
        "PdeLoss: " << causal_weights_.size() << " causal time slabs, not " << weights.size());
    causal_weights_ = weights;
    frozen_ = true;
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

  MPI_Comm communicator() const override { return comm_; }
  int inputs() const override { return Pde::inputs; }
  /// sqrt(sum_j r_j^2) of the network at each of this rank's points (inputs x n). Not collective.
  std::vector<double> residual_magnitudes(const nn::Matrix& points) override {
    TESSERA_CHECK(static_cast<int>(points.extent(0)) == Pde::inputs,
                  "PdeLoss: points of " << Pde::inputs << " coordinates");
    const int n = static_cast<int>(points.extent(1));
    if (n == 0) return {};
    nn::MlpWorkspace ws;
    net_.prepare(ws, nn::JetOrder::Laplacian, n, Pde::laplacian_dims);
    net_.forward(points, ws);
    Kokkos::View<double*> magnitude("tessera::pinn::pde_residual_magnitude", n);
    residual_magnitude(pde_, points, ws.output(), magnitude, n);
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), magnitude);
    return std::vector<double>(host.data(), host.data() + n);
  }
  /// Collective over comm: appends this rank's points (inputs x n) to the interior set and
  /// recounts the global set. Not with causal weights (the points are sorted by time slab).
  void add_interior_points(const nn::Matrix& points) override {
    TESSERA_CHECK(slab_points_.size() == 1,
                  "PdeLoss: refinement of the interior set with causal weights is not implemented");
    const long old = static_cast<long>(interior_.extent(1));
    long added = static_cast<long>(points.extent(1));
    nn::Matrix grown("tessera::pinn::pde_interior", Pde::inputs, old + added);
    Kokkos::deep_copy(Kokkos::subview(grown, Kokkos::ALL(), std::make_pair(0L, old)), interior_);
    Kokkos::deep_copy(Kokkos::subview(grown, Kokkos::ALL(), std::make_pair(old, old + added)),
                      points);
    interior_ = grown;
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &added, 1, MPI_LONG, MPI_SUM, comm_));
    global_[0] += added;
    slab_points_[0] = global_[0];
    slab_of_ = Kokkos::View<int*>("tessera::pinn::pde_slab_of", interior_.extent(1));
    build_batches();
  }
  /// This rank's interior points (inputs x n), refined ones included, and the global count.
  const nn::Matrix& interior() const { return interior_; }
  long global_interior_points() const { return global_[0]; }

private:
  struct Batch {
    nn::Matrix points;  // inputs x n, a range of interior_
    nn::MlpWorkspace* workspace;
    nn::Matrix* adjoint;
  };

  /// Splits this rank's interior into batches of batch_points_ (the last one the remainder).
  /// Not collective.
  void build_batches() {
    const long n = static_cast<long>(interior_.extent(1));
    const long full = (batch_points_ <= 0 || batch_points_ > n) ? n : batch_points_;
    const int streams = nn::stream_count(nn::JetOrder::Laplacian, Pde::inputs);
    batches_.clear();
    for (long begin = 0; begin < n; begin += full) {
      const long end = std::min(n, begin + full);
      const bool tail = end - begin != full;
      auto& ws = tail ? tail_ws_ : interior_ws_;
      auto& adjoint = tail ? tail_adjoint_ : interior_adjoint_;
      if (ws.points != end - begin || adjoint.extent(0) == 0) {  // a new batch size
        net_.prepare(ws, nn::JetOrder::Laplacian, static_cast<int>(end - begin),
                     Pde::laplacian_dims);
        adjoint = nn::Matrix("tessera::pinn::pde_interior_adjoint", streams * (end - begin),
                             Pde::outputs);
      }
      batches_.push_back(
          {Kokkos::subview(interior_, Kokkos::ALL(), std::make_pair(begin, end)), &ws, &adjoint});
    }
  }

  /// Sorts the interior points by time slab (of the global time range) and counts each slab's
  /// global points. Collective over comm.
  void sort_into_slabs(int slabs) {
    constexpr int time = Pde::inputs - 1;
    const int n = static_cast<int>(interior_.extent(1));
    auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), interior_);
    const double lowest = std::numeric_limits<double>::lowest();
    double range[2] = {lowest, lowest};  // -min t, max t
    for (int p = 0; p < n; ++p) {
      range[0] = std::max(range[0], -x(time, p));
      range[1] = std::max(range[1], x(time, p));
    }
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_DOUBLE, MPI_MAX, comm_));
    const double t0 = -range[0], span = std::max(range[1] - t0, 1e-300);
    std::vector<int> slab(n);
    slab_begin_.assign(slabs + 1, 0);
    for (int p = 0; p < n; ++p) {
      slab[p] = time_slab((x(time, p) - t0) / span, slabs);
      ++slab_begin_[slab[p] + 1];
    }
    for (int i = 0; i < slabs; ++i) slab_begin_[i + 1] += slab_begin_[i];
    slab_points_.assign(slab_begin_.begin() + 1, slab_begin_.end());
    for (int i = slabs - 1; i > 0; --i) slab_points_[i] -= slab_points_[i - 1];
    TESSERA_MPI_CALL(
        MPI_Allreduce(MPI_IN_PLACE, slab_points_.data(), slabs, MPI_LONG, MPI_SUM, comm_));
    for (long count : slab_points_)
      TESSERA_CHECK(count > 0,
                    "PdeLoss: a causal time slab has no interior points; use fewer of "
                    "the "
                        << slabs << " slabs or more points");
    // A counting sort: stable, so the order within a slab is the caller's.
    interior_ = nn::Matrix("tessera::pinn::pde_interior_by_slab", Pde::inputs, n);
    auto sorted = Kokkos::create_mirror_view(Kokkos::HostSpace(), interior_);
    slab_of_ = Kokkos::View<int*>("tessera::pinn::pde_slab_of", n);
    auto slab_of = Kokkos::create_mirror_view(Kokkos::HostSpace(), slab_of_);
    std::vector<int> next(slab_begin_.begin(), slab_begin_.end() - 1);
    for (int p = 0; p < n; ++p) {
      const int q = next[slab[p]]++;
      for (int i = 0; i < Pde::inputs; ++i) sorted(i, q) = x(i, p);
      slab_of(q) = slab[p];
    }
    Kokkos::deep_copy(interior_, sorted);
    Kokkos::deep_copy(slab_of_, slab_of);
  }

  /// Each slab's mean of sum_j r_j^2 over the global points, and their causal weights, from the
  /// last forward pass. Collective over comm.
  void update_causal_weights() {
    const int n = interior_ws_.points, slabs = static_cast<int>(slab_points_.size());
    const auto u = interior_ws_.output();
    for (int i = 0; i < slabs; ++i)
      slab_losses_[i] =
          slab_residual_sum(pde_, interior_, u, n, slab_begin_[i], slab_begin_[i + 1]);
    TESSERA_MPI_CALL(
        MPI_Allreduce(MPI_IN_PLACE, slab_losses_.data(), slabs, MPI_DOUBLE, MPI_SUM, comm_));
    for (int i = 0; i < slabs; ++i) slab_losses_[i] /= slab_points_[i];
    causal_weights_ = pinn::causal_weights(slab_losses_, causal_epsilon_);
  }

  /// This rank's weighted sum over points of sum_j r_j^2; adds its parameter gradient. Collective
  /// over comm with causal training (the slab losses), else not.
  double residual_term(const nn::Vector& gradient) {
    const int slabs = static_cast<int>(slab_points_.size());
    // Causal training: one batch (the constructor's), its forward pass before the weights.
    const bool has_points = !batches_.empty();
    if (causal_epsilon_ > 0 && has_points) net_.forward(batches_[0].points, interior_ws_);
    if (causal_epsilon_ > 0 && !frozen_) update_causal_weights();
    // Point p's term is scale(slab) sum_j r_j^2: w_r / N without causal training.
    for (int i = 0; i < slabs; ++i)
      slab_scale_host_(i) = weights_[0] * causal_weights_[i] / (double(slabs) * slab_points_[i]);
    Kokkos::deep_copy(slab_scale_, slab_scale_host_);
    if (!has_points) return 0.0;
    // One slab: the scale multiplies the sum, as it always did, so plain runs keep their rounding
    // (every point's slab index is then 0, so each batch reads slab_of_ from its start).
    const bool one_slab = slabs == 1;
    double total = 0;
    for (const auto& batch : batches_) {
      const int n = batch.workspace->points;
      if (causal_epsilon_ == 0) net_.forward(batch.points, *batch.workspace);
      const double sum = weighted_residual_sum(pde_, batch.points, batch.workspace->output(),
                                               *batch.adjoint, slab_of_, slab_scale_, n, one_slab);
      net_.backward(*batch.workspace, *batch.adjoint, gradient);
      total += one_slab ? slab_scale_host_(0) * sum : sum;
    }
    return total;
  }

  /// scale * sum_p d_p^2 over condition c's points on this rank, d = u_k - condition(k, x) or
  /// du_k/dx_d; adds its gradient. Not collective.
  double condition_term(size_t c, double scale, const nn::Vector& gradient) {
    auto& ws = condition_ws_[c];
    const int m = ws.points;
    if (m == 0) return 0.0;
    const auto& points = conditions_[c].points;
    net_.forward(points, ws);
    const int k = conditions_[c].output, derivative = conditions_[c].derivative;
    const int row = derivative < 0 ? 0 : nn::gradient_stream(derivative) * m;
    const auto& adjoint = condition_adjoint_[c];
    const double sum =
        condition_misfit_sum(pde_, points, ws.output(), adjoint, m, row, k, derivative, scale);
    net_.backward(ws, adjoint, gradient);
    return scale * sum;
  }

  MPI_Comm comm_;
  nn::Mlp& net_;
  nn::Vector::HostMirror staging_;  // the gradient allreduce's host copy, made once
  Pde pde_;
  nn::Matrix interior_;
  std::vector<ConditionPoints> conditions_;
  std::vector<double> weights_;  // residual, then the conditions'
  std::vector<long> global_;     // global points of each term's set
  std::vector<Batch> batches_;
  // Batches have at most two sizes (full and the remainder), each with its own workspace.
  nn::MlpWorkspace interior_ws_, tail_ws_;
  nn::Matrix interior_adjoint_, tail_adjoint_;
  std::vector<nn::MlpWorkspace> condition_ws_;
  std::vector<nn::Matrix> condition_adjoint_;
  std::vector<double> terms_;  // weighted terms of the last evaluation
  // Time slabs: one (every point, weight 1) without causal training.
  double causal_epsilon_ = 0;
  long batch_points_ = 0;  // 0: one batch
  bool frozen_ = false;
  std::vector<int> slab_begin_;    // this rank's sorted interior points: slab i is [b_i, b_{i+1})
  std::vector<long> slab_points_;  // global points per slab
  Kokkos::View<int*> slab_of_;     // each interior point's slab
  Kokkos::View<double*> slab_scale_;
  Kokkos::View<double*>::HostMirror slab_scale_host_;
  std::vector<double> slab_losses_, causal_weights_;
};

}  // namespace tessera::pinn
