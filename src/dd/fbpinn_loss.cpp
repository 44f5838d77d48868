#include "dd/fbpinn_loss.hpp"

#include <algorithm>
#include <random>

#include "core/error.hpp"
#include "core/options.hpp"
#include "dd/subdomain_sums.hpp"
#include "pinn/pde_residuals.hpp"

namespace tessera::dd {

FbpinnConfig FbpinnConfig::from_options(Options& options) {
  FbpinnConfig c;
  c.overlap = options.real("fbpinn_overlap", c.overlap, 1e-3, 0.95,
                           "FBPINN overlap: each subdomain grows by this fraction of its width on "
                           "every side (windows of neighbours only, so below 1)");
  return c;
}

std::vector<double> FbpinnLossBase::training_points(const SubdomainGrid& grid, int id,
                                                    const SubdomainPointConfig& points,
                                                    const DomainConditions& conditions) {
  const Box box = grid.box(id);
  const int dim = grid.dim();
  std::vector<double> xy;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Seeded by (seed, id, kind) only, never by the rank.
  auto generator = [&](int kind) {
    std::seed_seq sequence{
        static_cast<std::uint32_t>(points.seed), static_cast<std::uint32_t>(points.seed >> 32),
        static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(kind), 0xfb9u};
    return std::mt19937_64(sequence);
  };
  auto interior = generator(0);
  for (long p = 0; p < points.interior_points; ++p)
    for (int d = 0; d < dim; ++d)
      xy.push_back(box.lo[d] + (box.hi[d] - box.lo[d]) * unit(interior));
  const long face_points = interface_point_count(dim, points.face_points);
  for (int f = 0; f < 2 * dim; ++f) {
    if (grid.neighbour(id, f).exists() || conditions[f].empty()) continue;
    const int axis = face_axis(f);
    const double plane = face_sign(f) < 0 ? box.lo[axis] : box.hi[axis];
    auto face = generator(1 + f);
    for (long p = 0; p < face_points; ++p)
      for (int d = 0; d < dim; ++d)
        xy.push_back(d == axis ? plane : box.lo[d] + (box.hi[d] - box.lo[d]) * unit(face));
  }
  return xy;
}

FbpinnLossBase::FbpinnLossBase(const SubdomainGrid& grid, const PartitionOfUnity& windows,
                               nn::StackedMlp& nets, int outputs, int laplacian_dims,
                               const SubdomainPointConfig& points,
                               const DomainConditions& conditions)
    : grid_(grid),
      nets_(nets),
      config_(points),
      conditions_(conditions),
      dim_(grid.dim()),
      outputs_(outputs),
      streams_(jet_count(grid.dim())),
      width_(jet_count(grid.dim()) * outputs),
      face_points_(interface_point_count(grid.dim(), points.face_points)) {
  TESSERA_CHECK(nets.shape().inputs == dim_ && nets.shape().outputs == outputs,
                "FbpinnLoss: needs networks of " << dim_ << " inputs and " << outputs
                                                 << " outputs, got " << nets.shape().inputs
                                                 << " and " << nets.shape().outputs);
  check_domain_conditions(conditions, dim_, outputs, "FbpinnLoss");
  for (int id : grid.owned()) {
    points_.push_back(training_points(grid, id, points, conditions));
    boundary_faces_.emplace_back();
    for (int f = 0; f < 2 * dim_; ++f)
      if (!grid.neighbour(id, f).exists() && !conditions[f].empty())
        boundary_faces_.back().push_back(f);
    adjoint_.emplace_back(points_.back().size() / dim_ * width_, 0.0);
  }
  sum_ = std::make_unique<WindowedSum>(grid, windows, nets, points_, laplacian_dims);
  subdomain_terms_.assign(static_cast<size_t>(grid.count()) * kTerms, 0.0);
  global_terms_.assign(kTerms, 0.0);
}

void FbpinnLossBase::begin_evaluation(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != nets_.parameters().data()) Kokkos::deep_copy(nets_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  sum_->forward();
  for (auto& a : adjoint_) std::fill(a.begin(), a.end(), 0.0);
}

pinn::PointJet FbpinnLossBase::point_jet(int l, long p) const {
  pinn::PointJet jet;
  const double* x = points_[l].data() + dim_ * p;
  const double* u = sum_->jets()[l].data() + width_ * p;
  for (int d = 0; d < dim_; ++d) jet.x[d] = x[d];
  for (int k = 0; k < outputs_; ++k) {
    const double* uk = u + streams_ * k;
    jet.u[k] = uk[0];
    for (int d = 0; d < dim_; ++d) jet.gradient[k][d] = uk[1 + d];
    jet.laplacian[k] = uk[1 + dim_];
  }
  return jet;
}

double FbpinnLossBase::end_evaluation(const std::vector<double>& rows, const nn::Vector& gradient) {
  sum_->backward(adjoint_, gradient);
  const auto all = gather_subdomain_rows(grid_, rows, kTerms);
  std::fill(global_terms_.begin(), global_terms_.end(), 0.0);
  for (int id = 0; id < grid_.count(); ++id)
    for (int t = 0; t < kTerms; ++t) {
      subdomain_terms_[id * kTerms + t] = all[id * kTerms + t];
      global_terms_[t] += all[id * kTerms + t];
    }
  return global_terms_[0] + global_terms_[1];
}

std::unique_ptr<FbpinnLossBase> poisson_fbpinn_loss(const SubdomainGrid& grid,
                                                    const PartitionOfUnity& windows,
                                                    nn::StackedMlp& nets,
                                                    const physics::PoissonProblem& problem,
                                                    const SubdomainPointConfig& points) {
  TESSERA_CHECK(problem.dim == grid.dim(), "FbpinnLoss: the Poisson problem is "
                                               << problem.dim << "D, the grid is " << grid.dim()
                                               << "D");
  if (problem.dim == 1)
    return std::make_unique<FbpinnLoss<pinn::PoissonResidual<1>>>(
        grid, windows, nets, pinn::PoissonResidual<1>{problem}, points);
  if (problem.dim == 2)
    return std::make_unique<FbpinnLoss<pinn::PoissonResidual<2>>>(
        grid, windows, nets, pinn::PoissonResidual<2>{problem}, points);
  return std::make_unique<FbpinnLoss<pinn::PoissonResidual<3>>>(
      grid, windows, nets, pinn::PoissonResidual<3>{problem}, points);
}

}  // namespace tessera::dd
