#include "nn/fno.hpp"

#include <KokkosBlas1_axpby.hpp>
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <utility>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/random.hpp"
#include "nn/activation.hpp"

namespace tessera::nn {

namespace {

template <class Scalar>
using ConstUnmanagedMatrix =
    Kokkos::View<const Scalar**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using Team = Kokkos::TeamPolicy<>::member_type;

/// The (unpadded) grid and this rank's block of it, by value for the kernels.
struct BlockIndex {
  int dims = 0;
  int n[3] = {1, 1, 1}, offset[3] = {0, 0, 0}, extent[3] = {1, 1, 1};
};

/// a[b][c][p] = x[b][c][p] for c < in, else the coordinate linspace(0, 1, n_d)[global index] of
/// dimension d = c - in at this rank's point p.
template <class Scalar>
void append_grid(const VectorOf<Scalar>& x, const VectorOf<Scalar>& a, int batch, int in,
                 long points, const BlockIndex& g) {
  const int channels = in + g.dims;
  Kokkos::parallel_for(
      "tessera::nn::fno_append_grid", Kokkos::RangePolicy<>(0, long(batch) * channels * points),
      KOKKOS_LAMBDA(const long t) {
        const long p = t % points, c = (t / points) % channels, b = t / (points * channels);
        if (c < in) {
          a(t) = x((b * in + c) * points + p);
          return;
        }
        const int d = static_cast<int>(c - in);
        long rest = p;
        for (int e = g.dims - 1; e > d; --e) rest /= g.extent[e];
        const int global = g.offset[d] + static_cast<int>(rest % g.extent[d]);
        a(t) = static_cast<Scalar>(g.n[d] > 1 ? double(global) / (g.n[d] - 1) : 0.0);
      });
}

/// z[b][c][p] += bias[c]; with an activation output a, also a = gelu(z).
template <class Scalar>
void add_bias(const char* label, const VectorOf<Scalar>& z, const UnmanagedVectorOf<Scalar>& bias,
              long points, const VectorOf<Scalar>& a) {
  // One team per field [b][c]: the channel once per field, not two integer divisions per value.
  const long channels = long(bias.extent(0)), fields = long(z.extent(0)) / points;
  const bool activate_too = a.extent(0) > 0;
  // The activation's loop apart, on raw pointers: so that the float GELU's loop vectorises.
  Scalar* zd = z.data();
  Scalar* ad = a.data();
  Kokkos::parallel_for(
      label, Kokkos::TeamPolicy<>(fields, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
        Scalar* zf = zd + team.league_rank() * points;
        const Scalar b = bias(team.league_rank() % channels);
        if (!activate_too) {
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, points),
                               [&](const long p) { zf[p] += b; });
          return;
        }
        Scalar* af = ad + team.league_rank() * points;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, points), [&](const long p) {
          const Scalar value = zf[p] + b;
          zf[p] = value;
          af[p] = gelu(value);
        });
      });
}

/// out = in * gelu'(z), elementwise (out may be in), a = gelu(z) as the forward pass stored it.
template <class Scalar>
void gelu_adjoint(const VectorOf<Scalar>& in, const VectorOf<Scalar>& z, const VectorOf<Scalar>& a,
                  const VectorOf<Scalar>& out) {
  Kokkos::parallel_for(
      "tessera::nn::fno_gelu_adjoint", Kokkos::RangePolicy<>(0, long(out.extent(0))),
      KOKKOS_LAMBDA(const long t) { out(t) = in(t)*gelu_derivative(z(t), a(t)); });
}

/// dx[b][c][p] = da[b][c][p] for c < in (the grid channels' adjoint is dropped).
template <class Scalar>
void input_channels(const VectorOf<Scalar>& da, const VectorOf<Scalar>& dx, int in, int channels,
                    long points) {
  Kokkos::parallel_for(
      "tessera::nn::fno_input_adjoint", Kokkos::RangePolicy<>(0, long(dx.extent(0))),
      KOKKOS_LAMBDA(const long t) {
        const long p = t % points, c = (t / points) % in, b = t / (points * in);
        dx(t) = da((b * channels + c) * points + p);
      });
}

