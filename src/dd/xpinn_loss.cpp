#include "dd/xpinn_loss.hpp"

#include <cmath>
#include <random>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "dd/subdomain_sums.hpp"
#include "pinn/pde_residuals.hpp"

namespace tessera::dd {

namespace {

/// A generator for one subdomain's points of one kind, from the seed and the subdomain's global
/// id only (never the rank), so the points are the same on any rank count.
std::mt19937_64 subdomain_generator(std::uint64_t seed, int id, int kind) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(kind)};
  return std::mt19937_64(sequence);
}

}  // namespace

SubdomainPointConfig SubdomainPointConfig::from_options(Options& options) {
  SubdomainPointConfig c;
  c.interior_points = options.integer("dd_interior_points", 512, 1, 10000000,
                                      "interior collocation points per subdomain");
  c.face_points = options.integer(
      "dd_face_points", 64, 1, 1000000,
      "collocation points per subdomain face (boundary condition or interface conditions)");
  c.pde_weight =
      options.real("dd_pde_weight", c.pde_weight, 0.0, 1e12, "weight of the PDE residual term");
  c.boundary_weight = options.real("dd_boundary_weight", c.boundary_weight, 0.0, 1e12,
                                   "weight of the boundary-condition term");
  c.seed = static_cast<std::uint64_t>(options.integer(
      "dd_seed", 1234, 0, 2147483647, "seed of every subdomain's points and initial network"));
  return c;
}

XpinnLossBase::XpinnLossBase(const SubdomainGrid& grid, nn::StackedMlp& nets, int outputs,
                             int channels, int laplacian_dims, const SubdomainPointConfig& points,
                             const InterfaceWeights& weights, const DomainConditions& conditions)
    : grid_(grid),
      nets_(nets),
      config_(points),
      condition_(weights),
      conditions_(conditions),
      interface_points_(grid, points.face_points, points.seed) {
  dim_ = grid.dim();
  streams_ = nn::stream_count(nn::JetOrder::Laplacian, dim_);
  channels_ = channels;
  local_ = static_cast<int>(grid.owned().size());
  TESSERA_CHECK(
      nets.count() == local_ && nets.shape().inputs == dim_ && nets.shape().outputs == outputs,
      "XpinnLoss: needs one " << dim_ << "-input, " << outputs
                              << "-output network per owned subdomain (" << local_ << "), got "
                              << nets.count());
  check_domain_conditions(conditions, dim_, outputs, "XpinnLoss");
  exchange_ = std::make_unique<InterfaceExchange>(grid, interface_points_.counts(), 3 * channels);
  const long n = points.interior_points;
  const long nf = interface_point_count(dim_, points.face_points);
  const long face_count = 2 * dim_ * nf;

  interior_ = nn::Matrix("tessera::dd::interior_points", dim_, local_ * n);
  faces_ = nn::Matrix("tessera::dd::face_points", dim_, local_ * face_count);
  auto interior_host = Kokkos::create_mirror_view(interior_);
  auto faces_host = Kokkos::create_mirror_view(faces_);
  std::vector<double> boundary_scale;
  std::vector<long> slots(static_cast<size_t>(local_) * kMaxFaces, -1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int l = 0; l < local_; ++l) {
    const int id = grid.owned()[l];
    const Box box = grid.box(id);
    auto rng = subdomain_generator(points.seed, id, 0);
    for (long p = 0; p < n; ++p)
      for (int d = 0; d < dim_; ++d)
        interior_host(d, l * n + p) = box.lo[d] + (box.hi[d] - box.lo[d]) * unit(rng);
    int constrained = 0;
    for (int f = 0; f < 2 * dim_; ++f) {
      const long first = l * face_count + f * nf;
      slots[kMaxFaces * l + f] = exchange_->slot(l, f).offset;
      if (grid.neighbour(id, f).exists()) {
        auto shared = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                          interface_points_.points(l, f));
        for (long p = 0; p < nf; ++p)
          for (int d = 0; d < dim_; ++d) faces_host(d, first + p) = shared(d, p);
        continue;
      }
      constrained += conditions[f].empty() ? 0 : 1;
      const int axis = face_axis(f);
      const double plane = face_sign(f) < 0 ? box.lo[axis] : box.hi[axis];
      auto face_rng = subdomain_generator(points.seed, id, 1 + f);
      for (long p = 0; p < nf; ++p)
        for (int d = 0; d < dim_; ++d)
          faces_host(d, first + p) =
              d == axis ? plane : box.lo[d] + (box.hi[d] - box.lo[d]) * unit(face_rng);
    }
    boundary_scale.push_back(constrained ? points.boundary_weight / (constrained * nf) : 0.0);
  }
  Kokkos::deep_copy(interior_, interior_host);
  Kokkos::deep_copy(faces_, faces_host);
  boundary_scale_ = nn::to_device("tessera::dd::boundary_scale", boundary_scale);
  face_layout_ = FaceLayout{dim_, streams_,   3 * channels,
                            nf,   face_count, nn::to_device("tessera::dd::face_slots", slots)};

  nets.prepare(interior_ws_, nn::JetOrder::Laplacian, static_cast<int>(n), laplacian_dims);
  nets.prepare(face_ws_, nn::JetOrder::Laplacian, static_cast<int>(face_count), laplacian_dims);
  interior_adjoint_ = nn::Matrix("tessera::dd::interior_adjoint", local_ * streams_ * n, outputs);
  residual_squares_ = Kokkos::View<double**>("tessera::dd::residual_squares", local_ * n, 1);
  face_adjoint_ = nn::Matrix("tessera::dd::face_adjoint", local_ * streams_ * face_count, outputs);
  face_terms_ = Kokkos::View<double**>("tessera::dd::face_terms", local_ * face_count, kColumns);
  interior_ranges_ = Kokkos::View<long**>("tessera::dd::interior_ranges", local_, 2);
  face_ranges_ = Kokkos::View<long**>("tessera::dd::face_ranges", local_, 2);
  auto interior_ranges = Kokkos::create_mirror_view(interior_ranges_);
  auto face_ranges = Kokkos::create_mirror_view(face_ranges_);
  for (int l = 0; l < local_; ++l) {
    interior_ranges(l, 0) = l * n;
    interior_ranges(l, 1) = (l + 1) * n;
    face_ranges(l, 0) = l * face_count;
    face_ranges(l, 1) = (l + 1) * face_count;
  }
  Kokkos::deep_copy(interior_ranges_, interior_ranges);
  Kokkos::deep_copy(face_ranges_, face_ranges);
  rows_ = Kokkos::View<double**, Kokkos::LayoutRight>("tessera::dd::xpinn_rows", local_, kColumns);
  rows_host_ = Kokkos::create_mirror_view(rows_);
  subdomain_terms_.assign(static_cast<size_t>(grid.count()) * kTerms, 0.0);
  global_terms_.assign(kTerms, 0.0);
}

