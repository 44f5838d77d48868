#pragma once
// The FBPINN loss of any PDE system of pinn/pde_loss.hpp's Pde interface (Poisson in 1, 2 or 3
// dimensions, Burgers, Helmholtz, Allen–Cahn, steady Navier–Stokes, ...) over a subdomain grid of
// the Pde's input dimension: overlapping subdomains with a partition of unity
// (dd/partition_of_unity.hpp), u = Σ_j w_j N_j assembled across ranks (dd/windowed_sum.hpp), every
// output alike, and per subdomain i, on the points of its own (non-overlapping) box,
//   pde       N points uniform in the box:            w_pde mean sum_j r_j(u)^2
//   boundary  n points per constrained face on the domain edge (DomainConditions): w_b mean over
//             those points of the sum of their face's conditions' squared misfits
// with no interface term: the windowed sum is smooth across the subdomain boundaries by
// construction. A domain face without conditions (the final time of a space-time box) gets no
// points. The value is F = Σ_i (pde_i + boundary_i), the same function XpinnLoss sums its
// subdomains' own terms into; its gradient with respect to network j collects every point j's
// window touches, on whichever rank owns it (adjoints travel back), so the gradients are exact
// and local. The only collective is the allreduce of the per-subdomain terms.
#include <memory>
#include <string>
#include <vector>

#include "dd/domain_conditions.hpp"
#include "dd/partition_of_unity.hpp"
#include "dd/windowed_sum.hpp"
#include "dd/xpinn_loss.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/loss.hpp"
#include "pinn/pde_loss.hpp"

namespace tessera {
class Options;
}

namespace tessera::dd {

struct FbpinnConfig {
  double overlap = 0.25;  // δ as a fraction of the subdomain width

  /// Reads -fbpinn_overlap.
  static FbpinnConfig from_options(Options& options);
};

/// The part of the FBPINN loss that does not depend on the PDE: the subdomains' points, the
/// windowed sum, and the gathering of the per-subdomain terms.
class FbpinnLossBase : public pinn::Loss {
public:
  static constexpr int kTerms = 2;  // pde, boundary

  std::vector<std::string> term_names() const override { return {"pde", "boundary"}; }
  std::vector<double> term_values() const override { return global_terms_; }

  /// Every subdomain's terms at the last evaluation (kTerms per subdomain, by id), on every rank.
  const std::vector<double>& subdomain_terms() const { return subdomain_terms_; }
  const WindowedSum& sum() const { return *sum_; }

  /// The training points of subdomain id, dim coordinates each: interior_points interior ones,
  /// then face_points per domain-boundary face with conditions (1 in 1D, where a face is a
  /// point), faces in order. Local.
  static std::vector<double> training_points(const SubdomainGrid& grid, int id,
                                             const SubdomainPointConfig& points,
                                             const DomainConditions& conditions);

protected:
  /// Collective over grid.comm() (builds the windowed sum). nets holds one network of the grid's
  /// dimension of inputs and `outputs` outputs per owned subdomain; the Laplacian sums over the
  /// first laplacian_dims inputs (0: all). Points are drawn from (seed, subdomain id), independent
  /// of the rank count.
  FbpinnLossBase(const SubdomainGrid& grid, const PartitionOfUnity& windows, nn::StackedMlp& nets,
                 int outputs, int laplacian_dims, const SubdomainPointConfig& points,
                 const DomainConditions& conditions);

  /// x into the networks, the gradient zeroed, the windowed sum's forward pass; the adjoints
  /// zeroed.
  void begin_evaluation(const nn::Vector& x, const nn::Vector& gradient);
  /// The windowed sum's reverse pass of the adjoints, then gathers rows (kTerms per owned
  /// subdomain) into the per-subdomain and global terms; returns F. Collective.
  double end_evaluation(const std::vector<double>& rows, const nn::Vector& gradient);

