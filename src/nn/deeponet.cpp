#include "nn/deeponet.hpp"

#include <KokkosBlas3_gemm.hpp>

#include <sstream>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "core/random.hpp"

namespace tessera::nn {

namespace {

using Team = Kokkos::TeamPolicy<>::member_type;

MlpShape branch_shape(const DeepOnetShape& s) {
  MlpShape m;
  m.inputs = s.sensors + s.task_inputs;
  m.outputs = s.features * s.out_channels;
  m.width = s.branch_width;
  m.depth = s.branch_depth;
  m.activation = s.activation;
  return m;
}

MlpShape trunk_shape(const DeepOnetShape& s) {
  MlpShape m;
  m.inputs = s.coordinates;
  m.outputs = s.features;
  m.width = s.trunk_width;
  m.depth = s.trunk_depth;
  m.activation = s.activation;
  return m;
}

const DeepOnetShape& checked(const DeepOnetShape& s) {
  TESSERA_CHECK(s.sensors >= 1 && s.task_inputs >= 0 && s.coordinates >= 1 && s.features >= 1 &&
                    s.out_channels >= 1,
                "DeepOnet: sensors (" << s.sensors << "), coordinates (" << s.coordinates
                                      << "), features (" << s.features << ") and channels ("
                                      << s.out_channels << ") must be positive, task inputs ("
                                      << s.task_inputs << ") >= 0");
  return s;
}

/// [sensors; tasks] column by column: the MT branch input.
void concatenate_branch_input(const Matrix& sensors, const Matrix& tasks, const Matrix& input) {
  const int m = static_cast<int>(sensors.extent(0)), q = static_cast<int>(tasks.extent(0));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_branch_input",
      Kokkos::RangePolicy<>(0, static_cast<long>(input.extent(1))), KOKKOS_LAMBDA(const long b) {
        for (int i = 0; i < m; ++i) input(i, b) = sensors(i, b);
        for (int i = 0; i < q; ++i) input(m + i, b) = tasks(i, b);
      });
}

/// t = act(z) (or z without the output activation), elementwise over N x p.
void trunk_activation(Activation act, bool activated, const Matrix& z, const Matrix& t) {
  const int p = static_cast<int>(z.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_trunk_activation", Kokkos::RangePolicy<>(0, long(z.extent(0)) * p),
      KOKKOS_LAMBDA(const long e) {
        const long n = z.extent(0), j = e % n, k = e / n;
        t(j, k) = activated ? activate(act, z(j, k)) : z(j, k);
      });
}

/// dL/dz = dL/dt act'(z), in place over tbar.
void trunk_activation_adjoint(Activation act, bool activated, const Matrix& z, const Matrix& t,
                              const Matrix& tbar) {
  if (!activated) return;
  const int p = static_cast<int>(z.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_trunk_activation_adjoint",
      Kokkos::RangePolicy<>(0, long(z.extent(0)) * p), KOKKOS_LAMBDA(const long e) {
        const long n = z.extent(0), j = e % n, k = e / n;
        double d1, d2, d3;
        activation_derivatives(act, z(j, k), t(j, k), d1, d2, d3);
        tbar(j, k) *= d1;
      });
}

/// G(i, c N + j) = b0_c: the cartesian output before the channels' GEMMs add b_c t^T.
void fill_bias(const double* bias, const Matrix& g, int points) {
  Kokkos::parallel_for(
      "tessera::nn::deeponet_bias",
      Kokkos::MDRangePolicy<Kokkos::Rank<2, Kokkos::Iterate::Left>>(
          {0, 0}, {long(g.extent(0)), long(g.extent(1))}),
      KOKKOS_LAMBDA(const long i, const long col) { g(i, col) = bias[col / points]; });
}

/// Aligned: G(i, c) = sum_k b(i, c p + k) t(i, k) + b0_c.
void aligned_dot(const Matrix& b, const Matrix& t, const double* bias, const Matrix& g) {
  const int p = static_cast<int>(t.extent(1)), channels = static_cast<int>(g.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_aligned_dot", Kokkos::RangePolicy<>(0, long(g.extent(0))),
      KOKKOS_LAMBDA(const long i) {
        for (int c = 0; c < channels; ++c) {
          double sum = bias[c];
          for (int k = 0; k < p; ++k) sum += b(i, c * p + k) * t(i, k);
          g(i, c) = sum;
        }
      });
}

/// Aligned reverse: dL/db(i, c p + k) = gbar(i, c) t(i, k), dL/dt(i, k) = sum_c gbar(i, c)
/// b(i, c p + k).
void aligned_dot_adjoint(const Matrix& b, const Matrix& t, const Matrix& gbar, const Matrix& bbar,
                         const Matrix& tbar) {
  const int p = static_cast<int>(t.extent(1)), channels = static_cast<int>(gbar.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_aligned_dot_adjoint", Kokkos::RangePolicy<>(0, long(gbar.extent(0))),
      KOKKOS_LAMBDA(const long i) {
        for (int k = 0; k < p; ++k) {
          double sum = 0;
          for (int c = 0; c < channels; ++c) {
            bbar(i, c * p + k) = gbar(i, c) * t(i, k);
            sum += gbar(i, c) * b(i, c * p + k);
          }
          tbar(i, k) = sum;
        }
      });
}

/// gradient[c] += sum of channel c's block of gbar (columns [c cols, (c + 1) cols)): one team
/// per channel.
void bias_gradient(const Matrix& gbar, int cols, double* gradient) {
  const int channels = static_cast<int>(gbar.extent(1)) / cols;
  const long rows = long(gbar.extent(0)), entries = rows * cols;
  Kokkos::parallel_for(
      "tessera::nn::deeponet_bias_gradient", Kokkos::TeamPolicy<>(channels, Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const int c = team.league_rank();
        double sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, entries),
            [&](const long e, double& s) { s += gbar(e % rows, c * cols + e / rows); }, sum);
        Kokkos::single(Kokkos::PerTeam(team), [&]() { gradient[c] += sum; });
      });
}

