#pragma once
// A plain host DeepONet from the flat parameter vector (nn/deeponet.hpp's layout, the Mlp's
// layout for branch and trunk), for the DeepONet tests; and the reproducible inputs they share.
#include <cstdio>
#include <string>
#include <vector>

#include "host_vectors.hpp"
#include "nn/deeponet.hpp"

namespace tessera::test {

/// One Mlp of shape s whose parameters start at flat[offset], at the input x (host loops);
/// activated_output applies the hidden activation to the last layer too.
inline std::vector<double> host_mlp(const std::vector<double>& flat, long offset,
                                    const nn::MlpShape& s, std::vector<double> x,
                                    bool activated_output) {
  for (int l = 0; l <= s.depth; ++l) {
    const int in = static_cast<int>(x.size()), out = l == s.depth ? s.outputs : s.width;
    std::vector<double> z(out);
    for (int o = 0; o < out; ++o) {
      double sum = flat[offset + long(in) * out + o];  // bias after the column-major weight
      for (int i = 0; i < in; ++i) sum += flat[offset + long(i) * out + o] * x[i];
      z[o] = (l < s.depth || activated_output) ? nn::activate(s.activation, sum) : sum;
    }
    offset += long(in) * out + out;
    x = std::move(z);
  }
  return x;
}

/// Column b of a host copy of a LayoutLeft matrix.
inline std::vector<double> host_column(const nn::Matrix& m, long b) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m);
  std::vector<double> c(m.extent(0));
  for (size_t i = 0; i < c.size(); ++i) c[i] = h(i, b);
  return c;
}

/// G of net (host reference) in ws.output's layout, flattened column-major.
inline std::vector<double> host_deeponet(const nn::DeepOnet& net, nn::DeepOnetForm form,
                                         const nn::Matrix& sensors, const nn::Matrix& tasks,
                                         const nn::Matrix& points) {
  const auto& s = net.shape();
  const auto flat = to_host(net.parameters());
  const long b_count = long(sensors.extent(1)), n = long(points.extent(1));
  const int p = s.features, channels = s.out_channels;
  const bool cartesian = form == nn::DeepOnetForm::Cartesian;
  const long cols = cartesian ? long(channels) * n : channels;
  std::vector<double> g(size_t(b_count * cols));
  std::vector<std::vector<double>> trunk(n);
  for (long j = 0; j < n; ++j)
    trunk[j] = host_mlp(flat, net.trunk_offset(), net.trunk().shape(), host_column(points, j),
                        s.trunk_output_activation);
  for (long b = 0; b < b_count; ++b) {
    auto input = host_column(sensors, b);
    if (s.task_inputs > 0) {
      const auto t = host_column(tasks, b);
      input.insert(input.end(), t.begin(), t.end());
    }
    const auto branch = host_mlp(flat, 0, net.branch().shape(), input, false);
    for (int c = 0; c < channels; ++c)
      for (long j = cartesian ? 0 : b; j < (cartesian ? n : b + 1); ++j) {
        double sum = flat[net.bias_offset() + c];
        for (int k = 0; k < p; ++k) sum += branch[c * p + k] * trunk[j][k];
        g[size_t((cartesian ? c * n + j : c) * b_count + b)] = sum;
      }
  }
  return g;
}

/// x as "1.234e-15", for RecordProperty (std::to_string prints 0.000000).
inline std::string scientific(double x) {
  char s[32];
  std::snprintf(s, sizeof s, "%.3e", x);
  return s;
}

/// rows x cols numbers uniform in [lo, hi) from seed, as a LayoutLeft matrix.
inline nn::Matrix random_matrix(long rows, long cols, std::uint64_t seed, double lo = -1.0,
                                double hi = 1.0) {
  nn::Matrix m("m", rows, cols);
  auto h = Kokkos::create_mirror_view(m);
  const auto v = random_vector(size_t(rows * cols), seed);
  for (long j = 0; j < cols; ++j)
    for (long i = 0; i < rows; ++i)
      h(i, j) = lo + 0.5 * (v[size_t(j * rows + i)] + 1.0) * (hi - lo);
  Kokkos::deep_copy(m, h);
  return m;
}

}  // namespace tessera::test
