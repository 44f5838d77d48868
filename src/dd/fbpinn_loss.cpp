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
      dim_(grid.dim()),
      outputs_(outputs),
      conditions_(conditions) {
  TESSERA_CHECK(nets.shape().inputs == dim_ && nets.shape().outputs == outputs,
                "FbpinnLoss: needs networks of " << dim_ << " inputs and " << outputs
                                                 << " outputs, got " << nets.shape().inputs
                                                 << " and " << nets.shape().outputs);
  check_domain_conditions(conditions, dim_, outputs, "FbpinnLoss");
  const auto& owned = grid.owned();
  const int local = static_cast<int>(owned.size());
  const long face_points = interface_point_count(dim_, points.face_points);
  std::vector<std::vector<double>> xy;
  for (int id : owned) xy.push_back(training_points(grid, id, points, conditions));
  sum_ = std::make_unique<WindowedSum>(grid, windows, nets, xy, laplacian_dims);

  const long total = sum_->point_offset(local);
  coordinates_ = nn::Matrix("tessera::dd::fbpinn_points", dim_, total);
  auto coordinates = Kokkos::create_mirror_view(coordinates_);
  ranges_ = Kokkos::View<long**>("tessera::dd::fbpinn_ranges", local, 2);
  auto ranges = Kokkos::create_mirror_view(ranges_);
  std::vector<long> boundary_points;
  std::vector<int> boundary_faces;
  std::vector<double> boundary_scales;
  for (int l = 0; l < local; ++l) {
    const long first = sum_->point_offset(l);
    ranges(l, 0) = first;
    ranges(l, 1) = sum_->point_offset(l + 1);
    for (long p = 0; p < ranges(l, 1) - first; ++p)
      for (int d = 0; d < dim_; ++d) coordinates(d, first + p) = xy[l][dim_ * p + d];
    std::vector<int> faces;
    for (int f = 0; f < 2 * dim_; ++f)
      if (!grid.neighbour(owned[l], f).exists() && !conditions[f].empty()) faces.push_back(f);
    long p = first + points.interior_points;
    for (int f : faces)
      for (long i = 0; i < face_points; ++i, ++p) {
        boundary_points.push_back(p);
        boundary_faces.push_back(f);
        boundary_scales.push_back(points.boundary_weight / (faces.size() * face_points));
      }
  }
  Kokkos::deep_copy(coordinates_, coordinates);
  Kokkos::deep_copy(ranges_, ranges);
  boundary_points_ = nn::to_device("tessera::dd::fbpinn_boundary_points", boundary_points);
  boundary_faces_ = nn::to_device("tessera::dd::fbpinn_boundary_faces", boundary_faces);
  boundary_scales_ = nn::to_device("tessera::dd::fbpinn_boundary_scales", boundary_scales);
  adjoint_ = Kokkos::View<double*>("tessera::dd::fbpinn_adjoint", sum_->jets().extent(0));
  terms_ = Kokkos::View<double**>("tessera::dd::fbpinn_terms", total, kTerms);
  rows_ = Kokkos::View<double**, Kokkos::LayoutRight>("tessera::dd::fbpinn_rows", local, kTerms);
  rows_host_ = Kokkos::create_mirror_view(rows_);
  subdomain_terms_.assign(static_cast<size_t>(grid.count()) * kTerms, 0.0);
  global_terms_.assign(kTerms, 0.0);
}

void FbpinnLossBase::begin_evaluation(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != nets_.parameters().data()) Kokkos::deep_copy(nets_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  sum_->forward();
}

double FbpinnLossBase::end_evaluation(const nn::Vector& gradient) {
  sum_->backward(adjoint_, gradient);
  range_sums("tessera::dd::fbpinn_subdomain_terms", terms_, ranges_, rows_, kTerms);
  Kokkos::deep_copy(rows_host_, rows_);
  const std::vector<double> rows(rows_host_.data(), rows_host_.data() + rows_host_.span());
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
