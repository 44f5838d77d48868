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
    for (int d = 0; d < 2; ++d) xy.push_back(box.lo[d] + (box.hi[d] - box.lo[d]) * unit(interior));
  for (int f = 0; f < 4; ++f) {
    if (grid.neighbour(id, f).exists()) continue;
    const int axis = face_axis(f);
    const double plane = face_sign(f) < 0 ? box.lo[axis] : box.hi[axis];
    auto face = generator(1 + f);
    for (long p = 0; p < points.face_points; ++p)
      for (int d = 0; d < 2; ++d)
        xy.push_back(d == axis ? plane : box.lo[d] + (box.hi[d] - box.lo[d]) * unit(face));
  }
  return xy;
}

FbpinnLoss::FbpinnLoss(const SubdomainGrid& grid, const PartitionOfUnity& windows,
                       nn::StackedMlp& nets, const physics::Poisson2D& problem,
                       const SubdomainPointConfig& points)
    : grid_(grid), nets_(nets), problem_(problem), config_(points) {
  TESSERA_CHECK(grid.dim() == 2,
                "FbpinnLoss: the Poisson problem is 2D, the grid is " << grid.dim() << "D");
  for (int id : grid.owned()) {
    points_.push_back(training_points(grid, id, points));
    int faces = 0;
    for (int f = 0; f < 4; ++f) faces += grid.neighbour(id, f).exists() ? 0 : 1;
    boundary_faces_.push_back(faces);
    adjoint_.emplace_back(2 * points_.back().size(), 0.0);  // 4 jets per (x, y) pair
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
  const long n = config_.interior_points, nf = config_.face_points;
  const int local = static_cast<int>(points_.size());
  std::vector<double> rows(static_cast<size_t>(local) * kTerms, 0.0);
  for (int l = 0; l < local; ++l) {
    const double* xy = points_[l].data();
    const double* u = jets[l].data();
    double* a = adjoint_[l].data();
    std::fill(adjoint_[l].begin(), adjoint_[l].end(), 0.0);
    const double pde_scale = config_.pde_weight / n;
    for (long p = 0; p < n; ++p) {
      const double r = problem_.residual(u[4 * p + 3], xy[2 * p], xy[2 * p + 1]);
      rows[l * kTerms] += pde_scale * r * r;
      a[4 * p + 3] = -2.0 * pde_scale * r;  // d(r^2)/d(Δu) = -2r
    }
    const long boundary = boundary_faces_[l] * nf;
    const double b_scale = boundary > 0 ? config_.boundary_weight / boundary : 0.0;
    for (long p = n; p < n + boundary; ++p) {
      const double d = u[4 * p] - problem_.boundary(xy[2 * p], xy[2 * p + 1]);
      rows[l * kTerms + 1] += b_scale * d * d;
      a[4 * p] = 2.0 * b_scale * d;
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
