#include "nn/spectral_conv.hpp"

#include <KokkosBlas3_gemm.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/allreduce.hpp"
#include "core/device_math.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/random.hpp"
#include "nn/spectral_mix.hpp"

namespace tessera::nn {

namespace {

template <class Scalar>
using ConstUnmanagedMatrix =
    Kokkos::View<const Scalar**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// Fills the DFT tables of one dimension (n points, this rank's indices offset..offset+e-1, the
/// kept modes: q < modes is k = q, else k = n - 2 modes + q; in the last dimension k = q):
/// real = s [cos, -sin], imag = s [sin, cos] (e x 2K, imag may be empty) of 2 pi k (offset+l)/n,
/// s = 1 for the forward transform, w_k / n for the inverse (w_k = 2 in the last dimension
/// except for k = 0 and k = n/2, else 1). The phase is reduced modulo n in integers first.
/// The tables of a layer of precision Scalar are the double ones rounded to it.
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

template <class Scalar>
SpectralConvOf<Scalar>::SpectralConvOf(const SpectralConvShape& shape)
    : SpectralConvOf(shape, GridBlock{std::vector<int>(shape.grid.size(), 0), shape.grid},
                     MPI_COMM_SELF) {}

template <class Scalar>
SpectralConvOf<Scalar>::SpectralConvOf(const SpectralConvShape& shape, const GridBlock& block,
                                       MPI_Comm space)
    : shape_(shape), block_(block), space_(space) {
  const int dims = static_cast<int>(shape.grid.size());
  TESSERA_CHECK(dims == 2 || dims == 3,
                "SpectralConv: the grid has " << dims << " dimensions; 2 or 3 are supported");
  TESSERA_CHECK(shape.in_channels >= 1 && shape.out_channels >= 1,
                "SpectralConv: channels must be positive, not " << shape.in_channels << " in, "
                                                                << shape.out_channels << " out");
  TESSERA_CHECK(static_cast<int>(shape.modes.size()) == dims &&
                    static_cast<int>(block.offset.size()) == dims &&
                    static_cast<int>(block.extent.size()) == dims,
                "SpectralConv: modes, block offset and block extent need one entry per grid "
                "dimension ("
                    << dims << ")");
  local_points_ = 1;
  kept_modes_ = 1;
  corner_modes_ = 1;
  for (int d = 0; d < dims; ++d) {
    const int n = shape.grid[d], m = shape.modes[d];
    const bool last = d == dims - 1;
    TESSERA_CHECK(n >= 1 && m >= 1, "SpectralConv: dimension " << d + 1 << " has " << n
                                                               << " points and " << m
                                                               << " modes; both must be >= 1");
    if (last)
      TESSERA_CHECK(m <= n / 2 + 1, "SpectralConv: " << m << " modes in the last dimension (of "
                                                     << n << " points) are above the Nyquist "
                                                     << "limit n/2 + 1 = " << n / 2 + 1);
    else
      TESSERA_CHECK(2 * m <= n, "SpectralConv: " << m << " modes in dimension " << d + 1 << " (of "
                                                 << n << " points) are above the "
                                                 << "Nyquist limit n/2 = " << n / 2
                                                 << " (the kept modes are k < m and k >= n - m)");
    TESSERA_CHECK(
        block.offset[d] >= 0 && block.extent[d] >= 1 && block.offset[d] + block.extent[d] <= n,
        "SpectralConv: the block [" << block.offset[d] << ", " << block.offset[d] + block.extent[d]
                                    << ") of dimension " << d + 1
                                    << " is empty or outside the grid's " << n << " points");
    kept_.push_back(last ? m : 2 * m);
    local_points_ *= block.extent[d];
    kept_modes_ *= kept_.back();
    corner_modes_ *= m;
  }
  long global = 1;
  for (int n : shape.grid) global *= n;
  long covered = local_points_;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &covered, 1, MPI_LONG, MPI_SUM, space));
  TESSERA_CHECK(covered == global, "SpectralConv: the ranks' blocks hold "
                                       << covered << " points in all, the grid " << global);
  if (factorized())
    factorized_ = FactorizedWeight(shape.factorization, shape.rank, shape.tucker_ranks,
                                   shape.in_channels, shape.out_channels, kept_);
  parameter_count_ = factorized() ? factorized_.parameter_count() : dense_parameter_count();
  parameters_ = Values("tessera::nn::spectral_conv_parameters", parameter_count_);

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
    fill_dft_tables(forward_real_[d], forward_imag_[d], shape.grid[d], block.offset[d],
                    shape.modes[d], last, false);
    fill_dft_tables(inverse_real_[d], inverse_imag_[d], shape.grid[d], block.offset[d],
                    shape.modes[d], last, true);
  }

  // Kept mode k = C-order index of (q_1, ..., q_D), q_d < K_d -> corner j and corner-local a.
  mode_weight_ = Kokkos::View<long*>("tessera::nn::spectral_mode_weight", kept_modes_);
  auto host = Kokkos::create_mirror_view(mode_weight_);
  const long block_size = corner_modes_ * shape.in_channels * shape.out_channels;
  for (long k = 0; k < kept_modes_; ++k) {
    long rest = k, a = 0, corner = 0, a_stride = 1;
    for (int d = dims - 1; d >= 0; --d) {
      const int q = static_cast<int>(rest % kept_[d]), m = shape.modes[d];
      rest /= kept_[d];
      const bool negative = d < dims - 1 && q >= m;
      if (negative) corner += 1L << d;
      a += (negative ? q - m : q) * a_stride;
      a_stride *= m;
    }
    host(k) = corner * block_size + a;
  }
  Kokkos::deep_copy(mode_weight_, host);
}

