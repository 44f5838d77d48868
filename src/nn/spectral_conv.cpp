#include "nn/spectral_conv.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/random.hpp"
#include "nn/spectral_mix.hpp"

namespace tessera::nn {

template <class Scalar>
SpectralConvOf<Scalar>::SpectralConvOf(const SpectralConvShape& shape)
    : SpectralConvOf(shape, GridBlock{std::vector<int>(shape.grid.size(), 0), shape.grid},
                     MPI_COMM_SELF) {}

template <class Scalar>
SpectralConvOf<Scalar>::SpectralConvOf(const SpectralConvShape& shape, const GridBlock& block,
                                       MPI_Comm space)
    : shape_(shape),
      block_(block),
      space_(space),
      dft_("SpectralConv", shape.grid, shape.modes, block) {
  TESSERA_CHECK(shape.in_channels >= 1 && shape.out_channels >= 1,
                "SpectralConv: channels must be positive, not " << shape.in_channels << " in, "
                                                                << shape.out_channels << " out");
  const int dims = dimensions();
  const std::vector<int>& kept = dft_.kept();
  local_points_ = dft_.local_points();
  kept_modes_ = dft_.kept_modes();
  corner_modes_ = product(shape.modes);
  long global = 1;
  for (int n : shape.grid) global *= n;
  long covered = local_points_;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &covered, 1, MPI_LONG, MPI_SUM, space));
  TESSERA_CHECK(covered == global, "SpectralConv: the ranks' blocks hold "
                                       << covered << " points in all, the grid " << global);
  if (factorized())
    factorized_ = FactorizedWeight(shape.factorization, shape.rank, shape.tucker_ranks,
                                   shape.in_channels, shape.out_channels, kept);
  parameter_count_ = factorized() ? factorized_.parameter_count() : dense_parameter_count();
  parameters_ = Values("tessera::nn::spectral_conv_parameters", parameter_count_);

  // Kept mode k = C-order index of (q_1, ..., q_D), q_d < K_d -> corner j and corner-local a.
  mode_weight_ = Kokkos::View<long*>("tessera::nn::spectral_mode_weight", kept_modes_);
  auto host = Kokkos::create_mirror_view(mode_weight_);
  const long block_size = corner_modes_ * shape.in_channels * shape.out_channels;
  for (long k = 0; k < kept_modes_; ++k) {
    long rest = k, a = 0, corner = 0, a_stride = 1;
    for (int d = dims - 1; d >= 0; --d) {
      const int q = static_cast<int>(rest % kept[d]), m = shape.modes[d];
      rest /= kept[d];
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
void SpectralConvOf<Scalar>::prepare(Workspace& ws, int batch) const {
  TESSERA_CHECK(batch >= 1, "SpectralConv: the batch must hold at least one sample");
  const long channels = long(std::max(shape_.in_channels, shape_.out_channels)) * batch;
  const long work = dft_.work_size(channels);
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
    dft_.forward(x.data(), ws.input_modes.data(), long(batch) * shape_.in_channels,
                 ws.work_a.data(), ws.work_b.data());
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
  dft_.inverse(ws.output_modes.data(), y.data(), long(batch) * shape_.out_channels,
               ws.work_a.data(), ws.work_b.data());
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
    dft_.inverse_adjoint(dy.data(), ws.output_modes.data(), batch * shape_.out_channels,
                         ws.work_a.data(), ws.work_b.data());
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
  dft_.forward_adjoint(ws.input_modes_adjoint.data(), dx.data(), batch * shape_.in_channels,
                       ws.work_a.data(), ws.work_b.data());
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
