#include "nn/factorized_weight.hpp"

#include <KokkosBlas3_gemm.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "core/random.hpp"
#include "nn/spectral_mix.hpp"

namespace tessera::nn {

namespace {

/// A complex array in a flat buffer of doubles: entry t has its real part at data[t step] and its
/// imaginary part at data[t step + im]; split blocks (step 1, im = entries) or interleaved pairs
/// (step 2, im = 1).
template <class Scalar>
struct Complexes {
  Scalar* data = nullptr;
  long im = 0, step = 1;
  KOKKOS_INLINE_FUNCTION Scalar& re_at(long t) const { return data[t * step]; }
  KOKKOS_INLINE_FUNCTION Scalar& im_at(long t) const { return data[t * step + im]; }
};

/// re + i im += conj(a) b.
template <class Scalar>
KOKKOS_INLINE_FUNCTION void add_conj_product(Scalar& re, Scalar& im, Scalar ar, Scalar ai,
                                             Scalar br, Scalar bi) {
  re += ar * br + ai * bi;
  im += ar * bi - ai * br;
}

/// re + i im *= c.
template <class Scalar>
KOKKOS_INLINE_FUNCTION void multiply(Scalar& re, Scalar& im, Scalar cr, Scalar ci) {
  const Scalar r = re * cr - im * ci;
  im = re * ci + im * cr;
  re = r;
}

template <class Scalar>
Complexes<Scalar> split(Scalar* data, long entries) {
  return {data, entries, 1};
}
template <class Scalar>
Complexes<Scalar> interleaved(Scalar* data) {
  return {data, 1, 2};
}

/// A column-major complex matrix (rows x cols) stored split: the real parts at data, the
/// imaginary parts at data + rows cols; conjugated where asked.
template <class Scalar>
struct SplitMatrix {
  const Scalar* data;
  long rows, cols;
  bool conjugate = false;
};

/// c = op(a) op(b) + beta c, op(.) = (.)^T for "T"; c split, rows x cols: four real GEMMs.
template <class Scalar>
void complex_gemm(const char* ta, const SplitMatrix<Scalar>& a, const char* tb,
                  const SplitMatrix<Scalar>& b, double beta, Scalar* c, long rows, long cols) {
  const long na = a.rows * a.cols, nb = b.rows * b.cols, nc = rows * cols;
  const Scalar sa = a.conjugate ? -1.0 : 1.0, sb = b.conjugate ? -1.0 : 1.0;
  const ConstUnmanagedMatrixOf<Scalar> ar(a.data, a.rows, a.cols), ai(a.data + na, a.rows, a.cols);
  const ConstUnmanagedMatrixOf<Scalar> br(b.data, b.rows, b.cols), bi(b.data + nb, b.rows, b.cols);
  const UnmanagedMatrixOf<Scalar> cr(c, rows, cols), ci(c + nc, rows, cols);
  KokkosBlas::gemm(ta, tb, 1.0, ar, br, beta, cr);
  KokkosBlas::gemm(ta, tb, -sa * sb, ai, bi, 1.0, cr);
  KokkosBlas::gemm(ta, tb, sb, ar, bi, beta, ci);
  KokkosBlas::gemm(ta, tb, sa, ai, br, 1.0, ci);
}

/// The CP factors by value for the kernels: lambda (R), the mode factors C_d (K_d x R).
template <class Scalar>
struct CpFactors {
  int dims = 0, rank = 0;
  long kept[3] = {1, 1, 1};
  Complexes<Scalar> lambda, mode[3];
  // q_d of kept mode k (C order over K_1 .. K_D).
  KOKKOS_INLINE_FUNCTION long mode_index(long k, int d) const {
    for (int e = dims - 1; e > d; --e) k /= kept[e];
    return k % kept[d];
  }
};

/// s[k][r] = lambda_r prod_d C_d[q_d][r] (split, K x R).
template <class Scalar>
void cp_scale_table(const CpFactors<Scalar>& f, long modes, const VectorOf<Scalar>& s) {
  const long rank = f.rank, im = modes * rank;
  Kokkos::parallel_for(
      "tessera::nn::cp_scale_table", Kokkos::RangePolicy<>(0, modes * rank),
      KOKKOS_LAMBDA(const long t) {
        const long r = t % rank, k = t / rank;
        Scalar re = f.lambda.re_at(r), imag = f.lambda.im_at(r);
        for (int d = 0; d < f.dims; ++d) {
          const long e = f.mode_index(k, d) * rank + r;
          multiply(re, imag, f.mode[d].re_at(e), f.mode[d].im_at(e));
        }
        s(t) = re;
        s(t + im) = imag;
      });
}

/// y[k][b][r] = x[k][b][r] s[k][r], or x conj(s) for the adjoint (split arrays).
template <class Scalar>
void cp_scale_apply(const char* label, const VectorOf<Scalar>& x, const VectorOf<Scalar>& s,
                    const VectorOf<Scalar>& y, long modes, long batch, long rank, bool adjoint) {
  const long n = modes * batch * rank, s_im = modes * rank;
  const Scalar sign = adjoint ? -1.0 : 1.0;
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const long t) {
        const long r = t % rank, k = t / (batch * rank), st = k * rank + r;
        const Scalar xr = x(t), xi = x(t + n), sr = s(st), si = sign * s(st + s_im);
        y(t) = xr * sr - xi * si;
        y(t + n) = xr * si + xi * sr;
      });
}

