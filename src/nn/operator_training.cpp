#include "nn/operator_training.hpp"

#include <KokkosBlas1_dot.hpp>
#include <KokkosBlas1_scal.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/random.hpp"
#include "nn/operator_training_kernels.hpp"
#include "nn/spectral_filter.hpp"
#include "physics/les_residual.hpp"

namespace tessera::nn {

PointwiseNormalizer PointwiseNormalizer::fit(const std::vector<double>& values, long count,
                                             long per_sample, long total, MPI_Comm samples) {
  TESSERA_CHECK(total >= 2, "PointwiseNormalizer::fit: " << total << " samples; at least 2");
  TESSERA_CHECK(long(values.size()) == count * per_sample,
                "PointwiseNormalizer::fit: " << values.size() << " values for " << count
                                             << " samples of " << per_sample);
  PointwiseNormalizer n;
  n.mean.assign(size_t(per_sample), 0.0);
  n.std.assign(size_t(per_sample), 0.0);
  for (long s = 0; s < count; ++s)
    for (long p = 0; p < per_sample; ++p) n.mean[size_t(p)] += values[size_t(s * per_sample + p)];
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, n.mean.data(), int(per_sample), MPI_DOUBLE, MPI_SUM, samples));
  for (double& m : n.mean) m /= double(total);
  for (long s = 0; s < count; ++s)
    for (long p = 0; p < per_sample; ++p) {
      const double d = values[size_t(s * per_sample + p)] - n.mean[size_t(p)];
      n.std[size_t(p)] += d * d;
    }
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, n.std.data(), int(per_sample), MPI_DOUBLE, MPI_SUM, samples));
  for (double& s : n.std) s = std::sqrt(s / double(total - 1));
  return n;
}

void PointwiseNormalizer::encode(std::vector<double>& values) const {
  const size_t per_sample = mean.size();
  if (per_sample == 0) return;  // the identity
  for (size_t t = 0; t < values.size(); ++t)
    values[t] = (values[t] - mean[t % per_sample]) / (std[t % per_sample] + eps);
}

LaneSchedule::LaneSchedule(long samples, int batch, int group, int groups, std::uint64_t seed)
    : samples_(samples), batch_(batch), seed_(seed) {
  TESSERA_CHECK(
      samples >= 1 && batch >= 1 && groups >= 1 && groups <= batch && group >= 0 && group < groups,
      "LaneSchedule: " << samples << " samples, batch " << batch << ", group " << group << " of "
                       << groups << " (at most one group per batch sample)");
  // shard_range(B, g, G): lanes [g B / G, (g + 1) B / G).
  first_lane_ = int(long(group) * batch / groups);
  lanes_ = int(long(group + 1) * batch / groups) - first_lane_;
  for (long i = 0; i < samples; ++i) {
    const int lane = int(i % batch);
    if (lane >= first_lane_ && lane < first_lane_ + lanes_) held_.push_back(i);
  }
}

std::vector<int> LaneSchedule::batch(int epoch, long k) const {
  std::vector<int> index;
  for (int lane = first_lane_; lane < first_lane_ + lanes_; ++lane) {
    const long length = (samples_ - lane + batch_ - 1) / batch_;  // positions lane, lane + B, ...
    if (k >= length) continue;
    // Fisher-Yates of the lane's order, keyed by (seed, epoch, lane).
    std::vector<long> order(static_cast<size_t>(length));
    std::iota(order.begin(), order.end(), 0L);
    std::uint64_t state = splitmix64(
        seed_ ^ splitmix64(std::uint64_t(epoch) * 0x100000001b3ULL + std::uint64_t(lane)));
    for (long i = length - 1; i > 0; --i)
      std::swap(order[size_t(i)], order[size_t(long(uniform_unit(state) * double(i + 1)))]);
    const long position = lane + batch_ * order[size_t(k)];
    // held_ is ascending: the local index by binary search.
    index.push_back(int(std::lower_bound(held_.begin(), held_.end(), position) - held_.begin()));
  }
  return index;
}

int loss_terms(const OperatorTrainingConfig& config) {
  return config.scheme == OperatorScheme::Rollout ? config.records / config.frame_fields : 1;
}

