#pragma once
// Training a neural operator (an nn::OperatorModel: FNO, TFNO, DeepONet) on a sample set split over
// ranks as samples x space (DESIGN.md section 5): the FNO code's normaliser, its relative-L2 loss,
// the mini-batch schedule that makes the trained network independent of the split, and the epoch
// and evaluation loops.
//
// As the FNO code (Li et al., fourier_2d.py and utilities3.py):
//   UnitGaussianNormalizer  pointwise mean and standard deviation over the TRAINING samples
//                           (torch.std: unbiased, N - 1), eps = 1e-5; encode (x - mean) /
//                           (std + eps), decode x (std + eps) + mean. The input is encoded once;
//                           the network predicts the encoded output, which is DECODED before the
//                           loss (the FNO code decodes both out and y before myloss), so the loss
//                           and every reported error are in the data's own units.
//   LpLoss(size_average=False)  per sample ||y_hat - y||_2 / ||y||_2 over the whole grid, SUMMED
//                           over the batch (not averaged); the gradient is that sum's. The epoch's
//                           train error is the sum over the epoch's batches divided by the
//                           training samples (the FNO code's train_l2 / ntrain).
//
// Schemes (OperatorScheme), the data always [sample][record][points] with the input records as
// channels and K output records:
//   Direct     one network maps the input records to the K output records (out_channels = K).
//   Rollout    fourier_2d_time.py: the network (in_channels = the window's records, out 1)
//              predicts the record after its window; the prediction is appended to the window and
//              the oldest record dropped, K steps. No normaliser (the script has none). The loss is
//              the script's: the per-step relative L2 summed over steps and samples, its gradient
//              through the whole rollout (the predictions are not detached). The backward pass
//              keeps the trajectory (window + predictions, [in + K][points] per sample) instead of
//              K steps' activations: it sweeps the steps in reverse, recomputes each step's
//              forward into the one workspace and backpropagates the step's output adjoint (its
//              loss adjoint plus what the later windows sent back), adding the window's adjoint
//              into the trajectory's.
//              Windows of frames (the LES operators): a step may predict m frames of C fields
//              (out = m C channels, -operator_window_frames, -operator_frame_fields); the window
//              is always the trajectory's last `in` channels, the data label each step's last
//              frame (its C records: a per-step relative L2 over them), and the LES residual
//              (physics/les_residual.hpp), if given, each step's window of frames (its input
//              frame, the trajectory's last C channels before the step, and the m it predicts),
//              weighted per sample: loss = data_weight Σ relative L2 + physics_weight n Σ_steps
//              L_les(step) for a batch of n.
//   SpaceTime  fourier_3d.py: an FNO-3D on [K][grid] (the time axis first), the input records
//              repeated along it as channels, one output channel: the K records.
// Every scheme reports each sample's relative L2 over all its K records (the rollout's
// full-trajectory figure of the paper) and each record's own.
//
// Mini-batches (LaneSchedule): the training samples at positions i = 0 .. N-1 of the training
// list sit in B lanes, lane j holding the positions i = j (mod B); every epoch each lane's order is
// reshuffled (seeded by seed, epoch and lane; a pure function, so a checkpoint's epoch is its
// shuffle state, and its epoch and batches done its data cursor) and batch k takes the k-th
// sample of every lane that has one. Every group steps through all the batches of an epoch (with
// no sample in one, it still joins the batch's gradient allreduce), so every rank reaches the
// same batch boundaries. Sample group g of G holds the lanes shard_range(B, g, G) for the whole run
// (it reads only those samples), so a global batch is the same set of samples for any G, each group
// computing its share: the gradient, summed over the groups by one allreduce, is the same to
// round-off for every split. (A full reshuffle, as torch's DataLoader, would move samples between
// ranks every epoch; here two samples of one lane never share a batch, the only difference.)
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "nn/adam.hpp"
#include "nn/operator_model.hpp"
#include "nn/schedule.hpp"

namespace tessera::physics {
class LesResidual;
}

namespace tessera::nn {

class SpectralFilter;

enum class OperatorScheme { Direct, Rollout, SpaceTime };

/// The FNO code's UnitGaussianNormalizer at this rank's points: [channels][points] each; empty
/// (the rollout's): the identity.
struct PointwiseNormalizer {
  static constexpr double eps = 1e-5;
  std::vector<double> mean, std;