  /// The windowed sum's jet at point p of owned subdomain l, from the last forward pass.
  pinn::PointJet point_jet(int l, long p) const;
  /// Adds a to the adjoint of jet stream `stream` of output k at point p of owned subdomain l.
  void add_adjoint(int l, long p, int k, int stream, double a) {
    adjoint_[l][width_ * p + streams_ * k + stream] += a;
  }

  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  SubdomainPointConfig config_;
  DomainConditions conditions_;
  int dim_ = 2, outputs_ = 1;
  int streams_ = 4, width_ = 4;  // jets per output, per point (WindowedSum's layout)
  long face_points_ = 0;         // per constrained face: -dd_face_points, or 1 in 1D
  std::vector<std::vector<double>> points_;
  std::vector<std::vector<int>> boundary_faces_;  // per owned subdomain: its constrained faces
  std::unique_ptr<WindowedSum> sum_;
  std::vector<std::vector<double>> adjoint_;

private:
  std::vector<double> subdomain_terms_, global_terms_;
};

template <class Pde>
class FbpinnLoss : public FbpinnLossBase {
public:
  /// Collective over grid.comm(). grid has Pde::inputs dimensions; nets holds one network of
  /// Pde::inputs inputs and Pde::outputs outputs per owned subdomain, in grid.owned() order.
  FbpinnLoss(const SubdomainGrid& grid, const PartitionOfUnity& windows, nn::StackedMlp& nets,
             const Pde& pde, const SubdomainPointConfig& points,
             const DomainConditions& conditions = dirichlet_everywhere())
      : FbpinnLossBase(grid, windows, nets, Pde::outputs, Pde::laplacian_dims, points, conditions),
        pde_(pde) {}

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    begin_evaluation(x, gradient);
    const int local = static_cast<int>(points_.size());
    std::vector<double> rows(static_cast<size_t>(local) * kTerms, 0.0);
    for (int l = 0; l < local; ++l) {
      residual_term(l, rows[l * kTerms]);
      boundary_term(l, rows[l * kTerms + 1]);
    }
    return end_evaluation(rows, gradient);
  }

private:
  void residual_term(int l, double& term) {
    const long n = config_.interior_points;
    const double scale = config_.pde_weight / n;
    const int lap = 1 + dim_;
    for (long p = 0; p < n; ++p) {
      double r[pinn::kMaxResiduals];
      pinn::JetSensitivity dr[pinn::kMaxResiduals];
      pde_.residual(point_jet(l, p), r, dr);
      double a[pinn::kMaxResiduals];  // d(scale r_j^2)/dr_j
      for (int j = 0; j < Pde::residuals; ++j) {
        term += scale * r[j] * r[j];
        a[j] = 2.0 * scale * r[j];
      }
      for (int k = 0; k < Pde::outputs; ++k) {
        double du = 0, dlap = 0;
        for (int j = 0; j < Pde::residuals; ++j) {
          du += a[j] * dr[j].u[k];
          dlap += a[j] * dr[j].laplacian[k];
        }
        add_adjoint(l, p, k, 0, du);
        add_adjoint(l, p, k, lap, dlap);
        for (int i = 0; i < Pde::inputs; ++i) {
          double dg = 0;
          for (int j = 0; j < Pde::residuals; ++j) dg += a[j] * dr[j].gradient[k][i];
          add_adjoint(l, p, k, 1 + i, dg);
        }
      }
    }
  }

  void boundary_term(int l, double& term) {
    const auto& faces = boundary_faces_[l];
    if (faces.empty()) return;
    const long nf = face_points_;
    const double scale = config_.boundary_weight / (faces.size() * nf);
    long p = config_.interior_points;
    for (int f : faces)
      for (long i = 0; i < nf; ++i, ++p) {
        const auto jet = point_jet(l, p);
        for (const auto& c : conditions_[f]) {
          const double d = c.derivative < 0 ? jet.u[c.output] - pde_.condition(c.output, jet.x)
                                            : jet.gradient[c.output][c.derivative];
          term += scale * d * d;
          add_adjoint(l, p, c.output, 1 + c.derivative, 2.0 * scale * d);
        }
      }
  }

  Pde pde_;
};

/// FbpinnLoss of the Poisson problem of the grid's dimension (1, 2 or 3), u given on the whole
/// boundary. Collective over grid.comm().
std::unique_ptr<FbpinnLossBase> poisson_fbpinn_loss(const SubdomainGrid& grid,
                                                    const PartitionOfUnity& windows,
                                                    nn::StackedMlp& nets,
                                                    const physics::PoissonProblem& problem,
                                                    const SubdomainPointConfig& points);

}  // namespace tessera::dd
