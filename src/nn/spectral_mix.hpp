#pragma once
// The per-mode complex channel mixing of the Fourier layers (nn/spectral_conv): the dense
// layer's weights W[i][o][k], and the Tucker-factorised layer's per-mode core
// (nn/factorized_weight).
// Complex arrays [re/im][k][b][channel] (the real block, then the imaginary one); weights
// interleaved (re, im).
#include "nn/types.hpp"

namespace tessera::nn {

/// Sizes of one mixing: modes K, batch B, channels in and out, weights per (i, o) block of a
/// corner (the corner's kept modes).
struct MixShape {
  long modes, batch, in, out, corner;
};

/// The per-mode channel mixing (complex; arrays [re/im][k][b][channel], weight (i, o) of mode k
/// at complex index mode_weight(k) + (i out + o) corner):
///   forward: out_hat[k][b][o] = sum_i X[k][b][i] W[i][o][k]            (x = X, y = out_hat)
///   adjoint: dL/dX[k][b][i] = sum_o dL/dout_hat[k][b][o] conj(W[i][o][k]) (x = dL/dout_hat)
inline void spectral_mix(const char* label, const MixShape& s, bool adjoint, const Vector& x,
                         const Vector& w, const Kokkos::View<long*>& mode_weight, const Vector& y) {
  const long batch = s.batch, corner = s.corner;
  const long from = adjoint ? s.out : s.in, to = adjoint ? s.in : s.out;  // channels of x, y
  const long from_stride = adjoint ? 1 : s.out, to_stride = adjoint ? s.out : 1;
  const double conjugate = adjoint ? -1.0 : 1.0;
  const long x_im = s.modes * batch * from, y_im = s.modes * batch * to;
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<>(0, y_im), KOKKOS_LAMBDA(const long t) {
        const long c = t % to, kb = t / to;  // kb = k batch + b
        const long k = kb / batch;
        double re = 0, im = 0;
        for (long f = 0; f < from; ++f) {
          const long xi = kb * from + f;
          const long wi = 2 * (mode_weight(k) + (f * from_stride + c * to_stride) * corner);
          const double xr = x(xi), xm = x(xi + x_im), wr = w(wi), wm = conjugate * w(wi + 1);
          re += xr * wr - xm * wm;
          im += xr * wm + xm * wr;
        }
        y(t) = re;
        y(t + y_im) = im;
      });
}

/// gradient(W[i][o][k]) += sum_b conj(X[k][b][i]) dL/dout_hat[k][b][o] (layouts of
/// spectral_mix); one thread per weight, so no two threads add to the same entry.
inline void spectral_mix_weight_adjoint(const MixShape& s, const Vector& x, const Vector& dy,
                                        const Kokkos::View<long*>& mode_weight,
                                        const Vector& gradient) {
  const long in = s.in, out = s.out, batch = s.batch, corner = s.corner;
  const long x_im = s.modes * batch * in, y_im = s.modes * batch * out;
  Kokkos::parallel_for(
      "tessera::nn::spectral_mix_weight_adjoint", Kokkos::RangePolicy<>(0, s.modes * in * out),
      KOKKOS_LAMBDA(const long t) {
        const long o = t % out, i = (t / out) % in, k = t / (out * in);
        double re = 0, im = 0;
        for (long b = 0; b < batch; ++b) {
          const long xi = (k * batch + b) * in + i, yi = (k * batch + b) * out + o;
          const double xr = x(xi), xm = x(xi + x_im), gr = dy(yi), gm = dy(yi + y_im);
          re += xr * gr + xm * gm;
          im += xr * gm - xm * gr;
        }
        const long wi = 2 * (mode_weight(k) + (i * out + o) * corner);
        gradient(wi) += re;
        gradient(wi + 1) += im;
      });
}

}  // namespace tessera::nn