auto columns(const Matrix& m, long begin, long end) {
  return Kokkos::subview(m, Kokkos::ALL(), std::make_pair(begin, end));
}

}  // namespace

DeepOnet::DeepOnet(const DeepOnetShape& shape)
    : shape_(checked(shape)), branch_(branch_shape(shape)), trunk_(trunk_shape(shape)) {
  parameter_count_ = branch_.parameter_count() + trunk_.parameter_count() + shape.out_channels;
  parameters_ = Vector("tessera::nn::deeponet_parameters", parameter_count_);
  branch_.bind(Kokkos::subview(parameters_, std::make_pair(0L, trunk_offset())));
  trunk_.bind(Kokkos::subview(parameters_, std::make_pair(trunk_offset(), bias_offset())));
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    staging_ =
        Kokkos::View<double*, Kokkos::HostSpace>("tessera::nn::deeponet_staging", parameter_count_);
}

void DeepOnet::initialize(std::uint64_t seed) {
  branch_.initialize_glorot(seed);
  trunk_.initialize_glorot(splitmix64(seed));
  Kokkos::deep_copy(Kokkos::subview(parameters_, std::make_pair(bias_offset(), parameter_count_)),
                    0.0);
}

void DeepOnet::prepare(DeepOnetWorkspace& ws, DeepOnetForm form, int functions, int points) const {
  if (form == DeepOnetForm::Aligned) points = functions;
  TESSERA_CHECK(functions >= 1 && points >= 1,
                "DeepOnet::prepare: " << functions << " functions at " << points << " points");
  branch_.prepare(ws.branch, JetOrder::Value, functions);
  trunk_.prepare(ws.trunk, JetOrder::Value, points);
  if (ws.form == form && ws.functions == functions && ws.points == points &&
      ws.output.extent(0) > 0)
    return;
  ws.form = form;
  ws.functions = functions;
  ws.points = points;
  const int p = shape_.features, channels = shape_.out_channels;
  if (shape_.task_inputs > 0)
    ws.branch_input = Matrix("tessera::nn::deeponet_branch_input",
                             shape_.sensors + shape_.task_inputs, functions);
  ws.trunk_features = Matrix("tessera::nn::deeponet_trunk_features", points, p);
  ws.output = Matrix("tessera::nn::deeponet_output", functions,
                     form == DeepOnetForm::Cartesian ? long(channels) * points : channels);
  ws.branch_adjoint = Matrix("tessera::nn::deeponet_branch_adjoint", functions, long(channels) * p);
  ws.trunk_adjoint = Matrix("tessera::nn::deeponet_trunk_adjoint", points, p);
}

const Matrix& DeepOnet::forward(const Matrix& sensors, const Matrix& tasks, const Matrix& points,
                                DeepOnetWorkspace& ws) const {
  const long b = ws.functions, n = ws.points;
  TESSERA_CHECK(long(sensors.extent(0)) == shape_.sensors && long(sensors.extent(1)) == b &&
                    long(tasks.extent(0)) == shape_.task_inputs &&
                    (shape_.task_inputs == 0 || long(tasks.extent(1)) == b) &&
                    long(points.extent(0)) == shape_.coordinates && long(points.extent(1)) == n,
                "DeepOnet::forward: sensors "
                    << sensors.extent(0) << " x " << sensors.extent(1) << ", tasks "
                    << tasks.extent(0) << " x " << tasks.extent(1) << ", points "
                    << points.extent(0) << " x " << points.extent(1) << "; the workspace expects "
                    << shape_.sensors << " x " << b << ", " << shape_.task_inputs << " x " << b
                    << ", " << shape_.coordinates << " x " << n);
  if (shape_.task_inputs > 0) {
    concatenate_branch_input(sensors, tasks, ws.branch_input);
    branch_.forward(ws.branch_input, ws.branch);
  } else {
    branch_.forward(sensors, ws.branch);
  }
  trunk_.forward(points, ws.trunk);
  trunk_activation(shape_.activation, shape_.trunk_output_activation, ws.trunk.output(),
                   ws.trunk_features);
  const Matrix& bf = ws.branch.output();
  const double* bias = parameters_.data() + bias_offset();
  const int p = shape_.features;
  if (ws.form == DeepOnetForm::Aligned) {
    aligned_dot(bf, ws.trunk_features, bias, ws.output);
    return ws.output;
  }
  fill_bias(bias, ws.output, static_cast<int>(n));
  for (int c = 0; c < shape_.out_channels; ++c)
    KokkosBlas::gemm("N", "T", 1.0, columns(bf, long(c) * p, long(c + 1) * p), ws.trunk_features,
                     1.0, columns(ws.output, c * n, (c + 1) * n));
  return ws.output;
}

