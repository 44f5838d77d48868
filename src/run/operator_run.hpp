#pragma once
// run: operator. Trains (-operator_mode train) or evaluates (evaluate) a neural operator
// (-operator_model: fno or tfno, nn::Fno; deeponet, nn::DeepOnetOperator with the -deeponet_*
// options of run/operator_deeponet.hpp) on a sample set written by run: dataset, over the ranks
// split as samples x space (DESIGN.md section 5): -operator_space_ranks S ranks per space group
// hold one block of the grid each (the network built on that block; DeepONet holds the whole grid,
// S = 1), the P / S groups hold disjoint training samples (their lanes, nn::LaneSchedule) and sum
// their gradients with one allreduce per step.
//
// Data: the file's samples are split into train / validation / test by a seeded shuffle
// (-operator_split_seed; 0 keeps the file's order): the permutation is a Fisher-Yates shuffle of
// 0 .. N-1 driven by tessera::uniform_unit from splitmix64(seed); train is its first
// -operator_train entries, validation the next -operator_validation, test the next
// -operator_test. Every group reads only its own samples, each a hyperslab of its block of the
// strided view (-operator_subsample r: every r-th point, so 421^2 with r = 5 is 85^2).
// Normalisation, loss and optimiser as the FNO code (nn/operator_training.hpp).
//
// Records as channels: -operator_input and -operator_output name one field (permeability) or a
// comma-separated list of fields and record ranges, a range 'omega_t1..omega_t10' being the
// fields of one name stem numbered 1 to 10 (omega_t1, omega_t2, ..., omega_t10): the listed
// fields are the input channels and the output records, in the order given. -operator_scheme
// (nn::OperatorScheme) chooses how the network maps them:
//   direct      the network's channels are the input and output fields (the data's 2D or 3D grid)
//   rollout     FNO-2D on the data's grid predicts the record after its window of the input
//               records (fourier_2d_time.py): the output records must be the ones right after
//               the input's, in the file's order, one rollout step each; no normaliser
//   space_time  FNO-3D on [output records][grid] (fourier_3d.py), the time axis slowest and never
//               split over ranks: the input records repeated along it as channels, one output
//               channel, the output records its time points (the FNO3d code pads only time:
//               -operator_padding 6,0,0)
// The rollout's steps may predict windows of frames (the LES operators): -operator_frame_fields C
// fields make a frame (the LES velocity's 3 components, records 3k..3k+2 of the LES data set),
// -operator_window_frames m frames a step (the network's m C output channels, at 1/m of the
// data's record interval); the data label each step's last frame, the output records being one
// frame per step. -operator_physics les adds the LES residual (physics/les_residual.hpp) of every
// step's window to the loss, -operator_physics_weight times it per sample, with the viscosity,
// Smagorinsky constant, box and record interval the LES data set records; -operator_data_weight
// weighs the relative L2 (0: physics only, no labels). -operator_increments true: the network
// predicts each frame's change from the step's input frame. -operator_filter_order p filters the
// input frame and each step's predicted frames (the last the state the next step starts from)
// with the exponential
// filter of order p on the 2/3 band (nn/spectral_filter.hpp), in training and in evaluation: a
// checkpoint trained without it may be evaluated with it. -operator_train_starts S trains on S
// windows of each training sample, from start records spread evenly from the input's to the last
// the file holds outputs for (the whole LES decay, not only its beginning); the test and
// validation rollouts start at the input's record. -operator_unlabelled U: the last U samples of
// the training split train through the physics term alone (their labels left out of the loss).
//
// Checkpoint <directory>/<name>_checkpoint.h5 (tmp + rename; the -checkpoint_keep older ones beside
// it, io/restart.hpp), written every -operator_checkpoint_every epochs and at the end of training:
// tables parameters, adam_first_moment, adam_second_moment, best_parameters (one column each),
// normalizer (the training grid's points x <field>_mean, <field>_std for each input, then each
// output field; none for the rollout), history; attributes: run_kind "operator", epoch (completed
// epochs: the data cursor, since each epoch's shuffle is a function of the shuffle seed and the
// epoch), adam_steps, best_validation_error, best_epoch, and the model and data options under their
// option names (checked on restart and evaluation).
#include <mpi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "io/output_lock.hpp"
#include "nn/fno.hpp"
#include "nn/operator_model.hpp"
#include "nn/operator_training.hpp"
#include "nn/spectral_filter.hpp"
#include "physics/les_residual.hpp"
#include "run/dissipation_comparison.hpp"
#include "run/operator_deeponet.hpp"
#include "run/output_config.hpp"

