#include "dd/fbpinn_loss.hpp"

#include <random>

#include "core/error.hpp"
#include "core/options.hpp"
#include "dd/subdomain_sums.hpp"

namespace tessera::dd {

FbpinnConfig FbpinnConfig::from_options(Options& options) {
  FbpinnConfig c;
  c.overlap = options.real("fbpinn_overlap", c.overlap, 1e-3, 0.95,
                           "FBPINN overlap: each subdomain grows by this fraction of its width on "
                           "every side (windows of neighbours only, so below 1)");
  return c;
}

std::vector<double> FbpinnLoss::training_points(const SubdomainGrid& grid, int id,
                                                const SubdomainPointConfig& points) {
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
    if (grid.neighbour(id, f).exists()) continue;
    const int axis = face_axis(f);
    const double plane = face_sign(f) < 0 ? box.lo[axis] : box.hi[axis];
    auto face = generator(1 + f);
    for (long p = 0; p < face_points; ++p)
      for (int d = 0; d < dim; ++d)
        xy.push_back(d == axis ? plane : box.lo[d] + (box.hi[d] - box.lo[d]) * unit(face));
  }
  return xy;
}

FbpinnLoss::FbpinnLoss(const SubdomainGrid& grid, const PartitionOfUnity& windows,
                       nn::StackedMlp& nets, const physics::PoissonProblem& problem,
                       const SubdomainPointConfig& points)
    : grid_(grid), nets_(nets), problem_(problem), config_(points) {
  const int dim = grid.dim();
  TESSERA_CHECK(problem.dim == dim, "FbpinnLoss: the Poisson problem is "
                                        << problem.dim << "D, the grid is " << dim << "D");
  for (int id : grid.owned()) {
    points_.push_back(training_points(grid, id, points));
    int faces = 0;
    for (int f = 0; f < 2 * dim; ++f) faces += grid.neighbour(id, f).exists() ? 0 : 1;
    boundary_faces_.push_back(faces);
    // jet_count(dim) jets per point of dim coordinates.
    adjoint_.emplace_back(points_.back().size() / dim * jet_count(dim), 0.0);
  }
  sum_ = std::make_unique<WindowedSum>(grid, windows, nets, points_);
  subdomain_terms_.assign(static_cast<size_t>(grid.count()) * kTerms, 0.0);
  global_terms_.assign(kTerms, 0.0);
}

double FbpinnLoss::value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != nets_.parameters().data()) Kokkos::deep_copy(nets_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  sum_->forward();
  const auto& jets = sum_->jets();
  const int dim = grid_.dim(), streams = jet_count(dim), lap = 1 + dim;
  const long n = config_.interior_points, nf = interface_point_count(dim, config_.face_points);
  const int local = static_cast<int>(points_.size());
  std::vector<double> rows(static_cast<size_t>(local) * kTerms, 0.0);
  for (int l = 0; l < local; ++l) {
    const double* xy = points_[l].data();
    const double* u = jets[l].data();
    double* a = adjoint_[l].data();
    std::fill(adjoint_[l].begin(), adjoint_[l].end(), 0.0);
    const double pde_scale = config_.pde_weight / n;
    for (long p = 0; p < n; ++p) {
      const double r = problem_.residual(u[streams * p + lap], xy + dim * p);
      rows[l * kTerms] += pde_scale * r * r;
      a[streams * p + lap] = -2.0 * pde_scale * r;  // d(r^2)/d(Δu) = -2r
    }
    const long boundary = boundary_faces_[l] * nf;
    const double b_scale = boundary > 0 ? config_.boundary_weight / boundary : 0.0;
    for (long p = n; p < n + boundary; ++p) {
      const double d = u[streams * p] - problem_.boundary(xy + dim * p);
      rows[l * kTerms + 1] += b_scale * d * d;
      a[streams * p] = 2.0 * b_scale * d;
    }
  }
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

}  // namespace tessera::dd