OperatorTrainer::OperatorTrainer(OperatorModel& net, MPI_Comm samples,
                                 const PointwiseNormalizer& output_normalizer,
                                 const OperatorTrainingConfig& config)
    : net_(net),
      samples_(samples),
      config_(config),
      adam_(config.adam, net.parameter_count()),
      gradient_("tessera::nn::operator_gradient", net.parameter_count()) {
  const int k = config.records;
  // The data grid's points: the network's, less the space-time axis (the slowest, never split).
  const long copies = config.scheme == OperatorScheme::SpaceTime ? k : 1;
  points_ = net.local_points() / copies;
  const bool rollout = config.scheme == OperatorScheme::Rollout;
  const bool matches =
      config.scheme == OperatorScheme::Direct ? net.out_channels() == k
      : rollout ? config.frame_fields >= 1 && config.window_frames >= 1 &&
                      net.out_channels() == config.window_frames * config.frame_fields &&
                      k % config.frame_fields == 0 && net.in_channels() >= config.frame_fields
                : net.out_channels() == 1 && net.local_points() % copies == 0;
  TESSERA_CHECK(k >= 1 && matches, "OperatorTrainer: a network of "
                                       << net.out_channels() << " output channels on "
                                       << net.local_points() << " points does not fit the scheme's "
                                       << k << " records");
  TESSERA_CHECK(
      !config.physics || (rollout && config.frame_fields == 3 &&
                          config.physics->frames() == config.window_frames + 1 &&
                          config.physics->local_points() == points_),
      "OperatorTrainer: the LES residual needs the rollout of 3-field frames, a window of "
      "the step's frames and its input frame, and the network's points");
  const long per_out = long(k) * points_;
  const bool identity = output_normalizer.empty();
  TESSERA_CHECK(identity || long(output_normalizer.mean.size()) == per_out,
                "OperatorTrainer: the output normaliser has " << output_normalizer.mean.size()
                                                              << " points, not " << per_out);
  TESSERA_CHECK(identity == (config.scheme == OperatorScheme::Rollout),
                "OperatorTrainer: the rollout, and only it, trains without a normaliser");
  scale_ = Vector("tessera::nn::operator_decode_scale", per_out);
  mean_ = Vector("tessera::nn::operator_decode_mean", per_out);
  auto hs = Kokkos::create_mirror_view(scale_);
  auto hm = Kokkos::create_mirror_view(mean_);
  for (long p = 0; p < per_out; ++p) {
    hs(p) = identity ? 1.0 : output_normalizer.std[size_t(p)] + PointwiseNormalizer::eps;
    hm(p) = identity ? 0.0 : output_normalizer.mean[size_t(p)];
  }
  Kokkos::deep_copy(scale_, hs);
  Kokkos::deep_copy(mean_, hm);
}

int OperatorTrainer::steps() const { return config_.records / config_.frame_fields; }

long OperatorTrainer::trajectory_channels() const {
  return net_.in_channels() + long(steps()) * net_.out_channels();
}

void OperatorTrainer::reserve(int n) {
  if (long(index_.extent(0)) >= n) return;
  const long in = net_.in_channels(), k = config_.records, p = points_;
  const long copies = config_.scheme == OperatorScheme::SpaceTime ? k : 1;
  // The rollout's step output (its frames) may hold more channels than the records.
  const long channels = std::max(k, long(net_.out_channels()));
  auto vector = [](const char* label, long size) {
    return Vector(std::string(label), size_t(size));
  };
  x_ = vector("tessera::nn::operator_batch_x", n * in * copies * p);
  out_ = vector("tessera::nn::operator_batch_out", n * channels * p);
  y_ = vector("tessera::nn::operator_batch_y", n * k * p);
  dy_ = vector("tessera::nn::operator_batch_dy", n * channels * p);
  if (config_.scheme == OperatorScheme::Rollout) {
    const long trajectory = n * trajectory_channels() * p;
    trajectory_ = vector("tessera::nn::operator_trajectory", trajectory);
    adjoint_trajectory_ = vector("tessera::nn::operator_adjoint_trajectory", trajectory);
    adjoint_window_ = vector("tessera::nn::operator_adjoint_window", n * in * p);
  }
  if (config_.physics) {
    const long window = n * long(config_.window_frames + 1) * config_.frame_fields * p;
    physics_window_ = vector("tessera::nn::operator_physics_window", window);
    physics_adjoint_ = vector("tessera::nn::operator_physics_adjoint", window);
  }
  index_ = Kokkos::View<int*>("tessera::nn::operator_batch_index", n);
  sums_ = Kokkos::View<double*>("tessera::nn::operator_batch_sums", 2 * n * k);
  factor_ = Kokkos::View<double*>("tessera::nn::operator_loss_factor", n * k);
  index_host_ = Kokkos::create_mirror_view(index_);
  sums_host_ = Kokkos::create_mirror_view(sums_);
  factor_host_ = Kokkos::create_mirror_view(factor_);
}