std::string with_thousands(long value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

template <class Scalar>
FnoOf<Scalar>::FnoOf(const FnoShape& shape, const std::vector<int>& grid)
    : FnoOf(shape, grid, GridBlock{std::vector<int>(grid.size(), 0), grid}, MPI_COMM_SELF) {}

template <class Scalar>
FnoOf<Scalar>::FnoOf(const FnoShape& shape, const std::vector<int>& grid, const GridBlock& block,
                     MPI_Comm space)
    : shape_(shape), grid_(grid), block_(block), space_(space) {
  const int dims = shape.dims;
  TESSERA_CHECK(dims == 2 || dims == 3, "Fno: " << dims << " dimensions; 2 or 3 are supported");
  TESSERA_CHECK(static_cast<int>(grid.size()) == dims &&
                    static_cast<int>(block.offset.size()) == dims &&
                    static_cast<int>(block.extent.size()) == dims,
                "Fno: the grid, the block offset and the block extent need "
                    << dims << " entries, one per dimension");
  TESSERA_CHECK(shape.in_channels >= 1 && shape.out_channels >= 1 && shape.width >= 1 &&
                    shape.layers >= 1 && shape.projection_width >= 1,
                "Fno: in_channels, out_channels, width, layers and projection_width must be "
                "positive");
  padding_ = FnoPadding(grid, block, shape.padding);
  shape_.padding = padding_.points;

  const int width = shape.width;
  lifting_ = {shape.in_channels + (shape.grid_coordinates ? dims : 0), width, 0};
  long offset = lifting_.parameter_count();
  const SpectralConvShape spectral_shape{
      width, width, padding_.grid, shape.modes, shape.factorization, shape.rank, {}, shape.init};
  for (int l = 0; l < shape.layers; ++l) {
    spectral_.emplace_back(spectral_shape, padding_.block, space);
    spectral_offset_.push_back(offset);
    offset += spectral_.back().parameter_count();
  }
  tail_offset_ = offset;
  for (int l = 0; l < shape.layers; ++l) {
    pointwise_.push_back({width, width, offset});
    offset += pointwise_.back().parameter_count();
  }
  projection_[0] = {width, shape.projection_width, offset};
  offset += projection_[0].parameter_count();
  projection_[1] = {shape.projection_width, shape.out_channels, offset};
  parameter_count_ = offset + projection_[1].parameter_count();

  parameters_ = Values("tessera::nn::fno_parameters", parameter_count_);
  for (int l = 0; l < shape.layers; ++l) {
    const long begin = spectral_offset_[size_t(l)];
    spectral_[size_t(l)].bind(Kokkos::subview(
        parameters_, std::make_pair(begin, begin + spectral_[size_t(l)].parameter_count())));
  }
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    staging_ =
        Kokkos::View<double*, Kokkos::HostSpace>("tessera::nn::fno_staging", parameter_count_);
}

template <class Scalar>
void FnoOf<Scalar>::initialize(std::uint64_t seed) {
  auto host = Kokkos::create_mirror_view(parameters_);
  std::uint64_t state = splitmix64(seed);
  auto draw = [&](const PointwiseLinear& layer) {
    const double bound = 1.0 / std::sqrt(double(layer.in));
    for (long k = 0; k < layer.parameter_count(); ++k)
      host(layer.offset + k) = static_cast<Scalar>(bound * (2.0 * uniform_unit(state) - 1.0));
  };
  draw(lifting_);
  for (const auto& layer : pointwise_) draw(layer);
  draw(projection_[0]);
  draw(projection_[1]);
  Kokkos::deep_copy(parameters_, host);
  // After the copy: the Fourier layers write their own slices.
  for (size_t l = 0; l < spectral_.size(); ++l) spectral_[l].initialize(splitmix64(seed + 1 + l));
}

template <class Scalar>
void FnoOf<Scalar>::prepare(Workspace& ws, int batch) const {
  TESSERA_CHECK(batch >= 1, "Fno: the batch must hold at least one sample");
  const int layers = shape_.layers;
  const long b = batch, width = shape_.width, p0 = local_points(), p = padded_local_points();
  if (ws.batch == batch && static_cast<int>(ws.hidden.size()) == layers &&
      long(ws.lift_input.extent(0)) == b * lifting_.in * p0 &&
      long(ws.hidden.front().extent(0)) == b * width * p &&
      long(ws.projection.extent(0)) == b * shape_.projection_width * p0)
    return;
  auto vector = [](const char* label, long n) {
    return Values(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), n);
  };
  ws.batch = batch;
  ws.lift_input = vector("tessera::nn::fno_lift_input", b * lifting_.in * p0);
  ws.hidden.clear();
  ws.preactivation.clear();
  for (int l = 0; l < layers; ++l) {
    ws.hidden.push_back(vector("tessera::nn::fno_hidden", b * width * p));
    ws.preactivation.push_back(vector("tessera::nn::fno_preactivation", b * width * p));
  }
  ws.adjoint_z = vector("tessera::nn::fno_adjoint_z", b * width * p);
  ws.adjoint_h = vector("tessera::nn::fno_adjoint_h", b * width * p);
  if (padded()) {
    ws.lifted = vector("tessera::nn::fno_lifted", b * width * p0);
    ws.cropped = vector("tessera::nn::fno_cropped", b * width * p0);
    ws.adjoint_cropped = vector("tessera::nn::fno_adjoint_cropped", b * width * p0);
    ws.adjoint_lifted = vector("tessera::nn::fno_adjoint_lifted", b * width * p0);
  } else {
    ws.lifted = ws.hidden.front();
    ws.cropped = ws.preactivation.back();
    ws.adjoint_cropped = ws.adjoint_z;
    ws.adjoint_lifted = ws.adjoint_h;
  }
  const long projection = b * shape_.projection_width * p0;
  ws.projection_preactivation = vector("tessera::nn::fno_projection_preactivation", projection);
  ws.projection = vector("tessera::nn::fno_projection", projection);
  ws.adjoint_projection = vector("tessera::nn::fno_adjoint_projection", projection);
  ws.adjoint_lift_input = shape_.grid_coordinates
                              ? vector("tessera::nn::fno_adjoint_lift_input", b * lifting_.in * p0)
                              : Values();
  ws.spectral.assign(size_t(layers), SpectralConvWorkspaceOf<Scalar>());
  for (int l = 0; l < layers; ++l) spectral_[size_t(l)].prepare(ws.spectral[size_t(l)], batch);
  const long pointwise = lifting_.parameter_count() + parameter_count_ - tail_offset_;
  ws.pointwise_gradient = Values("tessera::nn::fno_pointwise_gradient", pointwise);
  ws.ones = Values("tessera::nn::fno_ones", std::max(p0, p));
  Kokkos::deep_copy(ws.ones, Scalar(1));
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    ws.staging =
        Kokkos::View<double*, Kokkos::HostSpace>("tessera::nn::fno_gradient_staging", pointwise);
}

