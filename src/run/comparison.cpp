#include "run/comparison.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tessera::run {

Comparison::Comparison(const Decomposition& decomp, double h) : decomp_(decomp) {
  // Beyond the dimension a block has one point at index 0, so those coordinates are 0.
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i) {
        xs_.push_back((start[0] + i) * h);
        ys_.push_back((start[1] + j) * h);
        zs_.push_back((start[2] + k) * h);
      }
}

std::vector<double> sample_network(const nn::Mlp& net, const std::vector<double>& xs,
                                   const std::vector<double>& ys, int output) {
  return sample_network(net, {xs, ys}, output);
}

std::vector<double> sample_network(const nn::Mlp& net,
                                   const std::vector<std::vector<double>>& coordinates,
                                   int output) {
  const int dims = static_cast<int>(coordinates.size());
  TESSERA_CHECK(dims == net.shape().inputs, "sample_network: " << dims
                                                               << " coordinates for a network of "
                                                               << net.shape().inputs << " inputs");
  TESSERA_CHECK(output >= 0 && output < net.shape().outputs,
                "sample_network: the network has no output " << output);
  const int n = static_cast<int>(coordinates[0].size());
  for (const auto& c : coordinates)
    TESSERA_CHECK(static_cast<int>(c.size()) == n,
                  "sample_network: coordinate lists of different sizes");
  nn::Matrix points("tessera::run::comparison_points", dims, n);
  auto host = Kokkos::create_mirror_view(points);
  for (int d = 0; d < dims; ++d)
    for (int k = 0; k < n; ++k) host(d, k) = coordinates[d][k];
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