/// ds[k][r] = sum_b conj(P[k][b][r]) dQ[k][b][r] (split arrays).
template <class Scalar>
void cp_scale_gradient(const VectorOf<Scalar>& p, const VectorOf<Scalar>& dq,
                       const VectorOf<Scalar>& ds, long modes, long batch, long rank) {
  const long n = modes * batch * rank, s_im = modes * rank;
  Kokkos::parallel_for(
      "tessera::nn::cp_scale_gradient", Kokkos::RangePolicy<>(0, modes * rank),
      KOKKOS_LAMBDA(const long t) {
        const long r = t % rank, k = t / rank;
        Scalar re = 0, im = 0;
        for (long b = 0; b < batch; ++b) {
          const long i = (k * batch + b) * rank + r;
          add_conj_product(re, im, p(i), p(i + n), dq(i), dq(i + n));
        }
        ds(t) = re;
        ds(t + s_im) = im;
      });
}

/// Adds the gradient of lambda (d < 0) or of C_d from ds[k][r]: entry (q, r) gets
/// sum over the modes with q_d = q (all modes for lambda) of conj(the other factors) ds[k][r].
template <class Scalar>
void cp_factor_gradient(const CpFactors<Scalar>& f, int d, const VectorOf<Scalar>& ds, long modes,
                        const Complexes<Scalar>& gradient) {
  const long rank = f.rank, s_im = modes * rank;
  long inner = 1, extent = 1;  // modes after dimension d; K_d
  if (d >= 0) {
    extent = f.kept[d];
    for (int e = d + 1; e < f.dims; ++e) inner *= f.kept[e];
  } else {
    inner = modes;
  }
  const long outer = modes / (inner * extent);
  Kokkos::parallel_for(
      "tessera::nn::cp_factor_gradient", Kokkos::RangePolicy<>(0, extent * rank),
      KOKKOS_LAMBDA(const long t) {
        const long r = t % rank, q = t / rank;
        Scalar re = 0, im = 0;
        for (long o = 0; o < outer; ++o)
          for (long i = 0; i < inner; ++i) {
            const long k = (o * extent + q) * inner + i;
            // conj(product of the factors other than the one differentiated) ds[k][r]
            Scalar pr = 1, pi = 0;
            if (d >= 0) pr = f.lambda.re_at(r), pi = f.lambda.im_at(r);
            for (int e = 0; e < f.dims; ++e) {
              if (e == d) continue;
              const long at = f.mode_index(k, e) * rank + r;
              multiply(pr, pi, f.mode[e].re_at(at), f.mode[e].im_at(at));
            }
            add_conj_product(re, im, pr, pi, ds(k * rank + r), ds(k * rank + r + s_im));
          }
        gradient.re_at(t) += re;
        gradient.im_at(t) += im;
      });
}