std::vector<std::string> XpinnLossBase::term_names() const {
  std::vector<std::string> names{"pde", "boundary"};
  for (const auto& t : InterfaceCondition::term_names()) names.push_back(t);
  return names;
}

void XpinnLossBase::begin_evaluation(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != nets_.parameters().data()) Kokkos::deep_copy(nets_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  ++evaluations_;
  nets_.forward(faces_, face_ws_);
}

void XpinnLossBase::wait_for_exchange() {
  Timer wait;
  exchange_->end();
  communication_seconds_ += wait.seconds();
}

double XpinnLossBase::end_evaluation(const nn::Vector& gradient) {
  nets_.backward(face_ws_, face_adjoint_, gradient);
  // Face columns first; the interior sums then overwrite column 0.
  range_sums("tessera::dd::xpinn_face_sums", face_terms_, face_ranges_, rows_, kColumns);
  range_sums("tessera::dd::xpinn_residual_sums", residual_squares_, interior_ranges_, rows_, 1);
  Kokkos::deep_copy(rows_host_, rows_);
  std::vector<double> rows(rows_host_.data(), rows_host_.data() + rows_host_.span());
  const double scale = config_.pde_weight / interior_ws_.points;
  for (int l = 0; l < local_; ++l) rows[l * kColumns] *= scale;
  const auto all = gather_subdomain_rows(grid_, rows, kColumns);
  std::fill(global_terms_.begin(), global_terms_.end(), 0.0);
  std::array<double, kJumps + 1> jumps{};
  for (int id = 0; id < grid_.count(); ++id) {
    const double* row = all.data() + id * kColumns;
    for (int t = 0; t < kTerms; ++t) {
      subdomain_terms_[id * kTerms + t] = row[t];
      global_terms_[t] += t < 2 ? row[t] : 0.5 * row[t];
    }
    for (int q = 0; q <= kJumps; ++q) jumps[q] += row[kTerms + q];
  }
  for (int q = 0; q < kJumps; ++q)
    mismatch_[q] = jumps[kJumps] > 0 ? std::sqrt(jumps[q] / jumps[kJumps]) : 0.0;
  double value = 0;
  for (double t : global_terms_) value += t;
  return value;
}

std::unique_ptr<XpinnLossBase> poisson_xpinn_loss(const SubdomainGrid& grid, nn::StackedMlp& nets,
                                                  const physics::PoissonProblem& problem,
                                                  const SubdomainPointConfig& points,
                                                  const InterfaceWeights& weights) {
  TESSERA_CHECK(problem.dim == grid.dim(), "XpinnLoss: the Poisson problem is "
                                               << problem.dim << "D, the grid is " << grid.dim()
                                               << "D");
  if (problem.dim == 1)
    return std::make_unique<XpinnLoss<pinn::PoissonResidual<1>>>(
        grid, nets, pinn::PoissonResidual<1>{problem}, points, weights);
  if (problem.dim == 2)
    return std::make_unique<XpinnLoss<pinn::PoissonResidual<2>>>(
        grid, nets, pinn::PoissonResidual<2>{problem}, points, weights);
  return std::make_unique<XpinnLoss<pinn::PoissonResidual<3>>>(
      grid, nets, pinn::PoissonResidual<3>{problem}, points, weights);
}

}  // namespace tessera::dd
