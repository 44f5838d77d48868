#include "nn/operator_training.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/random.hpp"

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

OperatorTrainer::OperatorTrainer(OperatorModel& net, MPI_Comm samples,
                                 const PointwiseNormalizer& output_normalizer,
                                 const OperatorTrainingConfig& config)
    : net_(net),
      samples_(samples),
      config_(config),
      adam_(config.adam, net.parameter_count()),
      gradient_("tessera::nn::operator_gradient", net.parameter_count()) {
  const long per_out = long(net.out_channels()) * net.local_points();
  TESSERA_CHECK(long(output_normalizer.mean.size()) == per_out,
                "OperatorTrainer: the output normaliser has " << output_normalizer.mean.size()
                                                              << " points, not " << per_out);
  scale_ = Vector("tessera::nn::operator_decode_scale", per_out);
  mean_ = Vector("tessera::nn::operator_decode_mean", per_out);
  auto hs = Kokkos::create_mirror_view(scale_);
  auto hm = Kokkos::create_mirror_view(mean_);
  for (long p = 0; p < per_out; ++p) {
    hs(p) = output_normalizer.std[size_t(p)] + PointwiseNormalizer::eps;
    hm(p) = output_normalizer.mean[size_t(p)];
  }
  Kokkos::deep_copy(scale_, hs);
  Kokkos::deep_copy(mean_, hm);
}

double OperatorTrainer::pass(const SampleBlock& data, const std::vector<int>& index, bool gradient,
                             std::vector<double>* errors) {
  const int n = int(index.size());
  const int in = net_.in_channels();
  const long points = net_.local_points(), per_in = in * points, per_out = long(scale_.extent(0));
  if (long(x_.extent(0)) < n * per_in) {
    x_ = Vector("tessera::nn::operator_batch_x", n * per_in);
    out_ = Vector("tessera::nn::operator_batch_out", n * per_out);
    y_ = Vector("tessera::nn::operator_batch_y", n * per_out);
    dy_ = Vector("tessera::nn::operator_batch_dy", n * per_out);
    index_ = Kokkos::View<int*>("tessera::nn::operator_batch_index", n);
    sums_ = Kokkos::View<double*>("tessera::nn::operator_batch_sums", 2 * n);
    factor_ = Kokkos::View<double*>("tessera::nn::operator_loss_factor", n);
    index_host_ = Kokkos::create_mirror_view(index_);
    sums_host_ = Kokkos::create_mirror_view(sums_);
    factor_host_ = Kokkos::create_mirror_view(factor_);
  }
  for (int b = 0; b < n; ++b) index_host_(b) = index[size_t(b)];
  Kokkos::deep_copy(index_, index_host_);
  const Vector x(x_.data(), n * per_in), out(out_.data(), n * per_out), y(y_.data(), n * per_out),
      dy(dy_.data(), n * per_out);
  auto idx = index_;
  auto source_x = data.x, source_y = data.y;
  Kokkos::parallel_for(
      "tessera::nn::operator_gather_x", Kokkos::RangePolicy<>(0, n * per_in),
      KOKKOS_LAMBDA(const long t) { x(t) = source_x(idx(t / per_in) * per_in + t % per_in); });
  Kokkos::parallel_for(
      "tessera::nn::operator_gather_y", Kokkos::RangePolicy<>(0, n * per_out),
      KOKKOS_LAMBDA(const long t) { y(t) = source_y(idx(t / per_out) * per_out + t % per_out); });
  net_.forward(x, out, n);
  // Decode in place and sum ||yhat - y||^2 and ||y||^2 per sample over this rank's points.
  auto scale = scale_, mean = mean_;
  auto sums = sums_;
  using Team = Kokkos::TeamPolicy<>::member_type;
  Kokkos::parallel_for(
      "tessera::nn::operator_relative_sums", Kokkos::TeamPolicy<>(n, Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const long b = team.league_rank();
        double diff = 0, norm = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, per_out),
            [&](const long p, double& s) {
              const long t = b * per_out + p;
              const double yhat = out(t) * scale(p) + mean(p);
              s += (yhat - y(t)) * (yhat - y(t));
            },
            diff);
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, per_out),
            [&](const long p, double& s) { s += y(b * per_out + p) * y(b * per_out + p); }, norm);
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          sums(2 * b) = diff;
          sums(2 * b + 1) = norm;
        });
      });
  Kokkos::deep_copy(sums_host_, sums_);
  const auto& hsums = sums_host_;
  // The norms are over the whole grid: sum the group's blocks (the space communicator).
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, hsums.data(), 2 * n, MPI_DOUBLE, MPI_SUM, net_.space()));
  double total = 0;
  for (int b = 0; b < n; ++b) {
    const double d = std::sqrt(hsums(2 * b)), norm = std::sqrt(hsums(2 * b + 1));
    const double error = norm > 0 ? d / norm : d;
    total += error;
    if (errors) errors->push_back(error);
    // d(||e|| / ||y||)/d yhat = e / (||e|| ||y||); then through the decoding, times scale.
    factor_host_(b) = d > 0 ? 1.0 / (d * (norm > 0 ? norm : 1.0)) : 0.0;
  }
  if (!gradient) return total;
  Kokkos::deep_copy(factor_, factor_host_);
  auto dfactor = factor_;
  Kokkos::parallel_for(
      "tessera::nn::operator_loss_adjoint", Kokkos::RangePolicy<>(0, n * per_out),
      KOKKOS_LAMBDA(const long t) {
        const long p = t % per_out;
        const double yhat = out(t) * scale(p) + mean(p);
        dy(t) = dfactor(t / per_out) * (yhat - y(t)) * scale(p);
      });
  net_.backward(dy, gradient_);
  return total;
}