  /// Collective over samples (the ranks holding the other samples at the same points).
  /// values: this rank's samples, [count][channels][points]; total: the samples over all ranks
  /// (at least 2). Sums in a fixed order per rank, then over samples.
  static PointwiseNormalizer fit(const std::vector<double>& values, long count, long per_sample,
                                 long total, MPI_Comm samples);
  /// (x - mean) / (std + eps) in place on [count][channels][points]. Not collective.
  void encode(std::vector<double>& values) const;
  bool empty() const { return mean.empty(); }
};

/// Which training samples make each batch (see the header comment). Not collective.
class LaneSchedule {
public:
  LaneSchedule(long samples, int batch, int group, int groups, std::uint64_t seed);
  long batches() const { return (samples_ + batch_ - 1) / batch_; }
  /// The positions in the training list this group holds, ascending (its local sample order).
  const std::vector<long>& held() const { return held_; }
  /// This group's samples of batch k of epoch e, as indices into held().
  std::vector<int> batch(int epoch, long k) const;

private:
  long samples_;
  int batch_, first_lane_, lanes_;
  std::uint64_t seed_;
  std::vector<long> held_;
};

/// Samples on this rank's block of the data grid: x encoded [count][in][points], y in data units
/// [count][records][points] (device).
struct SampleBlock {
  int count = 0;
  Vector x, y;
  // Per sample, whether its labels (y) enter the training loss; empty: every sample's. A sample
  // without labels trains through the physics term alone (the "few labels" hybrid).
  std::vector<char> labelled;
};

struct OperatorTrainingConfig {
  OperatorScheme scheme = OperatorScheme::Direct;
  int records = 1;  // K: output records per sample (rollout: frame_fields per step)
  // Rollout: each step predicts window_frames frames of frame_fields fields (the network's output
  // channels); the data label the last frame of each step, frame_fields records in the file's
  // order. 1 and 1: fourier_2d_time.py's one record a step.
  int window_frames = 1;
  int frame_fields = 1;
  // Rollout: the network predicts each frame's change from the step's input frame (the window's
  // last frame), which is added to it.
  bool increments = false;
  double data_weight = 1;  // of the relative-L2 term
  // Rollout: the LES residual of every step's window (its input frame and the frames it
  // predicts) added to the loss with this weight per sample (physics/les_residual.hpp); none if
  // null. The residual must outlive the trainer.
  physics::LesResidual* physics = nullptr;
  double physics_weight = 1;
  // Rollout: the spectral filter (nn/spectral_filter.hpp) applied to the input frame and to each
  // step's predicted frames (all of them, so that the LES residual's time differences see one
  // filtered trajectory; the last frame the state the next step starts from), in training and
  // evaluation; none if null. Must outlive the trainer.
  SpectralFilter* filter = nullptr;
  int batch = 20;
  AdamConfig adam;                // learning_rate is the schedule's initial rate
  LearningRateSchedule schedule;  // per epoch
};

/// An epoch's sums over its batches done: all of them (train_epoch's result), or the first ones
/// (a stop between batches; what a checkpoint records for the restart to continue the epoch).
struct EpochResult {
  double loss_sum = 0;           // sum of the batch losses (all groups)
  double error_sum = 0;          // of the relative L2 terms alone, unweighted (the train error)
  double physics_sum = 0;        // of the physics terms, weighted as in the loss
  double squared_gradients = 0;  // sum of the squared gradient norms (its finiteness is checked)
  long batches = 0;              // batches done
};

/// Called by train_epoch between two batches of an epoch on every rank (so it may be collective
/// over the world), with this group's sums so far (OperatorTrainer::over_groups adds the groups').
using BatchBoundary = std::function<void(const EpochResult& group_sums)>;

/// Relative L2 terms per sample in the loss: the rollout's steps (one per step), else 1. Not
/// collective.
int loss_terms(const OperatorTrainingConfig& config);

class OperatorTrainer {
public:
  /// net's space communicator is the group's; samples joins the ranks of the other groups that
  /// hold the same block. output_normalizer: the training output's (decode; empty for the
  /// rollout). net must outlive the trainer. Not collective.
  OperatorTrainer(OperatorModel& net, MPI_Comm samples,
                  const PointwiseNormalizer& output_normalizer,
                  const OperatorTrainingConfig& config);