template <class Scalar>
void FnoOf<Scalar>::linear(const PointwiseLinear& layer, bool adjoint, const Values& from,
                           const Values& to, long points, int batch, double beta) const {
  // Per sample: [points x in] M = [points x out], M the weight (out, in) in C order; the adjoint
  // [points x out] M^T = [points x in].
  const ConstUnmanagedMatrix<Scalar> m(parameters_.data() + layer.offset, layer.in, layer.out);
  const long from_channels = adjoint ? layer.out : layer.in;
  const long to_channels = adjoint ? layer.in : layer.out;
  for (long b = 0; b < batch; ++b)
    KokkosBlas::gemm(
        "N", adjoint ? "T" : "N", 1.0,
        ConstUnmanagedMatrix<Scalar>(from.data() + b * from_channels * points, points,
                                     from_channels),
        m, beta,
        UnmanagedMatrixOf<Scalar>(to.data() + b * to_channels * points, points, to_channels));
}

template <class Scalar>
UnmanagedVectorOf<Scalar> FnoOf<Scalar>::pointwise_gradient(const PointwiseLinear& layer,
                                                            const Values& buffer) const {
  const long at = layer.offset < tail_offset_
                      ? layer.offset
                      : layer.offset - tail_offset_ + lifting_.parameter_count();
  return UnmanagedVectorOf<Scalar>(buffer.data() + at, layer.parameter_count());
}

template <class Scalar>
void FnoOf<Scalar>::linear_backward(const PointwiseLinear& layer, const Values& x, const Values& dy,
                                    const Values& gradient, const Values& ones, long points,
                                    int batch) const {
  // dM += sum over samples of [points x in]^T [points x out]; the bias' gradient after M's, the
  // sum over points as a GEMV with ones.
  const UnmanagedVectorOf<Scalar> g = pointwise_gradient(layer, gradient);
  const UnmanagedMatrixOf<Scalar> dm(g.data(), layer.in, layer.out);
  const UnmanagedVectorOf<Scalar> db(g.data() + long(layer.in) * layer.out, layer.out);
  const auto ones_p = Kokkos::subview(ones, std::make_pair(0L, points));
  for (long b = 0; b < batch; ++b) {
    const ConstUnmanagedMatrix<Scalar> dy_b(dy.data() + b * layer.out * points, points, layer.out);
    KokkosBlas::gemm(
        "T", "N", 1.0,
        ConstUnmanagedMatrix<Scalar>(x.data() + b * layer.in * points, points, layer.in), dy_b, 1.0,
        dm);
    KokkosBlas::gemv("T", 1.0, dy_b, ones_p, 1.0, db);
  }
}

