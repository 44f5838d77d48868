#include "run/comparison.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tessera::run {

Comparison::Comparison(const Decomposition& decomp, double h) : decomp_(decomp) {
  TESSERA_CHECK(decomp.dim() == 2, "Comparison: only 2D grids are supported so far");
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  for (int j = 0; j < count[1]; ++j)
    for (int i = 0; i < count[0]; ++i) {
      xs_.push_back((start[0] + i) * h);
      ys_.push_back((start[1] + j) * h);
    }
}

std::vector<double> sample_network(const nn::Mlp& net, const std::vector<double>& xs,
                                   const std::vector<double>& ys, int output) {
  TESSERA_CHECK(xs.size() == ys.size(), "sample_network: coordinate lists of different sizes");
  TESSERA_CHECK(output >= 0 && output < net.shape().outputs,
                "sample_network: the network has no output " << output);
  const int n = static_cast<int>(xs.size());
  nn::Matrix points("tessera::run::comparison_points", 2, n);
  auto host = Kokkos::create_mirror_view(points);
  for (int k = 0; k < n; ++k) host(0, k) = xs[k], host(1, k) = ys[k];
  Kokkos::deep_copy(points, host);
  nn::MlpWorkspace ws;
  net.prepare(ws, nn::JetOrder::Value, n);
  if (n > 0) net.forward(points, ws);
  auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
  std::vector<double> values(n);
  for (int k = 0; k < n; ++k) values[k] = out(k, output);
  return values;
}

double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b) {
  TESSERA_CHECK(a.size() == b.size(), "relative_l2: fields of different sizes");
  double sums[2] = {0, 0};
  for (size_t k = 0; k < a.size(); ++k) {
    sums[0] += (a[k] - b[k]) * (a[k] - b[k]);
    sums[1] += b[k] * b[k];
  }
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm));
  return std::sqrt(sums[0] / sums[1]);
}

std::vector<double> Comparison::sample(const nn::Mlp& net) const {
  return sample_network(net, xs_, ys_);
}

double Comparison::relative_l2(const std::vector<double>& a, const std::vector<double>& b) const {
  return run::relative_l2(decomp_.comm(), a, b);
}

}  // namespace tessera::run
