#pragma once
// A direct O(N^2) host reference of the FNO spectral convolution (numpy's rfftn / irfftn
// semantics and the FNO code's corner slicing), reading the weights in SpectralConv's documented
// parameter layout: the independent check of nn/spectral_conv and of the networks built on it;
// and a host-side forward of a layer.
#include <cmath>
#include <complex>
#include <vector>

#include "host_vectors.hpp"
#include "nn/spectral_conv.hpp"

namespace tessera::test {

/// The layer's output for x (batch samples at its local points), on the host.
inline std::vector<double> forward(const nn::SpectralConv& layer, nn::SpectralConvWorkspace& ws,
                                   const std::vector<double>& x, int batch) {
  nn::Vector y("y", size_t(batch * layer.shape().out_channels * layer.local_points()));
  layer.forward(to_device(x, "x"), y, ws);
  return to_host(y);
}

/// The FNO reference on the host, by direct sums: x_ft = rfftn(x) on the half spectrum
/// (n1, [n2,] n_last/2 + 1), out_ft = 0 but on the corners the FNO code fills, from weights read
/// in the documented parameter layout, y = irfftn(out_ft, s = grid) with numpy's c2r rule.
inline std::vector<double> reference_spectral_conv(const nn::SpectralConvShape& s,
                                                   const std::vector<double>& w,
                                                   const std::vector<double>& x, int batch) {
  using Complex = std::complex<double>;
  const int dims = static_cast<int>(s.grid.size());
  const long points = product(s.grid);
  std::vector<int> half = s.grid;
  half.back() = s.grid.back() / 2 + 1;
  const long spectrum = product(half);
  const int in = s.in_channels, out = s.out_channels;
  std::vector<Complex> x_ft(size_t(batch * in * spectrum));
  for (int b = 0; b < batch; ++b)
    for (int i = 0; i < in; ++i)
      for (long q = 0; q < spectrum; ++q) {
        const auto k = unflatten(q, half);
        Complex sum = 0;
        for (long p = 0; p < points; ++p) {
          const auto j = unflatten(p, s.grid);
          double phase = 0;
          for (int d = 0; d < dims; ++d) phase += double(k[d]) * j[d] / s.grid[d];
          sum += x[size_t((b * in + i) * points + p)] * std::polar(1.0, -2 * M_PI * phase);
        }
        x_ft[size_t((b * in + i) * spectrum + q)] = sum;
      }
  // The corners: weights_{1+j}[i][o][a...] with j's bit d set for k_d in the top m_d of dim d.
  std::vector<int> m = s.modes;
  const long corner = product(m);
  std::vector<Complex> out_ft(size_t(batch * out * spectrum));
  for (long q = 0; q < spectrum; ++q) {
    const auto k = unflatten(q, half);
    long j = 0, a = 0;
    bool kept = true;
    for (int d = 0; d < dims; ++d) {
      int ad = k[d];
      if (d < dims - 1 && k[d] >= s.grid[d] - m[d]) {
        ad = k[d] - (s.grid[d] - m[d]);
        j += 1L << d;
      } else if (k[d] >= m[d]) {
        kept = false;
      }
      a = a * m[d] + ad;
    }
    if (!kept) continue;
    for (int b = 0; b < batch; ++b)
      for (int o = 0; o < out; ++o) {
        Complex sum = 0;
        for (int i = 0; i < in; ++i) {
          const size_t wi = size_t(2 * (((j * in + i) * out + o) * corner + a));
          sum += x_ft[size_t((b * in + i) * spectrum + q)] * Complex(w[wi], w[wi + 1]);
        }
        out_ft[size_t((b * out + o) * spectrum + q)] = sum;
      }
  }
  const int n_last = s.grid.back();
  std::vector<double> y(size_t(batch * out * points));
  for (int b = 0; b < batch; ++b)
    for (int o = 0; o < out; ++o)
      for (long p = 0; p < points; ++p) {
        const auto j = unflatten(p, s.grid);
        double sum = 0;
        for (long q = 0; q < spectrum; ++q) {
          const auto k = unflatten(q, half);
          double phase = 0;
          for (int d = 0; d < dims; ++d) phase += double(k[d]) * j[d] / s.grid[d];
          const int kl = k.back();
          const double weight = (kl == 0 || 2 * kl == n_last) ? 1.0 : 2.0;
          sum += weight *
                 (out_ft[size_t((b * out + o) * spectrum + q)] * std::polar(1.0, 2 * M_PI * phase))
                     .real();
        }
        y[size_t((b * out + o) * points + p)] = sum / double(points);
      }
  return y;
}

}  // namespace tessera::test
