#include "pinn/poisson_loss.hpp"

#include "core/allreduce.hpp"
#include "core/device_math.hpp"
#include "pinn/poisson_loss_kernels.hpp"

#include <algorithm>

namespace tessera::pinn {

PoissonLoss::PoissonLoss(MPI_Comm comm, nn::Mlp& net, const physics::Poisson2D& problem,
                         const nn::Matrix& interior, const nn::Matrix& boundary,
                         double residual_weight, double boundary_weight, long batch_points)
    : comm_(comm),
      net_(net),
      staging_(Kokkos::create_mirror_view(net.parameters())),
      problem_(problem),
      interior_(interior),
      boundary_(boundary),
      residual_weight_(residual_weight),
      boundary_weight_(boundary_weight),
      batch_points_(batch_points) {
  TESSERA_CHECK(net.shape().inputs == 2 && net.shape().outputs == 1,
                "PoissonLoss: the network must map (x, y) to u");
  build_batches();
  net.prepare(boundary_ws_, nn::JetOrder::Value, static_cast<int>(boundary.extent(1)));
  boundary_adjoint_ = nn::Matrix("tessera::pinn::boundary_adjoint", boundary.extent(1), 1);
}

void PoissonLoss::build_batches() {
  long counts[2] = {static_cast<long>(interior_.extent(1)), static_cast<long>(boundary_.extent(1))};
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPI_LONG, MPI_SUM, comm_));
  global_interior_ = counts[0];
  global_boundary_ = counts[1];
  TESSERA_CHECK(global_interior_ > 0 && global_boundary_ > 0,
                "PoissonLoss: needs interior and boundary points");
  const long ni = static_cast<long>(interior_.extent(1));
  const long full = (batch_points_ <= 0 || batch_points_ > ni) ? ni : batch_points_;
  const int streams = nn::stream_count(nn::JetOrder::Laplacian, 2);
  batches_.clear();
  for (long begin = 0; begin < ni; begin += full) {
    const long end = std::min(ni, begin + full);
    const bool tail = end - begin != full;
    auto& ws = tail ? tail_ws_ : batch_ws_;
    auto& adjoint = tail ? tail_adjoint_ : batch_adjoint_;
    if (static_cast<long>(adjoint.extent(0)) != streams * (end - begin)) {
      net_.prepare(ws, nn::JetOrder::Laplacian, static_cast<int>(end - begin));
      adjoint = nn::Matrix("tessera::pinn::interior_adjoint", streams * (end - begin), 1);
    }
    batches_.push_back(
        {Kokkos::subview(interior_, Kokkos::ALL(), std::make_pair(begin, end)), &ws, &adjoint});
  }
}

void PoissonLoss::set_term_weights(const std::vector<double>& weights) {
  TESSERA_CHECK(weights.size() == 2, "PoissonLoss: two term weights, not " << weights.size());
  residual_weight_ = weights[0];
  boundary_weight_ = weights[1];
}

std::vector<double> PoissonLoss::residual_magnitudes(const nn::Matrix& points) {
  const int n = static_cast<int>(points.extent(1));
  std::vector<double> magnitude(n);
  if (n == 0) return magnitude;
  nn::MlpWorkspace ws;
  net_.prepare(ws, nn::JetOrder::Laplacian, n);
  net_.forward(points, ws);
  const auto u = ws.output();
  const auto problem = problem_;
  const int lap = nn::laplacian_stream(2) * n;
  Kokkos::View<double*> r("tessera::pinn::residual_magnitude", n);
  Kokkos::parallel_for(
      "tessera::pinn::poisson_residual_magnitude", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int p) {
        r(p) = math::fabs(problem.residual(u(lap + p, 0), points(0, p), points(1, p)));
      });
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), r);
  for (int p = 0; p < n; ++p) magnitude[p] = host(p);
  return magnitude;
}

void PoissonLoss::add_interior_points(const nn::Matrix& points) {
  const long old = static_cast<long>(interior_.extent(1)),
             added = static_cast<long>(points.extent(1));
  nn::Matrix grown("tessera::pinn::interior_points", 2, old + added);
  Kokkos::deep_copy(Kokkos::subview(grown, Kokkos::ALL(), std::make_pair(0L, old)), interior_);
  Kokkos::deep_copy(Kokkos::subview(grown, Kokkos::ALL(), std::make_pair(old, old + added)),
                    points);
  interior_ = grown;
  build_batches();
}

double PoissonLoss::residual_term(const Batch& batch, const nn::Vector& gradient) {
  const int n = batch.workspace->points;
  net_.forward(batch.points, *batch.workspace);
  const int lap = nn::laplacian_stream(2) * n;
  const double scale = residual_weight_ / global_interior_;
  const double sum = poisson_residual_sum(problem_, batch.points, batch.workspace->output(),
                                          *batch.adjoint, n, lap, scale);
  net_.backward(*batch.workspace, *batch.adjoint, gradient);
  return scale * sum;
}

double PoissonLoss::boundary_term(const nn::Vector& gradient) {
  return poisson_boundary_misfit(problem_, net_, boundary_, boundary_ws_, boundary_adjoint_,
                                 boundary_weight_ / global_boundary_, gradient);
}

double PoissonLoss::value_and_gradient(const nn::Vector& x, const nn::Vector& gradient) {
  if (x.data() != net_.parameters().data()) Kokkos::deep_copy(net_.parameters(), x);
  Kokkos::deep_copy(gradient, 0.0);
  double terms[2] = {0.0, boundary_term(gradient)};
  for (const auto& batch : batches_) terms[0] += residual_term(batch, gradient);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, terms, 2, MPI_DOUBLE, MPI_SUM, comm_));
  allreduce_sum(comm_, gradient, staging_);
  last_residual_ = terms[0];
  last_boundary_ = terms[1];
  return last_residual_ + last_boundary_;
}

}  // namespace tessera::pinn