/// Sizes of one mode product: in[a][f][c] -> out[a][t][c].
struct ModeShape {
  long a, from, to, c;
};

/// Mode product with the factor U (K x r, C order, split): forward (from = r, to = K)
/// out[a][q][c] = sum_t in[a][t][c] U[q][t]; adjoint (from = K, to = r)
/// out[a][t][c] = sum_q in[a][q][c] conj(U[q][t]). Adds to out when accumulate.
template <class Scalar>
void mode_product(const char* label, const Complexes<Scalar>& in, const Complexes<Scalar>& out,
                  const Complexes<Scalar>& u, const ModeShape& s, bool adjoint, bool accumulate) {
  const long from = s.from, to = s.to, c = s.c;
  const Scalar sign = adjoint ? -1.0 : 1.0;
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<>(0, s.a * to * c), KOKKOS_LAMBDA(const long t) {
        const long ci = t % c, j = (t / c) % to, a = t / (c * to);
        Scalar re = 0, im = 0;
        for (long f = 0; f < from; ++f) {
          const long ui = adjoint ? f * to + j : j * from + f, xi = (a * from + f) * c + ci;
          const Scalar ur = u.re_at(ui), um = sign * u.im_at(ui);
          const Scalar xr = in.re_at(xi), xm = in.im_at(xi);
          re += xr * ur - xm * um;
          im += xr * um + xm * ur;
        }
        if (accumulate) {
          out.re_at(t) += re;
          out.im_at(t) += im;
        } else {
          out.re_at(t) = re;
          out.im_at(t) = im;
        }
      });
}

/// gU[q][t] += sum_{a, c} conj(in[a][t][c]) dout[a][q][c] for the forward mode product
/// in[a][t][c] -> out[a][q][c] (from = r, to = K).
template <class Scalar>
void mode_factor_gradient(const Complexes<Scalar>& in, const Complexes<Scalar>& dout,
                          const Complexes<Scalar>& gradient, const ModeShape& s) {
  const long from = s.from, to = s.to, c = s.c, outer = s.a;
  Kokkos::parallel_for(
      "tessera::nn::tucker_factor_gradient", Kokkos::RangePolicy<>(0, to * from),
      KOKKOS_LAMBDA(const long t) {
        const long f = t % from, q = t / from;
        Scalar re = 0, im = 0;
        for (long a = 0; a < outer; ++a)
          for (long ci = 0; ci < c; ++ci) {
            const long xi = (a * from + f) * c + ci, gi = (a * to + q) * c + ci;
            add_conj_product(re, im, in.re_at(xi), in.im_at(xi), dout.re_at(gi), dout.im_at(gi));
          }
        gradient.re_at(t) += re;
        gradient.im_at(t) += im;
      });
}

/// The CP weight's lambda and mode factors in parameters.
template <class Scalar>
CpFactors<Scalar> cp_factors(const VectorOf<Scalar>& parameters, const FactorizedWeight& w) {
  CpFactors<Scalar> f;
  f.dims = static_cast<int>(w.tensor_shape().size()) - 2;
  f.rank = w.ranks()[0];
  f.lambda = split(parameters.data() + w.block_offset(0), w.block_entries(0));
  for (int d = 0; d < f.dims; ++d) {
    f.kept[d] = w.tensor_shape()[size_t(2 + d)];
    f.mode[d] = split(parameters.data() + w.block_offset(3 + d), w.block_entries(3 + d));
  }
  return f;
}

/// identity(k) = k on the device. A free function: nvcc refuses device lambdas in constructors.
void fill_identity(const Kokkos::View<long*>& identity) {
  Kokkos::parallel_for(
      "tessera::nn::tucker_mode_identity", Kokkos::RangePolicy<>(0, identity.extent(0)),
      KOKKOS_LAMBDA(const long k) { identity(k) = k; });
}

}  // namespace

const char* to_string(Factorization f) {
  switch (f) {
    case Factorization::Cp:
      return "cp";
    case Factorization::Tucker:
      return "tucker";
    default:
      return "dense";
  }
}

