#pragma once
// The per-mode complex channel mixing of the Fourier layers (nn/spectral_conv): the dense
// layer's weights W[i][o][k], and the Tucker-factorised layer's per-mode core
// (nn/factorized_weight).
// Complex arrays [re/im][k][b][channel] (the real block, then the imaginary one); weights
// interleaved (re, im). Scalar: double or float (the layer's precision), sums in it.
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
template <class Scalar>
inline void spectral_mix(const char* label, const MixShape& s, bool adjoint,
                         const VectorOf<Scalar>& x, const VectorOf<Scalar>& w,
                         const Kokkos::View<long*>& mode_weight, const VectorOf<Scalar>& y) {
  const long batch = s.batch, corner = s.corner;
  const long from = adjoint ? s.out : s.in, to = adjoint ? s.in : s.out;  // channels of x, y
  const long from_stride = adjoint ? 1 : s.out, to_stride = adjoint ? s.out : 1;
  const Scalar conjugate = adjoint ? -1.0 : 1.0;
  const long x_im = s.modes * batch * from, y_im = s.modes * batch * to;
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<>(0, y_im), KOKKOS_LAMBDA(const long t) {
        const long c = t % to, kb = t / to;  // kb = k batch + b
        const long k = kb / batch;
        Scalar re = 0, im = 0;
        for (long f = 0; f < from; ++f) {
          const long xi = kb * from + f;
          const long wi = 2 * (mode_weight(k) + (f * from_stride + c * to_stride) * corner);
          const Scalar xr = x(xi), xm = x(xi + x_im), wr = w(wi), wm = conjugate * w(wi + 1);
          re += xr * wr - xm * wm;
          im += xr * wm + xm * wr;
        }
        y(t) = re;
        y(t + y_im) = im;
      });
}

/// gradient(W[i][o][k]) += sum_b conj(X[k][b][i]) dL/dout_hat[k][b][o] (layouts of
/// spectral_mix); one thread per weight, so no two threads add to the same entry.
template <class Scalar>
inline void spectral_mix_weight_adjoint(const MixShape& s, const VectorOf<Scalar>& x,
                                        const VectorOf<Scalar>& dy,
                                        const Kokkos::View<long*>& mode_weight,
                                        const VectorOf<Scalar>& gradient) {
  const long in = s.in, out = s.out, batch = s.batch, corner = s.corner;
  const long x_im = s.modes * batch * in, y_im = s.modes * batch * out;
  Kokkos::parallel_for(
      "tessera::nn::spectral_mix_weight_adjoint", Kokkos::RangePolicy<>(0, s.modes * in * out),
      KOKKOS_LAMBDA(const long t) {
        const long o = t % out, i = (t / out) % in, k = t / (out * in);
        Scalar re = 0, im = 0;
        for (long b = 0; b < batch; ++b) {
          const long xi = (k * batch + b) * in + i, yi = (k * batch + b) * out + o;
          const Scalar xr = x(xi), xm = x(xi + x_im), gr = dy(yi), gm = dy(yi + y_im);
          re += xr * gr + xm * gm;
          im += xr * gm - xm * gr;
        }
        const long wi = 2 * (mode_weight(k) + (i * out + o) * corner);
        gradient(wi) += re;
        gradient(wi + 1) += im;
      });
}

// The same mixing through a mode-major copy of the weights, so that the innermost loops run
// over contiguous channels (the dense layer's weights are mode-fastest: the (i, o) of one mode lie
// a corner apart). packed: 2 modes in out values, [re/im][k][i][o], made once by the forward
// pass and used again by the backward pass (the weights do not change in between).

/// packed[k][i][o] = W[i][o][k]: one thread per (k, i), the output channels innermost (no integer
/// division per weight).
template <class Scalar>
inline void spectral_mix_pack(const MixShape& s, const VectorOf<Scalar>& w,
                              const Kokkos::View<long*>& mode_weight,
                              const VectorOf<Scalar>& packed) {
  const long in = s.in, out = s.out, corner = s.corner, p_im = s.modes * s.in * s.out;
  const Scalar* wd = w.data();
  Scalar* pd = packed.data();
  Kokkos::parallel_for(
      "tessera::nn::spectral_mix_pack", Kokkos::RangePolicy<>(0, s.modes * in),
      KOKKOS_LAMBDA(const long ki) {
        const long k = ki / in, i = ki % in;
        const Scalar* wk = wd + 2 * (mode_weight(k) + i * out * corner);
        Scalar* pr = pd + ki * out;
        for (long o = 0; o < out; ++o) {
          pr[o] = wk[2 * o * corner];
          pr[o + p_im] = wk[2 * o * corner + 1];
        }
      });
}