template <class Scalar>
void SpectralConvOf<Scalar>::bind(const Values& parameters) {
  TESSERA_CHECK(long(parameters.extent(0)) == parameter_count_,
                "SpectralConv::bind: the parameters hold "
                    << parameters.extent(0) << " values, the layer needs " << parameter_count_);
  parameters_ = parameters;
}

SpectralInit spectral_init_from_name(const std::string& name) {
  if (name == "paper") return SpectralInit::Paper;
  if (name == "neuraloperator") return SpectralInit::Neuraloperator;
  TESSERA_THROW("unknown spectral initialisation '" << name
                                                    << "'; expected paper or neuraloperator");
}

template <class Scalar>
void SpectralConvOf<Scalar>::initialize(std::uint64_t seed) {
  const double in = shape_.in_channels, out = shape_.out_channels, c = 1.0 / (in * out);
  const bool paper = shape_.init == SpectralInit::Paper;
  if (factorized()) {
    factorized_.initialize(seed, parameters_, paper ? 2.0 * c * c / 3.0 : 2.0 / (in + out));
    return;
  }
  auto host = Kokkos::create_mirror_view(parameters_);
  std::uint64_t state = splitmix64(seed);
  const double deviation = std::sqrt(1.0 / (in + out));  // of re and of im: E|W|^2 = 2/(in + out)
  for (long p = 0; p < parameter_count_; ++p)
    host(p) =
        static_cast<Scalar>(paper ? c * uniform_unit(state) : deviation * standard_normal(state));
  Kokkos::deep_copy(parameters_, host);
}

template <class Scalar>
long SpectralConvOf<Scalar>::points_before(int d) const {
  long p = 1;
  for (int e = 0; e < d; ++e) p *= block_.extent[e];
  return p;
}

template <class Scalar>
long SpectralConvOf<Scalar>::modes_after(int d) const {
  long k = 1;
  for (int e = d + 1; e < dimensions(); ++e) k *= kept_[e];
  return k;
}

template <class Scalar>
void SpectralConvOf<Scalar>::prepare(Workspace& ws, int batch) const {
  TESSERA_CHECK(batch >= 1, "SpectralConv: the batch must hold at least one sample");
  const long channels = long(std::max(shape_.in_channels, shape_.out_channels)) * batch;
  // The intermediates: after to_modes' step on dimension d >= 1 (points before d, modes from d
  // on) and after to_points' step on d < D - 1 (points up to d, modes after d); complex.
  long work = 1;
  for (int d = 0; d < dimensions(); ++d) {
    if (d >= 1) work = std::max(work, 2 * points_before(d) * channels * kept_[d] * modes_after(d));
    if (d < dimensions() - 1)
      work = std::max(work, 2 * points_before(d + 1) * channels * modes_after(d));
  }
  const long in_modes = 2 * kept_modes_ * batch * shape_.in_channels;
  const long out_modes = 2 * kept_modes_ * batch * shape_.out_channels;
  if (factorized()) factorized_.prepare(ws.factorized, batch);
  if (ws.batch == batch && long(ws.input_modes.extent(0)) == in_modes &&
      long(ws.output_modes.extent(0)) == out_modes && long(ws.work_a.extent(0)) >= work)
    return;
  ws.batch = batch;
  ws.input_modes = Values("tessera::nn::spectral_input_modes", in_modes);
  ws.output_modes = Values("tessera::nn::spectral_output_modes", out_modes);
  ws.input_modes_adjoint = Values("tessera::nn::spectral_input_modes_adjoint", in_modes);
  ws.work_a = Values("tessera::nn::spectral_work_a", work);
  ws.work_b = Values("tessera::nn::spectral_work_b", work);
  const long dense = factorized() ? 0 : dense_parameter_count();
  ws.packed_weights = Values("tessera::nn::spectral_packed_weights", dense);
  ws.packed_gradient = Values("tessera::nn::spectral_packed_gradient", dense);
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    ws.staging = Kokkos::View<double*, Kokkos::HostSpace>(
        "tessera::nn::spectral_staging",
        std::max(ws.input_modes.extent(0), ws.output_modes.extent(0)));
}