void OperatorTrainer::window(int n, int first, int channels, const Vector& from,
                             const Vector& to) const {
  const long p = points_, stride = trajectory_channels() * p;
  const long per = long(channels) * p, offset = long(first) * p;
  copy_window(from, to, n * per, per, stride, offset);
}

void OperatorTrainer::forward_direct(const SampleBlock& data, int n) {
  ProfilingRegion region(Phase::Forward);
  const long in = net_.in_channels(), k = config_.records, p = points_;
  // SpaceTime: every input record repeated at the K points of the time axis (the slowest).
  const long copies = config_.scheme == OperatorScheme::SpaceTime ? k : 1;
  const long per_data = in * p, per_net = per_data * copies, per_out = k * p;
  const Vector x(x_.data(), n * per_net), out(out_.data(), n * per_out);
  gather_inputs(x, data.x, index_, n * per_net, per_net, per_data, copies, p);
  net_.forward(x, out, n);
  decode(out, scale_, mean_, n * per_out, per_out);
}

void OperatorTrainer::forward_rollout(int n) {
  ProfilingRegion region(Phase::Forward);
  // Step s's window is the trajectory's last `in` channels, [s out, s out + in).
  const int in = net_.in_channels(), out = net_.out_channels();
  const long p = points_, stride = trajectory_channels() * p;
  const Vector w(x_.data(), n * in * p), o(out_.data(), n * out * p);
  for (int s = 0; s < steps(); ++s) {
    window(n, s * out, in, trajectory_, w);
    net_.forward(w, o, n);
    if (config_.increments) add_last_frame(o, w, n * out * p, out, in, config_.frame_fields, p);
    if (config_.filter) config_.filter->apply(o, n, out, 0, out);
    append_record(trajectory_, o, n * out * p, out * p, stride, long(in + s * out) * p);
  }
}

void OperatorTrainer::backward_rollout(int n) {
  const int in = net_.in_channels(), out = net_.out_channels(), last = steps() - 1;
  const long p = points_, stride = trajectory_channels() * p, per_window = long(in) * p;
  const Vector w(x_.data(), n * in * p), o(out_.data(), n * out * p), dout(dy_.data(), n * out * p),
      dw(adjoint_window_.data(), n * in * p);
  for (int s = last; s >= 0; --s) {
    // The workspace holds the last step's forward already; the earlier ones are recomputed.
    if (s < last) {
      window(n, s * out, in, trajectory_, w);
      net_.forward(w, o, n);
    }
    window(n, in + s * out, out, adjoint_trajectory_, dout);
    if (config_.filter) config_.filter->apply_adjoint(dout, n, out, 0, out);
    net_.backward(dout, gradient_, dw);
    if (config_.increments)
      add_last_frame_adjoint(dw, dout, n * config_.frame_fields * p, out, in, config_.frame_fields,
                             p);
    add_window_adjoint(adjoint_trajectory_, dw, n * per_window, per_window, stride,
                       long(s) * out * p);
  }
}

double OperatorTrainer::physics_loss(int n, bool gradient) {
  ProfilingRegion region("tessera::nn::operator_physics_loss");
  physics::LesResidual& residual = *config_.physics;
  const int in = net_.in_channels(), out = net_.out_channels(), fields = config_.frame_fields;
  const long p = points_, stride = trajectory_channels() * p;
  const long per_window = long(config_.window_frames + 1) * fields * p;
  const Vector window(physics_window_.data(), n * per_window),
      adjoint(physics_adjoint_.data(), n * per_window);
  // The residual is a mean over the batch; the relative L2 terms are summed over it.
  const double weight = config_.physics_weight * n;
  double loss = 0;
  for (int s = 0; s < steps(); ++s) {
    // The step's input frame (the trajectory's last frame before it) and its predicted frames.
    const long first = long(in + s * out - fields) * p;
    copy_window(trajectory_, window, n * per_window, per_window, stride, first);
    if (!gradient) {
      loss += residual.evaluate(window).loss;
      continue;
    }
    loss += residual.gradient(window, adjoint).loss;
    KokkosBlas::scal(adjoint, weight, adjoint);
    add_window_adjoint(adjoint_trajectory_, adjoint, n * per_window, per_window, stride, first);
  }
  return weight * loss;
}