/// Forward: out_hat[k][b][o] = sum_i X[k][b][i] packed[k][i][o] (one thread per (k, b), the
/// output channels innermost). Adjoint: dL/dX[k][b][i] = sum_o dL/dout_hat[k][b][o]
/// conj(packed[k][i][o]) (a dot product over the output channels), one thread per mode and pair
/// of samples (b, b + 1), so that each weight loaded serves two samples and the sums vectorise
/// (the last pair of an odd batch has one sample); the sums run in the same order as one sample
/// at a time. Complex, x and y in spectral_mix's layout.
template <class Scalar>
inline void spectral_mix_packed(const char* label, const MixShape& s, bool adjoint,
                                const VectorOf<Scalar>& x, const VectorOf<Scalar>& packed,
                                const VectorOf<Scalar>& y) {
  const long batch = s.batch, in = s.in, out = s.out;
  const long from = adjoint ? out : in, to = adjoint ? in : out;
  const long x_im = s.modes * batch * from, y_im = s.modes * batch * to;
  const long p_im = s.modes * in * out;
  const Scalar* xd = x.data();
  const Scalar* pd = packed.data();
  Scalar* yd = y.data();
  if (adjoint) {
    const long pairs = (batch + 1) / 2;
    Kokkos::parallel_for(
        label, Kokkos::RangePolicy<>(0, s.modes * pairs), KOKKOS_LAMBDA(const long t) {
          const long k = t / pairs, b = 2 * (t - k * pairs), kb = k * batch + b;
          const bool second = b + 1 < batch;
          const Scalar* xr = xd + kb * from;
          const Scalar* xm = xr + x_im;
          // The second sample's rows; without one, the first's again (those sums are dropped).
          const Scalar* xr1 = second ? xr + from : xr;
          const Scalar* xm1 = second ? xm + from : xm;
          Scalar* yr = yd + kb * to;
          Scalar* ym = yr + y_im;
          for (long i = 0; i < in; ++i) {
            const Scalar* wr = pd + (k * in + i) * out;
            const Scalar* wm = wr + p_im;
            Scalar re = 0, im = 0, re1 = 0, im1 = 0;
            for (long o = 0; o < out; ++o) {
              const Scalar u = wr[o], v = wm[o];
              re += xr[o] * u + xm[o] * v;
              im += xm[o] * u - xr[o] * v;
              re1 += xr1[o] * u + xm1[o] * v;
              im1 += xm1[o] * u - xr1[o] * v;
            }
            yr[i] = re;
            ym[i] = im;
            if (second) {
              yr[i + to] = re1;
              ym[i + to] = im1;
            }
          }
        });
    return;
  }
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<>(0, s.modes * batch), KOKKOS_LAMBDA(const long kb) {
        const long k = kb / batch;
        const Scalar* xr = xd + kb * from;
        const Scalar* xm = xr + x_im;
        Scalar* yr = yd + kb * to;
        Scalar* ym = yr + y_im;
        for (long o = 0; o < out; ++o) yr[o] = ym[o] = 0.0;
        for (long i = 0; i < in; ++i) {
          const Scalar ar = xr[i], am = xm[i];
          const Scalar* wr = pd + (k * in + i) * out;
          const Scalar* wm = wr + p_im;
          for (long o = 0; o < out; ++o) {
            yr[o] += ar * wr[o] - am * wm[o];
            ym[o] += ar * wm[o] + am * wr[o];
          }
        }
      });
}

/// gradient(W[i][o][k]) += sum_b conj(X[k][b][i]) dL/dout_hat[k][b][o]: one thread per (k, i)
/// sums over the batch into its row of scratch (2 modes in out values, [re/im][k][i][o], the
/// output channels contiguous), then adds the row at the weights' places.
template <class Scalar>
inline void spectral_mix_weight_adjoint_packed(const MixShape& s, const VectorOf<Scalar>& x,
                                               const VectorOf<Scalar>& dy,
                                               const Kokkos::View<long*>& mode_weight,
                                               const VectorOf<Scalar>& scratch,
                                               const VectorOf<Scalar>& gradient) {
  const long in = s.in, out = s.out, batch = s.batch, corner = s.corner;
  const long x_im = s.modes * batch * in, y_im = s.modes * batch * out, p_im = s.modes * in * out;
  const Scalar* xd = x.data();
  const Scalar* gd = dy.data();
  Scalar* sd = scratch.data();
  Scalar* wd = gradient.data();
  Kokkos::parallel_for(
      "tessera::nn::spectral_mix_weight_adjoint", Kokkos::RangePolicy<>(0, s.modes * in),
      KOKKOS_LAMBDA(const long ki) {
        const long k = ki / in, i = ki % in;
        Scalar* sr = sd + ki * out;
        Scalar* sm = sr + p_im;
        for (long o = 0; o < out; ++o) sr[o] = sm[o] = 0.0;
        for (long b = 0; b < batch; ++b) {
          const Scalar xr = xd[(k * batch + b) * in + i], xm = xd[(k * batch + b) * in + i + x_im];
          const Scalar* gr = gd + (k * batch + b) * out;
          const Scalar* gm = gr + y_im;
          for (long o = 0; o < out; ++o) {
            sr[o] += xr * gr[o] + xm * gm[o];
            sm[o] += xr * gm[o] - xm * gr[o];
          }
        }
        Scalar* wk = wd + 2 * (mode_weight(k) + i * out * corner);
        for (long o = 0; o < out; ++o) {
          wk[2 * o * corner] += sr[o];
          wk[2 * o * corner + 1] += sm[o];
        }
      });
}

}  // namespace tessera::nn
