#pragma once
// The FBPINN loss of the Poisson problem in 1, 2 or 3 dimensions (the grid's): overlapping
// subdomains with a partition of unity (dd/partition_of_unity.hpp), u = Σ_j w_j N_j assembled
// across ranks (dd/windowed_sum.hpp), and per subdomain i, on the points of its own
// (non-overlapping) box,
//   pde       N points uniform in the box:            w_pde mean (-Δu - f)^2
//   boundary  n points per face on the domain edge:   w_b mean (u - g)^2
// with no interface term: the windowed sum is smooth across the subdomain boundaries by
// construction. The value is F = Σ_i (pde_i + boundary_i), the same function XpinnLoss sums its
// subdomains' own terms into; its gradient with respect to network j collects every point j's
// window touches, on whichever rank owns it (adjoints travel back), so the gradients are exact
// and local. The only collective is the allreduce of the per-subdomain terms.
#include <memory>
#include <string>
#include <vector>

#include "dd/partition_of_unity.hpp"
#include "dd/windowed_sum.hpp"
#include "dd/xpinn_loss.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/loss.hpp"

namespace tessera {
class Options;
}

namespace tessera::dd {

struct FbpinnConfig {
  double overlap = 0.25;  // δ as a fraction of the subdomain width

  /// Reads -fbpinn_overlap.
  static FbpinnConfig from_options(Options& options);
};

class FbpinnLoss : public pinn::Loss {
public:
  static constexpr int kTerms = 2;  // pde, boundary

  /// Collective over grid.comm() (builds the windowed sum). problem has the grid's dimension, nets
  /// holds one network per owned subdomain. Points are drawn from (seed, subdomain id),
  /// independent of the rank count.
  FbpinnLoss(const SubdomainGrid& grid, const PartitionOfUnity& windows, nn::StackedMlp& nets,
             const physics::PoissonProblem& problem, const SubdomainPointConfig& points);

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override;
  std::vector<std::string> term_names() const override { return {"pde", "boundary"}; }
  std::vector<double> term_values() const override { return global_terms_; }

  /// Every subdomain's terms at the last evaluation (kTerms per subdomain, by id), on every rank.
  const std::vector<double>& subdomain_terms() const { return subdomain_terms_; }
  const WindowedSum& sum() const { return *sum_; }

  /// The training points of subdomain id, dim coordinates each: interior_points interior ones,
  /// then face_points per domain-boundary face (1 in 1D, where a face is a point). Local.
  static std::vector<double> training_points(const SubdomainGrid& grid, int id,
                                             const SubdomainPointConfig& points);

private:
  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  physics::PoissonProblem problem_;
  SubdomainPointConfig config_;
  std::vector<std::vector<double>> points_;
  std::vector<int> boundary_faces_;  // per owned subdomain
  std::unique_ptr<WindowedSum> sum_;
  std::vector<std::vector<double>> adjoint_;
  std::vector<double> subdomain_terms_, global_terms_;
};

}  // namespace tessera::dd