  /// Collective over the world (space and samples). One epoch of Adam steps over the batches of
  /// lanes.batch(epoch, k), data the group's held samples (lanes.held() order). done: the batches
  /// of the epoch done before (a restart's; its sums over all groups): the epoch continues at
  /// batch done.batches, adding to them. between: called after every batch but the last. A loss
  /// or a gradient that is not finite in any batch throws DivergenceError on every rank at the
  /// end.
  EpochResult train_epoch(int epoch, const LaneSchedule& lanes, const SampleBlock& data,
                          const EpochResult& done = EpochResult(),
                          const BatchBoundary& between = BatchBoundary());

  /// Collective over samples. group_sums (one group's, as a BatchBoundary gets them) summed over
  /// the groups, the same on every rank; DivergenceError on every rank if not finite (before a
  /// checkpoint of spoiled parameters).
  EpochResult over_groups(int epoch, const EpochResult& group_sums) const;

  /// Collective over space. Per-sample relative L2 errors (decoded, over all K records) of data's
  /// samples, in order, on every rank of the group; with predictions, also the decoded
  /// predictions [count][records][points] of this rank's block; with record_errors, each
  /// record's relative L2, [count][records].
  std::vector<double> evaluate(const SampleBlock& data, std::vector<double>* predictions = nullptr,
                               std::vector<double>* record_errors = nullptr);

  /// Collective over space. The loss of samples `index` of data (the sum of their relative L2
  /// terms, decoded) and, with a non-empty gradient (parameter_count() entries), its gradient
  /// written there: this group's, not summed over the groups. The step's own computation, for
  /// tests.
  double batch_loss(const SampleBlock& data, const std::vector<int>& index,
                    const Vector& gradient = Vector());

  Adam& adam() { return adam_; }
  const OperatorModel& net() const { return net_; }

private:
  // Collective over space. Forward of samples `index` of data, the decoded predictions in the
  // data's layout (out_, or the rollout's trajectory_ after its window); per-sample and per-record
  // errors; with a gradient, the loss adjoint and the backward pass. Returns the loss (its
  // weighted relative L2 terms, plus the physics term unless loss_only_data: evaluate() reports
  // errors and discards the loss, so it skips the residual).
  double pass(const SampleBlock& data, const std::vector<int>& index, bool gradient,
              std::vector<double>* errors, std::vector<double>* record_errors,
              bool loss_only_data = false);
  // The batch buffers for n samples (grown, never shrunk).
  void reserve(int n);
  // Collective over space (so are the two below). Direct and SpaceTime: x gathered (repeated
  // along the time axis), forward, decoded in place.
  void forward_direct(const SampleBlock& data, int n);
  // Rollout: the K steps, each prediction written into the trajectory.
  void forward_rollout(int n);
  // Rollout: the reverse sweep (see the header comment), dtraj_ holding the loss adjoint.
  void backward_rollout(int n);
  // Gathers channels [first, first + channels) of every sample of the trajectory into window.
  void window(int n, int first, int channels, const Vector& from, const Vector& to) const;
  // Rollout with physics: the LES residual's loss of every step's window, summed over the steps,
  // times the weight and the samples; with gradient, its adjoint added into adjoint_trajectory_.
  // Collective over space.
  double physics_loss(int n, bool gradient);
  // Rollout: steps, output channels per step, and the trajectory's channels per sample.
  int steps() const;
  long trajectory_channels() const;

  OperatorModel& net_;
  MPI_Comm samples_;
  double last_errors_ = 0, last_physics_ = 0;  // the last pass's parts of its loss
  OperatorTrainingConfig config_;
  Adam adam_;
  Vector gradient_, scale_, mean_;  // decode: y = out * scale + mean, [out][points]
  Vector x_, out_, y_, dy_;         // batch buffers (largest batch)
  Vector trajectory_, adjoint_trajectory_, adjoint_window_;  // rollout: [n][in + steps out][points]
  Vector physics_window_,
      physics_adjoint_;  // rollout with physics: [n][frames + 1][fields][points]
  long points_ = 0;      // this rank's points of the data grid
  Kokkos::View<int*> index_;
  Kokkos::View<double*> sums_;    // per sample and record ||yhat - y||^2, ||y||^2
  Kokkos::View<double*> factor_;  // per sample and record, the loss adjoint's scale
  // Their host sides, made with them (on a host build the same memory), so a step allocates
  // nothing.
  Kokkos::View<int*>::HostMirror index_host_;
  Kokkos::View<double*>::HostMirror sums_host_, factor_host_;
};

}  // namespace tessera::nn
