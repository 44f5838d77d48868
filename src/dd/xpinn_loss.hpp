#pragma once
// The domain-decomposed (XPINN / cPINN) PINN loss of the Poisson problem in 1, 2 or 3 dimensions
// (the subdomain grid's): one network per subdomain (a StackedMlp of this rank's subdomains), each
// trained on its own points
//   interior   N points uniform in its box:          w_pde mean (-Δu - f)^2
//   boundary   n points per face on the domain edge: w_b mean (u - g)^2
//   interface  n points per shared face (InterfacePoints, identical on both sides), the
//              InterfaceCondition's terms against the neighbour's values, a mean per face.
// Every subdomain has 2 dim n face points, boundary and interface alike, so the networks' batches
// have equal sizes and stack (in 1D a face is a point: n = 1, see interface_point_count).
//
// One evaluation: forward the face points, send (u, d_n u, r) on every shared face
// (InterfaceExchange::begin), forward/backward the interior points while the messages travel,
// end(), then the boundary and interface terms and the face points' backward pass. Parameters
// and gradients stay on their rank; the only collective is one allreduce of a few numbers per
// subdomain (the loss terms, see subdomain_sums.hpp).
//
// The value is F = sum_i (pde_i + boundary_i + 1/2 interface_i): the function whose gradient the
// local, neighbour-as-constant gradients are (see interface_condition.hpp), so Adam and a global
// L-BFGS (with SubdomainInnerProduct) minimise one well-defined objective; neighbour values are
// exchanged at every evaluation, line-search trial points included.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dd/exchange.hpp"
#include "dd/interface.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "nn/mlp.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/loss.hpp"

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

class XpinnLoss : public pinn::Loss {
public:
  /// Per subdomain: pde, boundary, then the InterfaceCondition's terms.
  static constexpr int kTerms = 2 + kInterfaceTerms;

  /// Collective over grid.comm() (builds the exchange). problem has grid's dimension; nets holds
  /// one network of dim inputs per owned subdomain, in grid.owned() order. Points are drawn from
  /// (seed, subdomain id), so they do not depend on the rank count.
  XpinnLoss(const SubdomainGrid& grid, nn::StackedMlp& nets, const physics::PoissonProblem& problem,
            const SubdomainPointConfig& points, const InterfaceWeights& weights);

  /// Collective over grid.comm(). Evaluates at x (this rank's networks, copied into nets).
  double value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) override;

  std::vector<std::string> term_names() const override;
  /// The global terms of the last evaluation, interface terms halved: they sum to its value.
  std::vector<double> term_values() const override;

  /// Every subdomain's own terms at the last evaluation (kTerms per subdomain, by id; interface
  /// terms as that subdomain sees them), on every rank. Not collective.
  const std::vector<double>& subdomain_terms() const { return subdomain_terms_; }

  /// Root mean square over all interface points (both sides) of the jumps of u, d_n u and the
  /// residual at the last evaluation, on every rank. Not collective.
  const std::array<double, 3>& interface_mismatch() const { return mismatch_; }

  const InterfaceExchange& exchange() const { return *exchange_; }
  /// Seconds spent waiting in InterfaceExchange::end() over all evaluations on this rank.
  double communication_seconds() const { return communication_seconds_; }
  long evaluations() const { return evaluations_; }

  /// This rank's interior points (dim x L N), network l's in columns [l N, (l+1) N).
  const nn::Matrix& interior_points() const { return interior_; }

private:
  void pack_face_quantities();
  std::vector<double> interior_terms(const nn::Vector& gradient);
  void face_terms(std::vector<double>& terms);

  const SubdomainGrid& grid_;
  nn::StackedMlp& nets_;
  physics::PoissonProblem problem_;
  SubdomainPointConfig config_;
  InterfaceCondition condition_;
  InterfacePoints interface_points_;
  std::unique_ptr<InterfaceExchange> exchange_;
  int dim_ = 2;
  int streams_ = 4;  // Laplacian jets: u, du/dx_d (dim of them), Δu
  int local_ = 0;
  long face_points_ = 0;  // per face: -dd_face_points, or 1 in 1D
  long face_count_ = 0;   // face points per subdomain: 2 dim face_points_
  nn::Matrix interior_, faces_;
  nn::MlpWorkspace interior_ws_, face_ws_;
  nn::Matrix interior_adjoint_, face_adjoint_;
  nn::Vector residual_squares_;  // per interior point, summed per subdomain in a fixed order
  // Host copies of the face points and their output jets / adjoint.
  nn::Matrix::HostMirror faces_host_, face_out_host_, face_adjoint_host_;
  std::vector<double> subdomain_terms_, global_terms_;
  std::array<double, 3> mismatch_{0, 0, 0};
  double communication_seconds_ = 0;
  long evaluations_ = 0;
};

}  // namespace tessera::dd