int FactorizedWeight::cp_rank(double fraction, const std::vector<int>& shape) {
  long sum = 0;
  for (int s : shape) sum += s;
  const double r = std::nearbyint(fraction * double(product(shape)) / double(sum));
  return static_cast<int>(std::max(1.0, r));
}

std::vector<int> FactorizedWeight::tucker_ranks(double fraction, const std::vector<int>& shape) {
  const double p = double(product(shape));
  const int n = static_cast<int>(shape.size());
  double squares = 0;
  for (int s : shape) squares += double(s) * s;
  auto fun = [&](double x) { return p * std::pow(x, n) + squares * x - fraction * p; };
  double lo = 0, hi = std::max(fraction, 1.0);  // fun(0) < 0 < fun(hi)
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (fun(mid) < 0 ? lo : hi) = mid;
  }
  const double x = 0.5 * (lo + hi);
  std::vector<int> ranks;
  for (int s : shape)
    ranks.push_back(static_cast<int>(std::clamp(std::nearbyint(s * x), 1.0, double(s))));
  return ranks;
}

FactorizedWeight::FactorizedWeight(Factorization factorization, double rank,
                                   const std::vector<int>& tucker_ranks, int in, int out,
                                   const std::vector<int>& kept)
    : factorization_(factorization), fraction_(rank) {
  TESSERA_CHECK(factorization != Factorization::Dense,
                "FactorizedWeight: the factorisation must be cp or tucker");
  TESSERA_CHECK(std::isfinite(rank) && rank > 0,
                "FactorizedWeight: the rank fraction " << rank << " must be positive");
  shape_ = {in, out};
  shape_.insert(shape_.end(), kept.begin(), kept.end());
  kept_modes_ = product(kept);
  const int n = static_cast<int>(shape_.size());
  long complex_count = 0;
  if (factorization == Factorization::Cp) {
    TESSERA_CHECK(tucker_ranks.empty(), "FactorizedWeight: tucker_ranks given for a CP weight");
    const int r = cp_rank(rank, shape_);
    ranks_ = {r};
    entries_.push_back(r);  // lambda
    for (int s : shape_) entries_.push_back(long(s) * r);
  } else {
    ranks_ = tucker_ranks.empty() ? FactorizedWeight::tucker_ranks(rank, shape_) : tucker_ranks;
    TESSERA_CHECK(static_cast<int>(ranks_.size()) == n,
                  "FactorizedWeight: tucker_ranks needs " << n << " entries (in, out, modes)");
    for (int d = 0; d < n; ++d)
      TESSERA_CHECK(ranks_[size_t(d)] >= 1 && ranks_[size_t(d)] <= shape_[size_t(d)],
                    "FactorizedWeight: Tucker rank " << ranks_[size_t(d)] << " of mode " << d
                                                     << " is outside [1, " << shape_[size_t(d)]
                                                     << "]");
    entries_.push_back(product(ranks_));  // the core
    for (int d = 0; d < n; ++d) entries_.push_back(long(shape_[size_t(d)]) * ranks_[size_t(d)]);
  }
  for (long e : entries_) {
    offsets_.push_back(2 * complex_count);
    complex_count += e;
  }
  parameter_count_ = 2 * complex_count;
  identity_ = Kokkos::View<long*>("tessera::nn::tucker_mode_identity", kept_modes_);
  fill_identity(identity_);
}

long FactorizedWeight::dense_parameter_count() const { return 2 * product(shape_); }

int FactorizedWeight::in_rank() const { return ranks_.front(); }

int FactorizedWeight::out_rank() const {
  return ranks_[factorization_ == Factorization::Cp ? 0 : 1];
}

long FactorizedWeight::chain_before(int d) const {
  long size = long(ranks_[0]) * ranks_[1];
  for (int e = 1; e < d; ++e) size *= ranks_[size_t(1 + e)];
  return size;
}

long FactorizedWeight::chain_after(int d) const {
  long size = 1;
  for (int e = d + 1; e <= dims(); ++e) size *= shape_[size_t(1 + e)];
  return size;
}