double OperatorTrainer::batch_loss(const SampleBlock& data, const std::vector<int>& index,
                                   const Vector& gradient) {
  const bool with_gradient = gradient.extent(0) > 0;
  if (with_gradient) Kokkos::deep_copy(gradient_, 0.0);
  const double loss = pass(data, index, with_gradient, nullptr);
  if (with_gradient) Kokkos::deep_copy(gradient, gradient_);
  return loss;
}

EpochResult OperatorTrainer::train_epoch(int epoch, const LaneSchedule& lanes,
                                         const SampleBlock& data) {
  EpochResult r;
  const double lr = config_.schedule.at(epoch);
  for (long k = 0; k < lanes.batches(); ++k) {
    Kokkos::deep_copy(gradient_, 0.0);
    const auto index = lanes.batch(epoch, k);
    if (!index.empty()) r.loss_sum += pass(data, index, true, nullptr);
    net_.allreduce_gradient(gradient_, samples_);
    adam_.step(net_.parameters(), gradient_, lr);
    ++r.batches;
  }
  // Every rank of a group holds the group's sum: add the groups' over the samples communicator.
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &r.loss_sum, 1, MPI_DOUBLE, MPI_SUM, samples_));
  return r;
}

std::vector<double> OperatorTrainer::evaluate(const SampleBlock& data,
                                              std::vector<double>* predictions) {
  std::vector<double> errors;
  const long per_out = long(scale_.extent(0));
  if (predictions) predictions->clear();
  for (int first = 0; first < data.count; first += config_.batch) {
    const int n = std::min(config_.batch, data.count - first);
    std::vector<int> index(static_cast<size_t>(n));
    std::iota(index.begin(), index.end(), first);
    pass(data, index, false, &errors);
    if (!predictions) continue;
    auto hout = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out_);
    auto hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), scale_);
    auto hm = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mean_);
    for (long t = 0; t < n * per_out; ++t)
      predictions->push_back(hout(t) * hs(t % per_out) + hm(t % per_out));
  }
  return errors;
}

}  // namespace tessera::nn