double OperatorTrainer::pass(const SampleBlock& data, const std::vector<int>& index, bool gradient,
                             std::vector<double>* errors, std::vector<double>* record_errors,
                             bool loss_only_data) {
  const int n = int(index.size());
  const bool rollout = config_.scheme == OperatorScheme::Rollout;
  const int in = net_.in_channels(), k = config_.records, fields = config_.frame_fields;
  const long p = points_, per_out = long(k) * p;
  reserve(n);
  for (int b = 0; b < n; ++b) index_host_(b) = index[size_t(b)];
  Kokkos::deep_copy(index_, index_host_);
  const Vector y(y_.data(), n * per_out);
  gather_targets(y, data.y, index_, n * per_out, per_out);
  // The predictions in data units: record r of sample b at prediction(b stride + offset + r p).
  // The rollout's records: each step's last frame (RecordChannels).
  Vector prediction = out_;
  long stride = per_out, offset = 0;
  RecordChannels channel;
  if (rollout) {
    const long per_in = long(in) * p;
    prediction = trajectory_;
    stride = trajectory_channels() * p;
    offset = (in + long(config_.window_frames - 1) * fields) * p;
    channel = RecordChannels{fields, net_.out_channels()};
    gather_first_window(trajectory_, data.x, index_, n * per_in, per_in, stride);
    // The trajectory lives in the filter's band from its first frame on (the LES residual's
    // first time difference would see the removed modes as a jump otherwise).
    if (config_.filter) config_.filter->apply(trajectory_, n, int(trajectory_channels()), 0, in);
    forward_rollout(n);
  } else {
    forward_direct(data, n);
  }
  // Per sample and record: ||yhat - y||^2 and ||y||^2 over this rank's points.
  relative_sums(sums_, prediction, y, n, k, p, stride, offset, channel);
  Kokkos::deep_copy(sums_host_, sums_);
  const auto& hsums = sums_host_;
  // The norms are over the whole grid: sum the group's blocks (the space communicator).
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, hsums.data(), 2 * n * k, MPI_DOUBLE, MPI_SUM, net_.space()));
  // d(||e|| / ||y||)/d yhat = e / (||e|| ||y||): the loss adjoint's factor per term.
  auto factor = [](double d2, double y2) {
    const double d = std::sqrt(d2), norm = std::sqrt(y2);
    return d > 0 ? 1.0 / (d * (norm > 0 ? norm : 1.0)) : 0.0;
  };
  auto relative = [](double d2, double y2) { return y2 > 0 ? std::sqrt(d2 / y2) : std::sqrt(d2); };
  // The terms: per sample, or (rollout) per sample and step over the step's frame of records.
  const double w = config_.data_weight;
  const int per_term = rollout ? fields : k;
  double loss = 0;
  last_errors_ = 0;
  last_physics_ = 0;
  for (int b = 0; b < n; ++b) {
    const bool labelled = data.labelled.empty() || data.labelled[size_t(index[size_t(b)])];
    const double wb = labelled ? w : 0.0;
    double d2 = 0, y2 = 0;
    for (int first = 0; first < k; first += per_term) {
      double term_d2 = 0, term_y2 = 0;
      for (int r = first; r < first + per_term; ++r) {
        const double rd = hsums(2 * (b * k + r)), ry = hsums(2 * (b * k + r) + 1);
        term_d2 += rd;
        term_y2 += ry;
        if (record_errors) record_errors->push_back(relative(rd, ry));
      }
      loss += wb * relative(term_d2, term_y2);
      last_errors_ += relative(term_d2, term_y2);
      for (int r = first; r < first + per_term; ++r)
        factor_host_(b * k + r) = wb * factor(term_d2, term_y2);
      d2 += term_d2;
      y2 += term_y2;
    }
    if (errors) errors->push_back(relative(d2, y2));
  }
  if (config_.physics && !gradient && !loss_only_data) last_physics_ = physics_loss(n, false);
  if (!gradient) return loss + last_physics_;
  ProfilingRegion backward(Phase::Backward);
  Kokkos::deep_copy(factor_, factor_host_);
  // The loss adjoint: direct, with respect to the network's (encoded) output, through the
  // decoding; rollout, into the trajectory's prediction records (no decoding).
  const Vector adjoint = rollout ? adjoint_trajectory_ : dy_;
  if (rollout) Kokkos::deep_copy(adjoint_trajectory_, 0.0);
  loss_adjoint(adjoint, factor_, prediction, y, scale_, n * per_out, per_out, p, stride, offset,
               channel);
  if (config_.physics) last_physics_ = physics_loss(n, true);
  loss += last_physics_;
  if (rollout)
    backward_rollout(n);
  else
    net_.backward(Vector(dy_.data(), n * per_out), gradient_, Vector());
  return loss;
}