template <class Scalar>
void SpectralConvOf<Scalar>::to_modes(const Scalar* in, Scalar* out, long channels,
                                      const std::vector<MatrixOf<Scalar>>& real,
                                      const std::vector<MatrixOf<Scalar>>& imag,
                                      Workspace& ws) const {
  // Step on dimension d (last first): the block's index l_d is the fastest of src, and becomes
  // the mode q_d, the slowest but for re/im, of dst: dst = src_re^T real + src_im^T imag.
  const Scalar* src = in;
  for (int d = dimensions() - 1, step = 0; d >= 0; --d, ++step) {
    Scalar* dst = d == 0 ? out : (step % 2 == 0 ? ws.work_a.data() : ws.work_b.data());
    const long e = block_.extent[d], rest = points_before(d) * channels * modes_after(d);
    UnmanagedMatrixOf<Scalar> result(dst, rest, 2 * kept_[d]);
    KokkosBlas::gemm("T", "N", 1.0, ConstUnmanagedMatrix<Scalar>(src, e, rest), real[d], 0.0,
                     result);
    if (d < dimensions() - 1)  // complex input from the second step on
      KokkosBlas::gemm("T", "N", 1.0, ConstUnmanagedMatrix<Scalar>(src + e * rest, e, rest),
                       imag[d], 1.0, result);
    src = dst;
  }
}

template <class Scalar>
void SpectralConvOf<Scalar>::to_points(const Scalar* in, Scalar* out, long channels,
                                       const std::vector<MatrixOf<Scalar>>& real,
                                       const std::vector<MatrixOf<Scalar>>& imag,
                                       Workspace& ws) const {
  // Step on dimension d (first first): the mode q_d, slowest but for re/im of src, becomes the
  // block's index l_d, the fastest of dst: dst_re = real src^T, dst_im = imag src^T; the last
  // step keeps the real part only.
  const Scalar* src = in;
  const int dims = dimensions();
  for (int d = 0; d < dims; ++d) {
    Scalar* dst = d == dims - 1 ? out : (d % 2 == 0 ? ws.work_a.data() : ws.work_b.data());
    const long e = block_.extent[d], rest = points_before(d) * channels * modes_after(d);
    const ConstUnmanagedMatrix<Scalar> coefficients(src, rest, 2 * kept_[d]);
    KokkosBlas::gemm("N", "T", 1.0, real[d], coefficients, 0.0,
                     UnmanagedMatrixOf<Scalar>(dst, e, rest));
    if (d < dims - 1)
      KokkosBlas::gemm("N", "T", 1.0, imag[d], coefficients, 0.0,
                       UnmanagedMatrixOf<Scalar>(dst + e * rest, e, rest));
    src = dst;
  }
}

template <class Scalar>
void SpectralConvOf<Scalar>::allreduce(const Values& modes, Workspace& ws) const {
  ProfilingRegion region("tessera::nn::spectral_allreduce");
  allreduce_sum(space_, modes, ws.staging);
}

template <class Scalar>
int batch_of(const char* caller, const VectorOf<Scalar>& x, long in_per_sample,
             const VectorOf<Scalar>& y, long out_per_sample) {
  TESSERA_CHECK(x.extent(0) > 0 && long(x.extent(0)) % in_per_sample == 0,
                caller << ": the input holds " << x.extent(0)
                       << " values, not a multiple of in_channels x block = " << in_per_sample);
  const long batch = long(x.extent(0)) / in_per_sample;
  TESSERA_CHECK(long(y.extent(0)) == batch * out_per_sample,
                caller << ": the output holds " << y.extent(0)
                       << " values, not batch x out_channels x block = " << batch * out_per_sample);
  return static_cast<int>(batch);
}