long FactorizedWeight::chain_size(int d) const { return chain_before(d + 1) * chain_after(d); }

std::string FactorizedWeight::describe() const {
  std::ostringstream s;
  if (factorization_ == Factorization::Cp) {
    s << "CP rank " << fraction_ << " (R = " << ranks_[0] << ")";
  } else {
    s << "Tucker rank " << fraction_ << " (ranks ";
    for (size_t d = 0; d < ranks_.size(); ++d) s << (d ? "x" : "") << ranks_[d];
    s << ")";
  }
  return s.str();
}

template <class Scalar>
void FactorizedWeight::initialize(std::uint64_t seed, const VectorOf<Scalar>& parameters,
                                  double mean_square) const {
  TESSERA_CHECK(long(parameters.extent(0)) == parameter_count_,
                "FactorizedWeight::initialize: the parameters hold "
                    << parameters.extent(0) << " values, not " << parameter_count_);
  const int n = static_cast<int>(shape_.size());
  const bool cp = factorization_ == Factorization::Cp;
  const double variance = cp ? std::pow(mean_square / ranks_[0], 1.0 / n)
                             : std::pow(mean_square / double(product(ranks_)), 1.0 / (n + 1));
  const double deviation = std::sqrt(variance / 2);  // of re and of im
  auto host = Kokkos::create_mirror_view(parameters);
  std::uint64_t state = splitmix64(seed);
  for (int b = 0; b < blocks(); ++b) {
    const long at = offsets_[size_t(b)], e = entries_[size_t(b)];
    for (long t = 0; t < e; ++t) {
      const bool lambda = cp && b == 0;
      host(at + t) = Scalar(lambda ? 1.0 : deviation * standard_normal(state));
      host(at + e + t) = Scalar(lambda ? 0.0 : deviation * standard_normal(state));
    }
  }
  Kokkos::deep_copy(parameters, host);
}

template <class Scalar>
void FactorizedWeight::prepare(FactorizedWorkspaceOf<Scalar>& ws, int batch) const {
  const long modes_batch = kept_modes_ * batch;
  if (ws.batch == batch && long(ws.projected.extent(0)) == 2 * modes_batch * in_rank()) return;
  ws.batch = batch;
  auto vector = [](const char* label, long n) { return VectorOf<Scalar>(std::string(label), n); };
  ws.projected = vector("tessera::nn::factorized_projected", 2 * modes_batch * in_rank());
  ws.projected_adjoint =
      vector("tessera::nn::factorized_projected_adjoint", 2 * modes_batch * in_rank());
  ws.mixed = vector("tessera::nn::factorized_mixed", 2 * modes_batch * out_rank());
  ws.mixed_adjoint = vector("tessera::nn::factorized_mixed_adjoint", 2 * modes_batch * out_rank());
  if (factorization_ == Factorization::Cp) {
    ws.scale = vector("tessera::nn::cp_scale", 2 * kept_modes_ * ranks_[0]);
    ws.scale_adjoint = vector("tessera::nn::cp_scale_adjoint", 2 * kept_modes_ * ranks_[0]);
    return;
  }
  const long core = 2 * long(ranks_[0]) * ranks_[1] * kept_modes_;
  ws.core = vector("tessera::nn::tucker_mode_core", core);
  ws.core_adjoint = vector("tessera::nn::tucker_mode_core_adjoint", core);
  ws.chain.assign(size_t(dims()), VectorOf<Scalar>());
  long largest = 1;
  for (int d = 1; d < dims(); ++d) {
    ws.chain[size_t(d)] = vector("tessera::nn::tucker_chain", 2 * chain_size(d));
    largest = std::max(largest, 2 * chain_size(d));
  }
  for (auto& v : ws.chain_adjoint) v = vector("tessera::nn::tucker_chain_adjoint", largest);
}