double OperatorTrainer::batch_loss(const SampleBlock& data, const std::vector<int>& index,
                                   const Vector& gradient) {
  const bool with_gradient = gradient.extent(0) > 0;
  if (with_gradient) Kokkos::deep_copy(gradient_, 0.0);
  const double loss = pass(data, index, with_gradient, nullptr, nullptr);
  if (with_gradient) Kokkos::deep_copy(gradient, gradient_);
  return loss;
}

EpochResult OperatorTrainer::train_epoch(int epoch, const LaneSchedule& lanes,
                                         const SampleBlock& data, const EpochResult& done,
                                         const BatchBoundary& between) {
  ProfilingRegion stage(Stage::Training);
  // The sums go on from the restart's on one group only: the groups' are added at the end.
  int samples_rank = 0;
  TESSERA_MPI_CALL(MPI_Comm_rank(samples_, &samples_rank));
  EpochResult r;
  if (samples_rank == 0) r = done;
  r.batches = done.batches;
  const double lr = config_.schedule.at(epoch);
  // The squared gradients are summed over the batches so that one non-finite gradient leaves its
  // trace: a NaN step spoils the parameters, and in the epoch's last batch not yet the loss.
  for (long k = done.batches; k < lanes.batches(); ++k) {
    const auto index = lanes.batch(epoch, k);
    Kokkos::deep_copy(gradient_, 0.0);
    if (!index.empty()) {
      r.loss_sum += pass(data, index, true, nullptr, nullptr);
      r.error_sum += last_errors_;
      r.physics_sum += last_physics_;
    }
    net_.allreduce_gradient(gradient_, samples_);
    r.squared_gradients += KokkosBlas::dot(gradient_, gradient_);
    adam_.step(net_.parameters(), gradient_, lr);
    ++r.batches;
    if (between && r.batches < lanes.batches()) between(r);
  }
  return over_groups(epoch, r);
}

EpochResult OperatorTrainer::over_groups(int epoch, const EpochResult& group_sums) const {
  // Every rank of a group holds the group's sums: add the groups' over the samples communicator.
  EpochResult r = group_sums;
  double sums[4] = {r.loss_sum, r.squared_gradients, r.error_sum, r.physics_sum};
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums, 4, MPI_DOUBLE, MPI_SUM, samples_));
  r.loss_sum = sums[0];
  r.squared_gradients = sums[1];
  r.error_sum = sums[2];
  r.physics_sum = sums[3];
  // The sums are the same on every rank, so every rank stops here together, before the
  // caller writes a checkpoint of the spoiled parameters.
  if (!std::isfinite(sums[0]) || !std::isfinite(sums[1]))
    TESSERA_THROW_DIVERGED("operator training diverged in epoch "
                           << epoch + 1 << ": the "
                           << (std::isfinite(sums[0]) ? "gradient norm" : "loss")
                           << " is not finite (the same on every rank: reduced over ranks); "
                              "lower -operator_learning_rate, or check the restart checkpoint");
  return r;
}

std::vector<double> OperatorTrainer::evaluate(const SampleBlock& data,
                                              std::vector<double>* predictions,
                                              std::vector<double>* record_errors) {
  std::vector<double> errors;
  const bool rollout = config_.scheme == OperatorScheme::Rollout;
  const long p = points_, per_out = long(config_.records) * p;
  const long stride = rollout ? trajectory_channels() * p : per_out;
  const long offset =
      rollout ? (net_.in_channels() + long(config_.window_frames - 1) * config_.frame_fields) * p
              : 0;
  const RecordChannels channel =
      rollout ? RecordChannels{config_.frame_fields, net_.out_channels()} : RecordChannels();
  if (predictions) predictions->clear();
  if (record_errors) record_errors->clear();
  for (int first = 0; first < data.count; first += config_.batch) {
    const int n = std::min(config_.batch, data.count - first);
    std::vector<int> index(static_cast<size_t>(n));
    std::iota(index.begin(), index.end(), first);
    pass(data, index, false, &errors, record_errors, true);
    if (!predictions) continue;
    // Decoded already: the direct output, or the rollout's trajectory after its window.
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), rollout ? trajectory_ : out_);
    for (long b = 0; b < n; ++b)
      for (long r = 0; r < config_.records; ++r) {
        const double* record = h.data() + b * stride + offset + channel(r) * p;
        predictions->insert(predictions->end(), record, record + p);
      }
  }
  return errors;
}

}  // namespace tessera::nn