template <class Scalar>
void FnoOf<Scalar>::forward(const Values& x, const Values& y, Workspace& ws) const {
  const int batch = batch_of("Fno::forward", x, shape_.in_channels * local_points(), y,
                             shape_.out_channels * local_points());
  prepare(ws, batch);
  ProfilingRegion region("tessera::nn::fno_forward");
  const long p0 = local_points(), p = padded_local_points();
  auto bias = [&](const PointwiseLinear& layer) {
    return UnmanagedVectorOf<Scalar>(parameters_.data() + layer.offset + long(layer.in) * layer.out,
                                     layer.out);
  };

  {
    ProfilingRegion lifting("tessera::nn::fno_lifting");
    if (shape_.grid_coordinates) {
      BlockIndex g;
      g.dims = shape_.dims;
      for (int d = 0; d < g.dims; ++d) {
        g.n[d] = grid_[size_t(d)];
        g.offset[d] = block_.offset[size_t(d)];
        g.extent[d] = block_.extent[size_t(d)];
      }
      append_grid(x, ws.lift_input, batch, shape_.in_channels, p0, g);
    } else {
      Kokkos::deep_copy(ws.lift_input, x);
    }
    linear(lifting_, false, ws.lift_input, ws.lifted, p0, batch, 0.0);
    add_bias("tessera::nn::fno_bias", ws.lifted, bias(lifting_), p0, Values());
    if (padded()) pad_points(padding_, ws.lifted, ws.hidden.front());
  }

  const int last = shape_.layers - 1;
  for (int l = 0; l <= last; ++l) {
    const Values& h = ws.hidden[size_t(l)];
    const Values& z = ws.preactivation[size_t(l)];
    spectral_[size_t(l)].forward(h, z, ws.spectral[size_t(l)]);
    ProfilingRegion pointwise("tessera::nn::fno_pointwise");
    linear(pointwise_[size_t(l)], false, h, z, p, batch, 1.0);
    add_bias("tessera::nn::fno_bias_gelu", z, bias(pointwise_[size_t(l)]), p,
             l < last ? ws.hidden[size_t(l + 1)] : Values());
  }

  ProfilingRegion projection("tessera::nn::fno_projection");
  if (padded()) crop_points(padding_, ws.preactivation.back(), ws.cropped);
  linear(projection_[0], false, ws.cropped, ws.projection_preactivation, p0, batch, 0.0);
  add_bias("tessera::nn::fno_bias_gelu", ws.projection_preactivation, bias(projection_[0]), p0,
           ws.projection);
  linear(projection_[1], false, ws.projection, y, p0, batch, 0.0);
  add_bias("tessera::nn::fno_bias", y, bias(projection_[1]), p0, Values());
}

