#include "dd/xpinn_loss.hpp"

#include <cmath>
#include <random>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "dd/subdomain_sums.hpp"

namespace tessera::dd {

namespace {

// Per-subdomain row of the one allreduce: the loss terms, then the squared jumps of u, d_n u and
// r summed over the interface points, then their count.
constexpr int kJumps = 3;
constexpr int kColumns = XpinnLoss::kTerms + kJumps + 1;

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

XpinnLoss::XpinnLoss(const SubdomainGrid& grid, nn::StackedMlp& nets,
                     const physics::PoissonProblem& problem, const SubdomainPointConfig& points,
                     const InterfaceWeights& weights)
    : grid_(grid),
      nets_(nets),
      problem_(problem),
      config_(points),
      condition_(weights),
      interface_points_(grid, points.face_points, points.seed) {
  dim_ = grid.dim();
  streams_ = 2 + dim_;
  TESSERA_CHECK(problem.dim == dim_, "XpinnLoss: the Poisson problem is "
                                         << problem.dim << "D, the grid is " << dim_ << "D");
  local_ = static_cast<int>(grid.owned().size());
  TESSERA_CHECK(nets.count() == local_ && nets.shape().inputs == dim_ && nets.shape().outputs == 1,
                "XpinnLoss: needs one " << dim_ << "-input, 1-output network per owned subdomain ("
                                        << local_ << "), got " << nets.count());
  exchange_ =
      std::make_unique<InterfaceExchange>(grid, interface_points_.counts(), kInterfaceQuantities);
  const long n = points.interior_points;
  face_points_ = interface_point_count(dim_, points.face_points);
  const long nf = face_points_;
  face_count_ = 2 * dim_ * nf;

  interior_ = nn::Matrix("tessera::dd::interior_points", dim_, local_ * n);
  faces_ = nn::Matrix("tessera::dd::face_points", dim_, local_ * face_count_);
  auto interior_host = Kokkos::create_mirror_view(interior_);
  faces_host_ = Kokkos::create_mirror_view(faces_);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int l = 0; l < local_; ++l) {
    const int id = grid.owned()[l];
    const Box box = grid.box(id);
    auto rng = subdomain_generator(points.seed, id, 0);
    for (long p = 0; p < n; ++p)
      for (int d = 0; d < dim_; ++d)
        interior_host(d, l * n + p) = box.lo[d] + (box.hi[d] - box.lo[d]) * unit(rng);
    for (int f = 0; f < 2 * dim_; ++f) {
      const long first = l * face_count_ + f * nf;
      if (grid.neighbour(id, f).exists()) {
        auto shared = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                          interface_points_.points(l, f));
        for (long p = 0; p < nf; ++p)
          for (int d = 0; d < dim_; ++d) faces_host_(d, first + p) = shared(d, p);
        continue;
      }
      const int axis = face_axis(f);
      const double plane = face_sign(f) < 0 ? box.lo[axis] : box.hi[axis];
      auto face_rng = subdomain_generator(points.seed, id, 1 + f);
      for (long p = 0; p < nf; ++p)
        for (int d = 0; d < dim_; ++d)
          faces_host_(d, first + p) =
              d == axis ? plane : box.lo[d] + (box.hi[d] - box.lo[d]) * unit(face_rng);
    }
  }
  Kokkos::deep_copy(interior_, interior_host);
  Kokkos::deep_copy(faces_, faces_host_);

  nets.prepare(interior_ws_, nn::JetOrder::Laplacian, static_cast<int>(n));
  nets.prepare(face_ws_, nn::JetOrder::Laplacian, static_cast<int>(face_count_));
  interior_adjoint_ = nn::Matrix("tessera::dd::interior_adjoint", local_ * streams_ * n, 1);
  residual_squares_ = nn::Vector("tessera::dd::residual_squares", local_ * n);
  face_adjoint_ = nn::Matrix("tessera::dd::face_adjoint", local_ * streams_ * face_count_, 1);
  face_adjoint_host_ = Kokkos::create_mirror_view(face_adjoint_);
  // The output jets live in the workspace prepared above, so one mirror serves every evaluation
  // (on a host build it is the workspace itself and the copies below are no-ops).
  face_out_host_ = Kokkos::create_mirror_view(face_ws_.output());
  subdomain_terms_.assign(static_cast<size_t>(grid.count()) * kTerms, 0.0);
  global_terms_.assign(kTerms, 0.0);
}

std::vector<std::string> XpinnLoss::term_names() const {
  std::vector<std::string> names{"pde", "boundary"};
  for (const auto& t : InterfaceCondition::term_names()) names.push_back(t);
  return names;
}

std::vector<double> XpinnLoss::term_values() const { return global_terms_; }