template <class Scalar>
void FactorizedWeight::contract_core(const VectorOf<Scalar>& parameters,
                                     FactorizedWorkspaceOf<Scalar>& ws) const {
  // T_D = G; T_{d-1} = T_d x_d U_d for d = D .. 1; M = T_0 (interleaved for the mixing).
  Scalar* p = parameters.data();
  const int last = dims();
  for (int d = last; d >= 1; --d) {
    const auto from = d == last ? split(p + offsets_[0], chain_size(d))
                                : split(ws.chain[size_t(d)].data(), chain_size(d));
    const auto to = d == 1 ? interleaved(ws.core.data())
                           : split(ws.chain[size_t(d - 1)].data(), chain_size(d - 1));
    const auto u = split(p + offsets_[size_t(2 + d)], entries_[size_t(2 + d)]);
    mode_product("tessera::nn::tucker_mode_product", from, to, u,
                 {chain_before(d), ranks_[size_t(1 + d)], shape_[size_t(1 + d)], chain_after(d)},
                 false, false);
  }
}

template <class Scalar>
void FactorizedWeight::contract_core_adjoint(const VectorOf<Scalar>& parameters,
                                             const VectorOf<Scalar>& gradient,
                                             FactorizedWorkspaceOf<Scalar>& ws) const {
  // dL/dT_0 = dL/dM; for d = 1 .. D: dU_d from T_d and dL/dT_{d-1}, dL/dT_d = dL/dT_{d-1} x_d U_d^H
  // (added into the core's gradient for d = D).
  Scalar* p = parameters.data();
  Scalar* g = gradient.data();
  const int last = dims();
  for (int d = 1; d <= last; ++d) {
    const auto t = d == last ? split(p + offsets_[0], chain_size(d))
                             : split(ws.chain[size_t(d)].data(), chain_size(d));
    const auto dt_prev = d == 1 ? interleaved(ws.core_adjoint.data())
                                : split(ws.chain_adjoint[(d - 1) % 2].data(), chain_size(d - 1));
    const auto dt = d == last ? split(g + offsets_[0], chain_size(d))
                              : split(ws.chain_adjoint[d % 2].data(), chain_size(d));
    const long r = ranks_[size_t(1 + d)], k = shape_[size_t(1 + d)];
    const long before = chain_before(d), after = chain_after(d);
    const long u_at = offsets_[size_t(2 + d)], u_entries = entries_[size_t(2 + d)];
    mode_factor_gradient(t, dt_prev, split(g + u_at, u_entries), {before, r, k, after});
    mode_product("tessera::nn::tucker_mode_product_adjoint", dt_prev, dt,
                 split(p + u_at, u_entries), {before, k, r, after}, true, d == last);
  }
}

template <class Scalar>
void FactorizedWeight::forward(const VectorOf<Scalar>& parameters, const VectorOf<Scalar>& x,
                               const VectorOf<Scalar>& y, int batch,
                               FactorizedWorkspaceOf<Scalar>& ws) const {
  prepare(ws, batch);
  const long kb = kept_modes_ * batch, in = shape_[0], out = shape_[1];
  const long r_in = in_rank(), r_out = out_rank();
  const Scalar* p = parameters.data();
  // P = X (input factor): (r_in x KB) = A_c (r_in x I) X (I x KB), A_c the factor (I, r_in) read
  // column-major.
  complex_gemm("N", {p + offsets_[1], r_in, in}, "N", {x.data(), in, kb}, 0.0, ws.projected.data(),
               r_in, kb);
  if (factorization_ == Factorization::Cp) {
    const auto f = cp_factors(parameters, *this);
    cp_scale_table(f, kept_modes_, ws.scale);
    cp_scale_apply("tessera::nn::cp_scale", ws.projected, ws.scale, ws.mixed, kept_modes_, batch,
                   r_in, false);
  } else {
    contract_core(parameters, ws);
    spectral_mix("tessera::nn::tucker_core_mix", {kept_modes_, batch, r_in, r_out, kept_modes_},
                 false, ws.projected, ws.core, identity_, ws.mixed);
  }
  // out_hat (O x KB) = B_c^T (O x r_out) Z (r_out x KB).
  complex_gemm("T", {p + offsets_[2], r_out, out}, "N", {ws.mixed.data(), r_out, kb}, 0.0, y.data(),
               out, kb);
}

