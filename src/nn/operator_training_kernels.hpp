#pragma once
// OperatorTrainer's kernels (nn/operator_training.hpp) as free functions: a KOKKOS_LAMBDA in a
// private member function does not compile under nvcc. Batches are [sample][channel][point] with
// the sample's stride; idx holds the batch's sample indices into the data set. Not collective.
#include <Kokkos_Core.hpp>

#include "nn/types.hpp"

namespace tessera::nn {

/// to(t) = from(sample stride + offset + t % per) for the count = n per values of the batch's
/// window of per values per sample.
inline void copy_window(const Vector& from, const Vector& to, long count, long per, long stride,
                        long offset) {
  Kokkos::parallel_for(
      "tessera::nn::operator_window", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) { to(t) = from((t / per) * stride + offset + t % per); });
}

/// The network input of the direct scheme: each sample's in records (per_data = in p values),
/// each repeated copies times (the space-time scheme's time axis), per_net values per sample.
template <class Index>
void gather_inputs(const Vector& x, const Vector& source, const Index& idx, long count,
                   long per_net, long per_data, long copies, long p) {
  Kokkos::parallel_for(
      "tessera::nn::operator_gather_x", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        const long r = t % per_net, c = r / (copies * p);
        x(t) = source(idx(t / per_net) * per_data + c * p + r % p);
      });
}

/// out = out scale + mean, per_out values per sample.
inline void decode(const Vector& out, const Vector& scale, const Vector& mean, long count,
                   long per_out) {
  Kokkos::parallel_for(
      "tessera::nn::operator_decode", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) { out(t) = out(t) * scale(t % per_out) + mean(t % per_out); });
}

/// The rollout's step: out (p values per sample) becomes the trajectory's record at offset at.
inline void append_record(const Vector& trajectory, const Vector& out, long count, long p,
                          long stride, long at) {
  Kokkos::parallel_for(
      "tessera::nn::operator_append", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) { trajectory((t / p) * stride + at + t % p) = out(t); });
}

/// The rollout's increments: every frame of the step's output (out channels per sample, frames of
/// `fields` channels) plus the window's last frame (its last `fields` of `in` channels).
inline void add_last_frame(const Vector& output, const Vector& window, long count, long out,
                           long in, long fields, long p) {
  Kokkos::parallel_for(
      "tessera::nn::operator_add_last_frame", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        const long b = t / (out * p), within = t % (out * p) % (fields * p);
        output(t) += window(b * in * p + (in - fields) * p + within);
      });
}

/// The adjoint of add_last_frame: the window's last frame's adjoint (in dw) gains the sum of the
/// step's frames' adjoints (in dout); count = n fields p.
inline void add_last_frame_adjoint(const Vector& dw, const Vector& dout, long count, long out,
                                   long in, long fields, long p) {
  Kokkos::parallel_for(
      "tessera::nn::operator_add_last_frame_adjoint", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        const long b = t / (fields * p), within = t % (fields * p);
        double sum = 0;
        for (long f = 0; f < out / fields; ++f) sum += dout(b * out * p + f * fields * p + within);
        dw(b * in * p + (in - fields) * p + within) += sum;
      });
}

/// Adds the window's adjoint dw (per_window values per sample) into the trajectory's adjoint at
/// offset at.
inline void add_window_adjoint(const Vector& adjoint, const Vector& dw, long count, long per_window,
                               long stride, long at) {
  Kokkos::parallel_for(
      "tessera::nn::operator_window_adjoint", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        adjoint((t / per_window) * stride + at + t % per_window) += dw(t);
      });
}

/// y = the batch's targets, per_out values per sample.
template <class Index>
void gather_targets(const Vector& y, const Vector& source, const Index& idx, long count,
                    long per_out) {
  Kokkos::parallel_for(
      "tessera::nn::operator_gather_y", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) { y(t) = source(idx(t / per_out) * per_out + t % per_out); });
}

/// The rollout's first window: each sample's per_in input values at the start of its trajectory.
template <class Index>
void gather_first_window(const Vector& trajectory, const Vector& source, const Index& idx,
                         long count, long per_in, long stride) {
  Kokkos::parallel_for(
      "tessera::nn::operator_gather_window", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        trajectory((t / per_in) * stride + t % per_in) =
            source(idx(t / per_in) * per_in + t % per_in);
      });
}

/// Where record r of a sample lies among the prediction's channels: records come in groups of
/// `fields` (a frame), group g at channel g step_channels (the rollout's steps of frames);
/// fields = step_channels = 1 is channel r.
struct RecordChannels {
  long fields = 1, step_channels = 1;
  KOKKOS_INLINE_FUNCTION long operator()(long r) const {
    return (r / fields) * step_channels + r % fields;
  }
};

/// Per sample b and record r of n samples and k records: sums(2 (b k + r)) = ||yhat - y||^2 and
/// sums(2 (b k + r) + 1) = ||y||^2 over the p points, yhat at prediction(b stride + offset +
/// channel(r) p).
template <class Sums>
void relative_sums(const Sums& sums, const Vector& prediction, const Vector& y, int n, int k,
                   long p, long stride, long offset, RecordChannels channel = RecordChannels()) {
  using Team = Kokkos::TeamPolicy<>::member_type;
  Kokkos::parallel_for(
      "tessera::nn::operator_relative_sums", Kokkos::TeamPolicy<>(n * k, Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const long br = team.league_rank(), b = br / k, r = br % k;
        const long at = b * stride + offset + channel(r) * p, at_y = br * p;
        double diff = 0, norm = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, p),
            [&](const long q, double& sum) {
              const double e = prediction(at + q) - y(at_y + q);
              sum += e * e;
            },
            diff);
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, p),
            [&](const long q, double& sum) { sum += y(at_y + q) * y(at_y + q); }, norm);
        Kokkos::single(Kokkos::PerTeam(team), [&]() {
          sums(2 * br) = diff;
          sums(2 * br + 1) = norm;
        });
      });
}

/// The loss adjoint with respect to the predictions, per_out values per sample: factor (per sample
/// and record of p points) times (yhat - y) times scale(q), record r at the channel of
/// relative_sums.
template <class Factor>
void loss_adjoint(const Vector& adjoint, const Factor& factor, const Vector& prediction,
                  const Vector& y, const Vector& scale, long count, long per_out, long p,
                  long stride, long offset, RecordChannels channel = RecordChannels()) {
  Kokkos::parallel_for(
      "tessera::nn::operator_loss_adjoint", Kokkos::RangePolicy<>(0, count),
      KOKKOS_LAMBDA(const long t) {
        const long b = t / per_out, q = t % per_out;
        const long at = b * stride + offset + channel(q / p) * p + q % p;
        adjoint(at) = factor(t / p) * (prediction(at) - y(t)) * scale(q);
      });
}

}  // namespace tessera::nn