void XpinnLoss::pack_face_quantities() {
  Kokkos::deep_copy(face_out_host_, face_ws_.output());
  const long nf = face_points_, m = face_count_;
  for (int l = 0; l < local_; ++l) {
    const long base = l * streams_ * m;
    for (int f = 0; f < 2 * dim_; ++f) {
      if (interface_points_.count(l, f) == 0) continue;
      const auto send = exchange_->send(l, f);
      const int axis = face_axis(f);
      for (long j = 0; j < nf; ++j) {
        const long p = base + f * nf + j;
        const long column = l * m + f * nf + j;
        send(kValue, j) = face_out_host_(p, 0);
        send(kNormalDerivative, j) = face_out_host_(p + (1 + axis) * m, 0);
        double at[3] = {0, 0, 0};
        for (int d = 0; d < dim_; ++d) at[d] = faces_host_(d, column);
        send(kResidual, j) = problem_.residual(face_out_host_(p + (1 + dim_) * m, 0), at);
      }
    }
  }
}

std::vector<double> XpinnLoss::interior_terms(const nn::Vector& gradient) {
  const int n = interior_ws_.points;
  nets_.forward(interior_, interior_ws_);
  const auto u = interior_ws_.output();
  const auto adjoint = interior_adjoint_;
  const auto x = interior_;
  const auto problem = problem_;
  const double scale = config_.pde_weight / n;
  const auto squares = residual_squares_;
  const int dim = dim_, streams = streams_;
  Kokkos::parallel_for(
      "tessera::dd::poisson_residual", Kokkos::RangePolicy<>(0, local_ * n),
      KOKKOS_LAMBDA(const int q) {
        const int l = q / n, p = q - l * n;
        const long lap = long(l) * streams * n + (1 + dim) * n + p;
        double at[3] = {0, 0, 0};
        for (int d = 0; d < dim; ++d) at[d] = x(d, q);
        const double r = problem.residual(u(lap, 0), at);
        squares(q) = r * r;
        adjoint(lap, 0) = -2.0 * scale * r;  // d(r^2)/d(Δu) = -2r
      });
  nets_.backward(interior_ws_, interior_adjoint_, gradient);
  std::vector<double> terms(local_);
  for (int l = 0; l < local_; ++l) {
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::dd::residual_sum", Kokkos::RangePolicy<>(l * n, (l + 1) * n),
        KOKKOS_LAMBDA(const int q, double& acc) { acc += squares(q); }, sum);
    terms[l] = scale * sum;
  }
  return terms;
}

void XpinnLoss::face_terms(std::vector<double>& rows) {
  const long nf = face_points_, m = face_count_;
  Kokkos::deep_copy(face_adjoint_host_, 0.0);
  for (int l = 0; l < local_; ++l) {
    const int id = grid_.owned()[l];
    double* row = rows.data() + l * kColumns;
    const long base = l * streams_ * m;
    int boundary_faces = 0;
    for (int f = 0; f < 2 * dim_; ++f) boundary_faces += grid_.neighbour(id, f).exists() ? 0 : 1;
    for (int f = 0; f < 2 * dim_; ++f) {
      const int axis = face_axis(f);
      if (interface_points_.count(l, f) == 0) {
        const double scale = config_.boundary_weight / (boundary_faces * nf);
        for (long j = 0; j < nf; ++j) {
          const long p = base + f * nf + j, column = l * m + f * nf + j;
          double at[3] = {0, 0, 0};
          for (int d = 0; d < dim_; ++d) at[d] = faces_host_(d, column);
          const double d = face_out_host_(p, 0) - problem_.boundary(at);
          row[1] += scale * d * d;
          face_adjoint_host_(p, 0) = 2.0 * scale * d;
        }
        continue;
      }
      const auto own = exchange_->send(l, f), other = exchange_->received(l, f);
      for (long j = 0; j < nf; ++j) {
        const long p = base + f * nf + j;
        double d_own[kInterfaceQuantities];
        condition_.evaluate(&own(0, j), &other(0, j), 1.0 / nf, row + 2, d_own);
        face_adjoint_host_(p, 0) = d_own[kValue];
        face_adjoint_host_(p + (1 + axis) * m, 0) = d_own[kNormalDerivative];
        face_adjoint_host_(p + (1 + dim_) * m, 0) = -d_own[kResidual];  // r = -Δu - f
        for (int q = 0; q < kJumps; ++q) {
          const double jump = own(q, j) - other(q, j);
          row[kTerms + q] += jump * jump;
        }
        row[kTerms + kJumps] += 1;
      }
    }
  }
  Kokkos::deep_copy(face_adjoint_, face_adjoint_host_);
}

double XpinnLoss::value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != nets_.parameters().data()) Kokkos::deep_copy(nets_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  ++evaluations_;

  // Face points first, so their values travel while the interior is computed.
  nets_.forward(faces_, face_ws_);
  pack_face_quantities();
  exchange_->begin();
  const auto pde = interior_terms(gradient);
  Timer wait;
  exchange_->end();
  communication_seconds_ += wait.seconds();

  std::vector<double> rows(static_cast<size_t>(local_) * kColumns, 0.0);
  for (int l = 0; l < local_; ++l) rows[l * kColumns] = pde[l];
  face_terms(rows);
  nets_.backward(face_ws_, face_adjoint_, gradient);

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

}  // namespace tessera::dd
