#include "nn/truncated_dft.hpp"

#include <KokkosBlas3_gemm.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/decomposition.hpp"
#include "core/device_math.hpp"
#include "core/error.hpp"

namespace tessera::nn {

namespace {

/// Fills the DFT tables of one dimension (n points, this rank's indices offset..offset+e-1, the
/// kept modes: q < modes is k = q, else k = n - 2 modes + q; in the last dimension k = q):
/// real = s [cos, -sin], imag = s [sin, cos] (e x 2K, imag may be empty) of 2 pi k (offset+l)/n,
/// s = 1 for the forward transform, w_k / n for the inverse (w_k = 2 in the last dimension
/// except for k = 0 and k = n/2, else 1). The phase is reduced modulo n in integers first.
/// The tables of a transform of precision Scalar are the double ones rounded to it.
template <class Scalar>
void fill_dft_tables(const MatrixOf<Scalar>& real, const MatrixOf<Scalar>& imag, int n, int offset,
                     int modes, bool last, bool inverse) {
  const int e = static_cast<int>(real.extent(0)), kept = static_cast<int>(real.extent(1)) / 2;
  const bool has_imag = imag.extent(0) > 0;
  Kokkos::parallel_for(
      "tessera::nn::spectral_dft_tables", Kokkos::RangePolicy<>(0, e * kept),
      KOKKOS_LAMBDA(const int t) {
        const int l = t % e, q = t / e;
        const long k = (last || q < modes) ? q : n - 2 * modes + q;
        const long phase = (k * (offset + l)) % n;
        const double theta = 2.0 * M_PI * static_cast<double>(phase) / n;
        double s = 1.0;
        if (inverse) s = ((last && k != 0 && 2 * k != n) ? 2.0 : 1.0) / n;
        const Scalar c = static_cast<Scalar>(s * math::cos(theta));
        const Scalar si = static_cast<Scalar>(s * math::sin(theta));
        real(l, q) = c;
        real(l, q + kept) = -si;
        if (has_imag) {
          imag(l, q) = si;
          imag(l, q + kept) = c;
        }
      });
}

}  // namespace

GridBlock grid_block(const Decomposition& d) {
  GridBlock block;
  for (int axis = d.dim() - 1; axis >= 0; --axis) {
    block.offset.push_back(d.local_start()[size_t(axis)]);
    block.extent.push_back(d.local_count()[size_t(axis)]);
  }
  return block;
}

template <class Scalar>
TruncatedDftOf<Scalar>::TruncatedDftOf(const char* owner, const std::vector<int>& grid,
                                       const std::vector<int>& modes, const GridBlock& block)
    : grid_(grid), modes_(modes), block_(block) {
  const int dims = static_cast<int>(grid.size());
  TESSERA_CHECK(dims == 2 || dims == 3,
                owner << ": the grid has " << dims << " dimensions; 2 or 3 are supported");
  TESSERA_CHECK(static_cast<int>(modes.size()) == dims &&
                    static_cast<int>(block.offset.size()) == dims &&
                    static_cast<int>(block.extent.size()) == dims,
                owner << ": modes, block offset and block extent need one entry per grid "
                         "dimension ("
                      << dims << ")");
  local_points_ = 1;
  kept_modes_ = 1;
  for (int d = 0; d < dims; ++d) {
    const int n = grid[d], m = modes[d];
    const bool last = d == dims - 1;
    TESSERA_CHECK(n >= 1 && m >= 1, owner << ": dimension " << d + 1 << " has " << n
                                          << " points and " << m << " modes; both must be >= 1");
    if (last)
      TESSERA_CHECK(m <= n / 2 + 1,
                    owner << ": " << m << " modes in the last dimension (of " << n
                          << " points) are above the Nyquist limit n/2 + 1 = " << n / 2 + 1);
    else
      TESSERA_CHECK(2 * m <= n, owner << ": " << m << " modes in dimension " << d + 1 << " (of "
                                      << n << " points) are above the Nyquist limit n/2 = " << n / 2
                                      << " (the kept modes are k < m and k >= n - m)");
    TESSERA_CHECK(
        block.offset[d] >= 0 && block.extent[d] >= 1 && block.offset[d] + block.extent[d] <= n,
        owner << ": the block [" << block.offset[d] << ", " << block.offset[d] + block.extent[d]
              << ") of dimension " << d + 1 << " is empty or outside the grid's " << n
              << " points");
    kept_.push_back(last ? m : 2 * m);
    local_points_ *= block.extent[d];
    kept_modes_ *= kept_.back();
  }
  for (int d = 0; d < dims; ++d) {
    const bool last = d == dims - 1;
    const int e = block.extent[d], cols = 2 * kept_[d];
    auto table = [&](const std::string& label, bool used) {
      return used ? MatrixOf<Scalar>(label, e, cols) : MatrixOf<Scalar>();
    };
    forward_real_.push_back(table("tessera::nn::spectral_forward_real", true));
    forward_imag_.push_back(table("tessera::nn::spectral_forward_imag", !last));
    inverse_real_.push_back(table("tessera::nn::spectral_inverse_real", true));
    inverse_imag_.push_back(table("tessera::nn::spectral_inverse_imag", !last));
    fill_dft_tables(forward_real_[d], forward_imag_[d], grid[d], block.offset[d], modes[d], last,
                    false);
    fill_dft_tables(inverse_real_[d], inverse_imag_[d], grid[d], block.offset[d], modes[d], last,
                    true);
  }
}

template <class Scalar>
int TruncatedDftOf<Scalar>::wavenumber(int d, int q) const {
  const int n = grid_[size_t(d)], m = modes_[size_t(d)];
  const int k = (d == dimensions() - 1 || q < m) ? q : n - 2 * m + q;
  return 2 * k > n ? k - n : k;
}

template <class Scalar>
long TruncatedDftOf<Scalar>::points_before(int d) const {
  long p = 1;
  for (int e = 0; e < d; ++e) p *= block_.extent[e];
  return p;
}

template <class Scalar>
long TruncatedDftOf<Scalar>::modes_after(int d) const {
  long k = 1;
  for (int e = d + 1; e < dimensions(); ++e) k *= kept_[e];
  return k;
}

template <class Scalar>
long TruncatedDftOf<Scalar>::work_size(long channels) const {
  // The intermediates: after to_modes' step on dimension d >= 1 (points before d, modes from d
  // on) and after to_points' step on d < D - 1 (points up to d, modes after d); complex.
  long work = 1;
  for (int d = 0; d < dimensions(); ++d) {
    if (d >= 1) work = std::max(work, 2 * points_before(d) * channels * kept_[d] * modes_after(d));
    if (d < dimensions() - 1)
      work = std::max(work, 2 * points_before(d + 1) * channels * modes_after(d));
  }
  return work;
}

template <class Scalar>
void TruncatedDftOf<Scalar>::to_modes(const Scalar* in, Scalar* out, long channels,
                                      const std::vector<MatrixOf<Scalar>>& real,
                                      const std::vector<MatrixOf<Scalar>>& imag, Scalar* work_a,
                                      Scalar* work_b) const {
  // Step on dimension d (last first): the block's index l_d is the fastest of src, and becomes
  // the mode q_d, the slowest but for re/im, of dst: dst = src_re^T real + src_im^T imag.
  const Scalar* src = in;
  for (int d = dimensions() - 1, step = 0; d >= 0; --d, ++step) {
    Scalar* dst = d == 0 ? out : (step % 2 == 0 ? work_a : work_b);
    const long e = block_.extent[d], rest = points_before(d) * channels * modes_after(d);
    UnmanagedMatrixOf<Scalar> result(dst, rest, 2 * kept_[d]);
    KokkosBlas::gemm("T", "N", 1.0, ConstUnmanagedMatrixOf<Scalar>(src, e, rest), real[d], 0.0,
                     result);
    if (d < dimensions() - 1)  // complex input from the second step on
      KokkosBlas::gemm("T", "N", 1.0, ConstUnmanagedMatrixOf<Scalar>(src + e * rest, e, rest),
                       imag[d], 1.0, result);
    src = dst;
  }
}

template <class Scalar>
void TruncatedDftOf<Scalar>::to_points(const Scalar* in, Scalar* out, long channels,
                                       const std::vector<MatrixOf<Scalar>>& real,
                                       const std::vector<MatrixOf<Scalar>>& imag, Scalar* work_a,
                                       Scalar* work_b) const {
  // Step on dimension d (first first): the mode q_d, slowest but for re/im of src, becomes the
  // block's index l_d, the fastest of dst: dst_re = real src^T, dst_im = imag src^T; the last
  // step keeps the real part only.
  const Scalar* src = in;
  const int dims = dimensions();
  for (int d = 0; d < dims; ++d) {
    Scalar* dst = d == dims - 1 ? out : (d % 2 == 0 ? work_a : work_b);
    const long e = block_.extent[d], rest = points_before(d) * channels * modes_after(d);
    const ConstUnmanagedMatrixOf<Scalar> coefficients(src, rest, 2 * kept_[d]);
    KokkosBlas::gemm("N", "T", 1.0, real[d], coefficients, 0.0,
                     UnmanagedMatrixOf<Scalar>(dst, e, rest));
    if (d < dims - 1)
      KokkosBlas::gemm("N", "T", 1.0, imag[d], coefficients, 0.0,
                       UnmanagedMatrixOf<Scalar>(dst + e * rest, e, rest));
    src = dst;
  }
}

template <class Scalar>
void TruncatedDftOf<Scalar>::forward(const Scalar* points, Scalar* modes, long channels,
                                     Scalar* work_a, Scalar* work_b) const {
  to_modes(points, modes, channels, forward_real_, forward_imag_, work_a, work_b);
}

template <class Scalar>
void TruncatedDftOf<Scalar>::inverse(const Scalar* modes, Scalar* points, long channels,
                                     Scalar* work_a, Scalar* work_b) const {
  to_points(modes, points, channels, inverse_real_, inverse_imag_, work_a, work_b);
}

template <class Scalar>
void TruncatedDftOf<Scalar>::inverse_adjoint(const Scalar* points, Scalar* modes, long channels,
                                             Scalar* work_a, Scalar* work_b) const {
  to_modes(points, modes, channels, inverse_real_, inverse_imag_, work_a, work_b);
}

template <class Scalar>
void TruncatedDftOf<Scalar>::forward_adjoint(const Scalar* modes, Scalar* points, long channels,
                                             Scalar* work_a, Scalar* work_b) const {
  to_points(modes, points, channels, forward_real_, forward_imag_, work_a, work_b);
}

template class TruncatedDftOf<double>;
template class TruncatedDftOf<float>;

}  // namespace tessera::nn
