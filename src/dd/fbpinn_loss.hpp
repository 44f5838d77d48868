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
// and local. The only collective is the allreduce of the per-subdomain terms. Every point's terms
// and adjoints are kernels on the default execution space (dd/fbpinn_loss_kernels.hpp).
#include <memory>
#include <string>
#include <vector>

#include "dd/domain_conditions.hpp"
#include "dd/fbpinn_loss_kernels.hpp"
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

  /// x into the networks, the gradient zeroed, the windowed sum's forward pass.
  void begin_evaluation(const nn::Vector& x, const nn::Vector& gradient);
  /// The windowed sum's reverse pass of adjoint_, then the per-subdomain sums of terms_ (one
  /// kernel, one small copy to the host), gathered into the per-subdomain and global terms;
  /// returns F. Collective.
  double end_evaluation(const nn::Vector& gradient);

  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  SubdomainPointConfig config_;
  int dim_ = 2, outputs_ = 1;
  std::unique_ptr<WindowedSum> sum_;
  // Every owned point (point p of owned subdomain l is point_offset(l) + p): its coordinates
  // (dim x points), the adjoint of its jets (WindowedSum's layout), its pde and boundary terms.
  nn::Matrix coordinates_;
  Kokkos::View<double*> adjoint_;
  Kokkos::View<double**> terms_;
  Kokkos::View<long**> ranges_;  // per owned subdomain: its points [first, end)
  ConditionTable conditions_;
  // The boundary points: owned point, its domain face, the weight of its term.
  Kokkos::View<long*> boundary_points_;
  Kokkos::View<int*> boundary_faces_;
  Kokkos::View<double*> boundary_scales_;

private:
  Kokkos::View<double**, Kokkos::LayoutRight> rows_;  // per owned subdomain: its kTerms terms
  Kokkos::View<double**, Kokkos::LayoutRight>::HostMirror rows_host_;
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

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets): every
  /// point's terms and adjoints as kernels on the default execution space.
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override {
    begin_evaluation(x, gradient);
    const long n = config_.interior_points;
    fbpinn_residual_terms(pde_, coordinates_, sum_->jets(), adjoint_, terms_, ranges_, n,
                          config_.pde_weight / n);
    fbpinn_boundary_terms(pde_, coordinates_, sum_->jets(), adjoint_, terms_, conditions_,
                          boundary_points_, boundary_faces_, boundary_scales_);
    return end_evaluation(gradient);
  }

private:
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