namespace tessera::run {

struct OperatorRunConfig {
  bool evaluate = false;     // -operator_mode evaluate
  nn::FnoShape shape;        // in/out channels 1, dims and modes completed from the data
  std::vector<int> modes;    // as given: one value for every dimension, or one per dimension
  std::vector<int> padding;  // as given, like modes
  nn::OperatorScheme scheme = nn::OperatorScheme::Direct;
  int window_frames = 1, frame_fields = 1;  // rollout: frames of fields per step
  bool increments = false;                  // rollout: frames predicted as changes
  bool les_physics = false;                 // -operator_physics les
  double physics_weight = 1, data_weight = 1, divergence_weight = 1;
  int filter_order = 0;       // rollout: -operator_filter_order (0: no filter)
  int train_starts = 1;       // rollout: -operator_train_starts, windows per training sample
  int unlabelled = 0;         // -operator_unlabelled: training samples trained by the physics alone
  std::string les_reference;  // -operator_les_reference: an E_k history to compare with
  std::string dataset, dataset_name = "samples", input_name = "permeability",
                       output_name = "pressure";  // as given (lists, ranges)
  std::vector<std::string> inputs, outputs;       // the fields they name, in order
  int subsample = 1;
  int train = 1000, validation = 0, test = 100;
  int split_seed = 1, shuffle_seed = 2, seed = 0;
  int epochs = 500, batch = 20;
  double learning_rate = 1e-3, weight_decay = 1e-4;
  int lr_step_every = 100;
  double lr_step_factor = 0.5;
  int space_ranks = 1;
  int checkpoint_every = 50, stop_after = 0, progress_every = 1;
  double progress_seconds = 60;     // within an epoch, a batch line at most this often
  std::string restart, checkpoint;  // continue training from; evaluate this one
  OutputConfig output;

  // -operator_model: fno or tfno (shape and modes above), or deeponet (the -deeponet_* options).
  std::string model = "fno";
  bool single_precision = false;  // -operator_precision single: fno, tfno in float
                                  // (nn::FnoSingleOperator)
  DeepOnetRunConfig deeponet;

  /// Declares and reads every option of the run; problems are reported to options.
  static OperatorRunConfig from_options(Options& options);
};

struct OperatorSummary {
  std::vector<double> train_loss, train_error, validation_error;  // per epoch, restored too
  std::vector<double> test_errors;    // per test sample, over all its output records
  std::vector<double> record_errors;  // per output record, the mean over the test samples
  double test_mean = 0, test_median = 0, test_max = 0, seconds_per_epoch = 0;
  // The test split's forward passes with the best network (slowest group): wall seconds, and per
  // sample and network application (a rollout's step), the samples of a group one after another.
  double evaluation_seconds = 0, seconds_per_application = 0;
  std::string output_file;
};

class OperatorRun {
public:
  using Config = OperatorRunConfig;

  /// Collective. Splits the ranks into samples x space, opens the data set's metadata, checks
  /// the model against the grid and the checkpoint (restart or evaluation) and builds the
  /// network; reads no sample and writes nothing. InputError on every rank, naming the option,
  /// for a missing data set or field, split counts beyond its samples, modes above the Nyquist
  /// limit of the padded grid, a checkpoint of another model, grid or split.
  OperatorRun(MPI_Comm comm, const OperatorRunConfig& config);
  ~OperatorRun();
  OperatorRun(const OperatorRun&) = delete;
  OperatorRun& operator=(const OperatorRun&) = delete;

  /// Collective. Prepares the output directory (see PinnRun::prepare_output).
  void prepare_output();

  /// Collective. Reads the samples, trains (progress per epoch, checkpoints) or evaluates, writes
  /// <directory>/<name>.h5 (+ .xmf) and prints the summary on rank 0.
  OperatorSummary execute(const std::string& options_text);

private:
  struct State;
  OperatorRunConfig config_;
  MPI_Comm comm_, space_ = MPI_COMM_NULL, samples_ = MPI_COMM_NULL;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  int group_ = 0, groups_ = 1;
  long file_samples_ = 0;
  std::vector<int> input_fields_, output_fields_;  // indices in the file's fields
  std::vector<int> grid_, trained_grid_;  // the view's points; the checkpoint's (evaluation)
  std::vector<int> net_grid_;             // the network's: grid_, space_time [records] + grid_
  std::vector<int> trained_padding_;  // the checkpoint's -operator_padding (scaled on a finer grid)
  std::unique_ptr<Decomposition> space_decomposition_;
  std::unique_ptr<nn::OperatorModel> net_;
  std::unique_ptr<physics::LesResidual> physics_;  // -operator_physics les
  std::unique_ptr<nn::SpectralFilter> filter_;     // -operator_filter_order
  // An LES data set's box side and record interval (0 for other data): a rollout of its frames
  // is compared with the LES (run/les_rollout.hpp).
  double les_length_ = 0, les_record_interval_ = 0;
  std::optional<DissipationReference> les_reference_;  // -operator_les_reference
  // The field offsets of the training windows' start records (-operator_train_starts), {0} for one.
  std::vector<int> train_shifts_{0};
  // The LES time of the rollout's input frame (its record times the interval). Not collective.
  double les_input_time() const;
};

}  // namespace tessera::run