template <class Scalar>
void FnoOf<Scalar>::backward(const Values& dy, const Values& gradient, Workspace& ws,
                             const Values& dx) const {
  const int batch = ws.batch;
  const long p0 = local_points(), p = padded_local_points();
  TESSERA_CHECK(batch > 0 && long(dy.extent(0)) == batch * shape_.out_channels * p0,
                "Fno::backward: dy must match the last forward's batch (" << batch << " samples)");
  TESSERA_CHECK(dx.extent(0) == 0 || long(dx.extent(0)) == batch * shape_.in_channels * p0,
                "Fno::backward: dx holds " << dx.extent(0) << " values, not batch x in_channels "
                                           << "x block = " << batch * shape_.in_channels * p0);
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count_,
                "Fno::backward: the gradient holds " << gradient.extent(0) << " values, not "
                                                     << parameter_count_);
  ProfilingRegion region("tessera::nn::fno_backward");
  const Values& pg = ws.pointwise_gradient;
  Kokkos::deep_copy(pg, Scalar(0));

  // Projection: fc2, gelu, fc1.
  {
    ProfilingRegion projection("tessera::nn::fno_projection");
    linear_backward(projection_[1], ws.projection, dy, pg, ws.ones, p0, batch);
    linear(projection_[1], true, dy, ws.adjoint_projection, p0, batch, 0.0);
    gelu_adjoint(ws.adjoint_projection, ws.projection_preactivation, ws.projection,
                 ws.adjoint_projection);
    linear_backward(projection_[0], ws.cropped, ws.adjoint_projection, pg, ws.ones, p0, batch);
    linear(projection_[0], true, ws.adjoint_projection, ws.adjoint_cropped, p0, batch, 0.0);
    if (padded()) pad_points(padding_, ws.adjoint_cropped, ws.adjoint_z);
  }

  // Fourier layers, last first: dz = dh_{l+1} gelu'(z_l) (dz = dh_L for the last), then
  // dh_l = K_l^T dz + W_l^T dz.
  const int last = shape_.layers - 1;
  for (int l = last; l >= 0; --l) {
    {
      ProfilingRegion pointwise("tessera::nn::fno_pointwise");
      if (l < last)
        gelu_adjoint(ws.adjoint_h, ws.preactivation[size_t(l)], ws.hidden[size_t(l + 1)],
                     ws.adjoint_z);
      linear_backward(pointwise_[size_t(l)], ws.hidden[size_t(l)], ws.adjoint_z, pg, ws.ones, p,
                      batch);
    }
    const SpectralConvOf<Scalar>& k = spectral_[size_t(l)];
    k.backward(ws.adjoint_z, ws.adjoint_h,
               Values(gradient.data() + spectral_offset_[size_t(l)], k.parameter_count()),
               ws.spectral[size_t(l)]);
    ProfilingRegion pointwise("tessera::nn::fno_pointwise");
    linear(pointwise_[size_t(l)], true, ws.adjoint_z, ws.adjoint_h, p, batch, 1.0);
  }

  // Lifting (the padded points' adjoint is dropped: they are constants).
  {
    ProfilingRegion lifting("tessera::nn::fno_lifting");
    if (padded()) crop_points(padding_, ws.adjoint_h, ws.adjoint_lifted);
    linear_backward(lifting_, ws.lift_input, ws.adjoint_lifted, pg, ws.ones, p0, batch);
    if (dx.extent(0) > 0) {
      if (shape_.grid_coordinates) {
        linear(lifting_, true, ws.adjoint_lifted, ws.adjoint_lift_input, p0, batch, 0.0);
        input_channels(ws.adjoint_lift_input, dx, shape_.in_channels, lifting_.in, p0);
      } else {
        linear(lifting_, true, ws.adjoint_lifted, dx, p0, batch, 0.0);
      }
    }
  }

  // The pointwise layers' gradient over the whole grid, added to the caller's.
  {
    ProfilingRegion reduce("tessera::nn::fno_gradient_allreduce");
    allreduce_sum(space_, pg, ws.staging);
  }
  const long lift = lifting_.parameter_count(), tail = parameter_count_ - tail_offset_;
  KokkosBlas::axpy(1.0, Kokkos::subview(pg, std::make_pair(0L, lift)),
                   Kokkos::subview(gradient, std::make_pair(0L, lift)));
  KokkosBlas::axpy(1.0, Kokkos::subview(pg, std::make_pair(lift, lift + tail)),
                   Kokkos::subview(gradient, std::make_pair(tail_offset_, parameter_count_)));
}

template <class Scalar>
void FnoOf<Scalar>::allreduce_gradient(const Values& gradient, MPI_Comm comm) const {
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count_,
                "Fno::allreduce_gradient: the gradient holds "
                    << gradient.extent(0) << " values, not " << parameter_count_);
  allreduce_sum(comm, gradient, staging_);
}

template <class Scalar>
SpectralConvTraffic FnoOf<Scalar>::bytes_per_layer(int batch) const {
  return spectral_.front().bytes_per_call(batch);
}

template <class Scalar>
std::string FnoOf<Scalar>::summary() const {
  std::ostringstream s;
  const bool factorized = shape_.factorization != Factorization::Dense;
  s << (factorized ? "TFNO-" : "FNO-") << shape_.dims << "D: width " << shape_.width << ", "
    << shape_.layers << " layers, modes ";
  for (size_t d = 0; d < shape_.modes.size(); ++d) s << (d ? "x" : "") << shape_.modes[d];
  s << ", projection " << shape_.projection_width;
  if (std::any_of(shape_.padding.begin(), shape_.padding.end(), [](int p) { return p > 0; })) {
    s << ", padding ";
    for (size_t d = 0; d < shape_.padding.size(); ++d) s << (d ? "x" : "") << shape_.padding[d];
  }
  if (shape_.grid_coordinates) s << ", grid coordinates";
  if (factorized) {
    const long dense = shape_.layers * spectral_.front().dense_parameter_count();
    const long kept = shape_.layers * spectral_.front().parameter_count();
    s << ", " << spectral_.front().factorized_weight().describe() << ", spectral weights "
      << with_thousands(dense) << " -> " << with_thousands(kept) << " (compression " << std::fixed
      << std::setprecision(2) << double(dense) / double(kept) << "x)";
  }
  s << ", " << with_thousands(parameter_count_) << " parameters";
  return s.str();
}

template class FnoOf<double>;
template class FnoOf<float>;

}  // namespace tessera::nn