void DeepOnet::backward(DeepOnetWorkspace& ws, const Matrix& output_adjoint,
                        const Vector& gradient) const {
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count_ &&
                    output_adjoint.extent(0) == ws.output.extent(0) &&
                    output_adjoint.extent(1) == ws.output.extent(1),
                "DeepOnet::backward: gradient of "
                    << gradient.extent(0) << " (expected " << parameter_count_ << "), adjoint "
                    << output_adjoint.extent(0) << " x " << output_adjoint.extent(1));
  const Matrix& bf = ws.branch.output();
  const long n = ws.points;
  const int p = shape_.features;
  if (ws.form == DeepOnetForm::Aligned) {
    aligned_dot_adjoint(bf, ws.trunk_features, output_adjoint, ws.branch_adjoint, ws.trunk_adjoint);
    bias_gradient(output_adjoint, 1, gradient.data() + bias_offset());
  } else {
    for (int c = 0; c < shape_.out_channels; ++c) {
      const auto gbar = columns(output_adjoint, c * n, (c + 1) * n);
      const auto bc = columns(bf, long(c) * p, long(c + 1) * p);
      KokkosBlas::gemm("N", "N", 1.0, gbar, ws.trunk_features, 0.0,
                       columns(ws.branch_adjoint, long(c) * p, long(c + 1) * p));
      KokkosBlas::gemm("T", "N", 1.0, gbar, bc, c == 0 ? 0.0 : 1.0, ws.trunk_adjoint);
    }
    bias_gradient(output_adjoint, static_cast<int>(n), gradient.data() + bias_offset());
  }
  trunk_activation_adjoint(shape_.activation, shape_.trunk_output_activation, ws.trunk.output(),
                           ws.trunk_features, ws.trunk_adjoint);
  trunk_.backward(ws.trunk, ws.trunk_adjoint,
                  Kokkos::subview(gradient, std::make_pair(trunk_offset(), bias_offset())));
  branch_.backward(ws.branch, ws.branch_adjoint,
                   Kokkos::subview(gradient, std::make_pair(0L, trunk_offset())));
}

void DeepOnet::allreduce_gradient(const Vector& gradient, MPI_Comm comm) const {
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count_,
                "DeepOnet::allreduce_gradient: " << gradient.extent(0) << " values, expected "
                                                 << parameter_count_);
  allreduce_sum(comm, gradient, staging_);
}

std::string DeepOnet::summary() const {
  const auto& s = shape_;
  auto layers = [](int in, int width, int depth, int out) {
    std::ostringstream o;
    o << "[" << in;
    for (int l = 0; l < depth; ++l) o << ", " << width;
    o << ", " << out << "]";
    return o.str();
  };
  std::ostringstream o;
  o << (s.task_inputs > 0 ? "MT-DeepONet" : "DeepONet") << ": branch "
    << layers(s.sensors + s.task_inputs, s.branch_width, s.branch_depth,
              s.features * s.out_channels)
    << " (" << s.sensors << " sensors";
  if (s.task_inputs > 0) o << " + " << s.task_inputs << " task inputs";
  o << "), trunk " << layers(s.coordinates, s.trunk_width, s.trunk_depth, s.features) << ", "
    << activation_name(s.activation) << (s.trunk_output_activation ? "" : " (linear trunk output)")
    << ", " << s.out_channels << (s.out_channels == 1 ? " channel, " : " channels, ")
    << parameter_count_ << " parameters";
  return o.str();
}

double squared_error(const Matrix& output, const Matrix& target, const Matrix& adjoint,
                     double scale) {
  TESSERA_CHECK(output.extent(0) == target.extent(0) && output.extent(1) == target.extent(1) &&
                    output.extent(0) == adjoint.extent(0) && output.extent(1) == adjoint.extent(1),
                "squared_error: output " << output.extent(0) << " x " << output.extent(1)
                                         << ", target " << target.extent(0) << " x "
                                         << target.extent(1) << ", adjoint " << adjoint.extent(0)
                                         << " x " << adjoint.extent(1));
  const long rows = long(output.extent(0));
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::nn::deeponet_squared_error",
      Kokkos::RangePolicy<>(0, rows * long(output.extent(1))),
      KOKKOS_LAMBDA(const long e, double& s) {
        const long i = e % rows, j = e / rows;
        const double r = output(i, j) - target(i, j);
        adjoint(i, j) = 2.0 * scale * r;
        s += r * r;
      },
      sum);
  return sum;
}

}  // namespace tessera::nn