template <class Scalar>
void SpectralConvOf<Scalar>::forward(const Values& x, const Values& y, Workspace& ws) const {
  const int batch = batch_of("SpectralConv::forward", x, shape_.in_channels * local_points_, y,
                             shape_.out_channels * local_points_);
  prepare(ws, batch);
  {
    ProfilingRegion region("tessera::nn::spectral_forward_dft");
    to_modes(x.data(), ws.input_modes.data(), long(batch) * shape_.in_channels, forward_real_,
             forward_imag_, ws);
  }
  allreduce(ws.input_modes, ws);
  {
    ProfilingRegion region("tessera::nn::spectral_mixing");
    if (factorized()) {
      factorized_.forward(parameters_, ws.input_modes, ws.output_modes, batch, ws.factorized);
    } else {
      const MixShape mix{kept_modes_, batch, shape_.in_channels, shape_.out_channels,
                         corner_modes_};
      spectral_mix_pack(mix, parameters_, mode_weight_, ws.packed_weights);
      spectral_mix_packed("tessera::nn::spectral_mix", mix, false, ws.input_modes,
                          ws.packed_weights, ws.output_modes);
    }
  }
  ProfilingRegion region("tessera::nn::spectral_inverse_dft");
  to_points(ws.output_modes.data(), y.data(), long(batch) * shape_.out_channels, inverse_real_,
            inverse_imag_, ws);
}

template <class Scalar>
void SpectralConvOf<Scalar>::backward(const Values& dy, const Values& dx, const Values& gradient,
                                      Workspace& ws) const {
  const long batch = ws.batch;
  TESSERA_CHECK(batch > 0 && long(dy.extent(0)) == batch * shape_.out_channels * local_points_ &&
                    long(dx.extent(0)) == batch * shape_.in_channels * local_points_,
                "SpectralConv::backward: dy and dx must match the last forward's batch ("
                    << batch << " samples)");
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count_,
                "SpectralConv::backward: the gradient holds "
                    << gradient.extent(0) << " values, not " << parameter_count_);
  // Adjoint of the inverse: irfftn's tables through to_modes, then the allreduce. (The regions
  // of the adjoints carry their transform's label: the enclosing pass tells them apart.)
  {
    ProfilingRegion region("tessera::nn::spectral_inverse_dft");
    to_modes(dy.data(), ws.output_modes.data(), batch * shape_.out_channels, inverse_real_,
             inverse_imag_, ws);
  }
  allreduce(ws.output_modes, ws);
  {
    ProfilingRegion region("tessera::nn::spectral_mixing");
    if (factorized()) {
      factorized_.backward(parameters_, ws.input_modes, ws.output_modes, ws.input_modes_adjoint,
                           gradient, ws.factorized);
    } else {
      const MixShape mix{kept_modes_, batch, shape_.in_channels, shape_.out_channels,
                         corner_modes_};
      spectral_mix_packed("tessera::nn::spectral_mix_adjoint", mix, true, ws.output_modes,
                          ws.packed_weights, ws.input_modes_adjoint);
      spectral_mix_weight_adjoint_packed(mix, ws.input_modes, ws.output_modes, mode_weight_,
                                         ws.packed_gradient, gradient);
    }
  }
  // Adjoint of the forward transform, at own points.
  ProfilingRegion region("tessera::nn::spectral_forward_dft");
  to_points(ws.input_modes_adjoint.data(), dx.data(), batch * shape_.in_channels, forward_real_,
            forward_imag_, ws);
}

template <class Scalar>
SpectralConvTraffic SpectralConvOf<Scalar>::bytes_per_call(int batch) const {
  const long complex_bytes = 2 * long(sizeof(Scalar)) * kept_modes_ * batch;
  return {complex_bytes * shape_.in_channels, complex_bytes * shape_.out_channels};
}

template int batch_of(const char*, const VectorOf<double>&, long, const VectorOf<double>&, long);
template int batch_of(const char*, const VectorOf<float>&, long, const VectorOf<float>&, long);
template class SpectralConvOf<double>;
template class SpectralConvOf<float>;

}  // namespace tessera::nn
