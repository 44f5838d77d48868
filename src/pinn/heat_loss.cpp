#include "pinn/heat_loss.hpp"

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "pinn/causal.hpp"
#include "pinn/collocation.hpp"
#include "pinn/misfit.hpp"

namespace tessera::pinn {

HeatPoints heat_points(MPI_Comm comm, long interior, long initial, long boundary,
                       std::uint64_t seed) {
  HeatPoints p;
  p.interior = interior_points_2d(comm, interior, seed);
  p.initial = interior_points_2d(comm, initial, seed + 1);
  p.boundary = interior_points_2d(comm, boundary, seed + 2);
  // Project uniform points onto t = 0 and onto x in {0, 1} (the side chosen by x < 1/2).
  auto ic = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.initial);
  for (size_t k = 0; k < ic.extent(1); ++k) ic(1, k) = 0.0;
  Kokkos::deep_copy(p.initial, ic);
  auto bc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.boundary);
  for (size_t k = 0; k < bc.extent(1); ++k) bc(0, k) = bc(0, k) < 0.5 ? 0.0 : 1.0;
  Kokkos::deep_copy(p.boundary, bc);
  return p;
}

HeatLoss::HeatLoss(MPI_Comm comm, nn::Mlp& net, const physics::Heat1D& problem,
                   const HeatPoints& points, const CausalConfig& causal, double initial_weight,
                   double boundary_weight)
    : comm_(comm),
      net_(net),
      problem_(problem),
      points_(points),
      causal_(causal),
      weights_{1.0, initial_weight, boundary_weight} {
  TESSERA_CHECK(net.shape().inputs == 2 && net.shape().outputs == 1,
                "HeatLoss: the network must map (x, t) to u");
  TESSERA_CHECK(causal.time_slabs >= 1 && causal.epsilon >= 0,
                "HeatLoss: needs at least one time slab and a causality epsilon >= 0");
  const int n = static_cast<int>(points.interior.extent(1));
  auto t = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points.interior);
  slab_points_.assign(causal.time_slabs + 2, 0);
  for (int p = 0; p < n; ++p) {
    slab_of_.push_back(time_slab(t(1, p), causal.time_slabs));
    ++slab_points_[slab_of_.back()];
  }
  slab_points_[causal.time_slabs] = static_cast<long>(points.initial.extent(1));
  slab_points_[causal.time_slabs + 1] = static_cast<long>(points.boundary.extent(1));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, slab_points_.data(),
                                 static_cast<int>(slab_points_.size()), MPI_LONG, MPI_SUM, comm));
  global_boundary_ = slab_points_.back();
  slab_points_.pop_back();
  global_initial_ = slab_points_.back();
  slab_points_.pop_back();
  for (long c : slab_points_)
    TESSERA_CHECK(c > 0, "HeatLoss: a time slab has no interior points; use fewer slabs");
  TESSERA_CHECK(global_initial_ > 0 && global_boundary_ > 0,
                "HeatLoss: needs initial and boundary points");
  const int streams = nn::stream_count(nn::JetOrder::Laplacian, 2);
  net.prepare(interior_ws_, nn::JetOrder::Laplacian, n, 1);  // Laplacian over x only
  interior_adjoint_ = nn::Matrix("tessera::pinn::heat_interior_adjoint", streams * n, 1);
  net.prepare(initial_ws_, nn::JetOrder::Value, static_cast<int>(points.initial.extent(1)));
  initial_adjoint_ = nn::Matrix("tessera::pinn::heat_initial_adjoint", points.initial.extent(1), 1);
  net.prepare(boundary_ws_, nn::JetOrder::Value, static_cast<int>(points.boundary.extent(1)));
  boundary_adjoint_ =
      nn::Matrix("tessera::pinn::heat_boundary_adjoint", points.boundary.extent(1), 1);
}

void HeatLoss::set_term_weights(const std::vector<double>& weights) {
  TESSERA_CHECK(weights.size() == 3, "HeatLoss: three term weights, not " << weights.size());
  weights_ = weights;
}

double HeatLoss::residual_term(const nn::Vector& gradient) {
  const int n = interior_ws_.points;
  const int slabs = causal_.time_slabs;
  std::vector<double> sums(slabs, 0.0);
  auto r = Kokkos::create_mirror_view(Kokkos::HostSpace(), interior_adjoint_);
  if (n > 0) {
    net_.forward(points_.interior, interior_ws_);
    auto u = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), interior_ws_.output());
    const int t_row = nn::gradient_stream(1) * n, lap_row = nn::laplacian_stream(2) * n;
    for (int p = 0; p < n; ++p) {
      const double res = problem_.residual(u(t_row + p, 0), u(lap_row + p, 0));
      r(p, 0) = res;  // kept here until the adjoint is formed
      sums[slab_of_[p]] += res * res;
    }
  }
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums.data(), slabs, MPI_DOUBLE, MPI_SUM, comm_));
  slab_losses_.resize(slabs);
  for (int i = 0; i < slabs; ++i) slab_losses_[i] = sums[i] / slab_points_[i];
  causal_weights_ = pinn::causal_weights(slab_losses_, causal_.epsilon);
  double value = 0;
  for (int i = 0; i < slabs; ++i) value += causal_weights_[i] * slab_losses_[i];
  value *= weights_[0] / slabs;
  if (n == 0) return value;
  // d/dr_p of w_r c_i r_p^2 / (S n_i), into the u_t and u_xx streams (d r/d u_xx = -nu).
  const int t_row = nn::gradient_stream(1) * n, lap_row = nn::laplacian_stream(2) * n;
  for (int p = 0; p < n; ++p) {
    const int i = slab_of_[p];
    const double a = 2.0 * weights_[0] * causal_weights_[i] * r(p, 0) / (slabs * slab_points_[i]);
    r(p, 0) = 0.0;
    r(nn::gradient_stream(0) * n + p, 0) = 0.0;
    r(t_row + p, 0) = a;
    r(lap_row + p, 0) = -problem_.diffusivity * a;
  }
  Kokkos::deep_copy(interior_adjoint_, r);
  net_.backward(interior_ws_, interior_adjoint_, gradient);
  return value;
}

double HeatLoss::value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != net_.parameters().data()) Kokkos::deep_copy(net_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  const auto problem = problem_;
  double terms[3] = {0.0, 0.0, 0.0};
  terms[1] = squared_misfit(
      net_, points_.initial, initial_ws_, initial_adjoint_, weights_[1] / global_initial_,
      KOKKOS_LAMBDA(double s, double) { return problem.initial(s); }, gradient);
  terms[2] = squared_misfit(
      net_, points_.boundary, boundary_ws_, boundary_adjoint_, weights_[2] / global_boundary_,
      KOKKOS_LAMBDA(double s, double t) { return problem.boundary(s, t); }, gradient);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, terms + 1, 2, MPI_DOUBLE, MPI_SUM, comm_));
  terms[0] = residual_term(gradient);  // already summed over ranks
  allreduce_sum(comm_, gradient);
  terms_.assign(terms, terms + 3);
  return terms[0] + terms[1] + terms[2];
}

}  // namespace tessera::pinn