template <class Scalar>
void FactorizedWeight::backward(const VectorOf<Scalar>& parameters, const VectorOf<Scalar>& x,
                                const VectorOf<Scalar>& dy, const VectorOf<Scalar>& dx,
                                const VectorOf<Scalar>& gradient,
                                FactorizedWorkspaceOf<Scalar>& ws) const {
  const int batch = ws.batch;
  const long kb = kept_modes_ * batch, in = shape_[0], out = shape_[1];
  const long r_in = in_rank(), r_out = out_rank();
  const Scalar* p = parameters.data();
  Scalar* g = gradient.data();
  // Output factor: dB_c += conj(Z) dy^T, dZ = conj(B_c) dy.
  complex_gemm("N", {ws.mixed.data(), r_out, kb, true}, "T", {dy.data(), out, kb}, 1.0,
               g + offsets_[2], r_out, out);
  complex_gemm("N", {p + offsets_[2], r_out, out, true}, "N", {dy.data(), out, kb}, 0.0,
               ws.mixed_adjoint.data(), r_out, kb);
  if (factorization_ == Factorization::Cp) {
    const auto f = cp_factors(parameters, *this);
    cp_scale_gradient(ws.projected, ws.mixed_adjoint, ws.scale_adjoint, kept_modes_, batch, r_in);
    cp_scale_apply("tessera::nn::cp_scale_adjoint", ws.mixed_adjoint, ws.scale,
                   ws.projected_adjoint, kept_modes_, batch, r_in, true);
    for (int d = -1; d < dims(); ++d) {
      const long b = d < 0 ? 0 : 3 + d;
      cp_factor_gradient(f, d, ws.scale_adjoint, kept_modes_,
                         split(g + offsets_[size_t(b)], entries_[size_t(b)]));
    }
  } else {
    const MixShape mix{kept_modes_, batch, r_in, r_out, kept_modes_};
    Kokkos::deep_copy(ws.core_adjoint, Scalar(0));
    spectral_mix_weight_adjoint(mix, ws.projected, ws.mixed_adjoint, identity_, ws.core_adjoint);
    spectral_mix("tessera::nn::tucker_core_mix_adjoint", mix, true, ws.mixed_adjoint, ws.core,
                 identity_, ws.projected_adjoint);
    contract_core_adjoint(parameters, gradient, ws);
  }
  // Input factor: dA_c += dP conj(X)^T, dX = conj(A_c)^T dP.
  complex_gemm("N", {ws.projected_adjoint.data(), r_in, kb}, "T", {x.data(), in, kb, true}, 1.0,
               g + offsets_[1], r_in, in);
  complex_gemm("T", {p + offsets_[1], r_in, in, true}, "N", {ws.projected_adjoint.data(), r_in, kb},
               0.0, dx.data(), in, kb);
}

// The layer's two precisions (nn/spectral_conv).
template void FactorizedWeight::initialize(std::uint64_t, const VectorOf<double>&, double) const;
template void FactorizedWeight::prepare(FactorizedWorkspaceOf<double>&, int) const;
template void FactorizedWeight::forward(const VectorOf<double>&, const VectorOf<double>&,
                                        const VectorOf<double>&, int,
                                        FactorizedWorkspaceOf<double>&) const;
template void FactorizedWeight::backward(const VectorOf<double>&, const VectorOf<double>&,
                                         const VectorOf<double>&, const VectorOf<double>&,
                                         const VectorOf<double>&,
                                         FactorizedWorkspaceOf<double>&) const;
template void FactorizedWeight::initialize(std::uint64_t, const VectorOf<float>&, double) const;
template void FactorizedWeight::prepare(FactorizedWorkspaceOf<float>&, int) const;
template void FactorizedWeight::forward(const VectorOf<float>&, const VectorOf<float>&,
                                        const VectorOf<float>&, int,
                                        FactorizedWorkspaceOf<float>&) const;
template void FactorizedWeight::backward(const VectorOf<float>&, const VectorOf<float>&,
                                         const VectorOf<float>&, const VectorOf<float>&,
                                         const VectorOf<float>&,
                                         FactorizedWorkspaceOf<float>&) const;

}  // namespace tessera::nn
