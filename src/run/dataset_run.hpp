#pragma once
// A data set for neural operators end to end (run: dataset), one of two problems
// (-dataset_problem), written as one sample set [samples][fields][ny][nx] with metadata,
// optionally every r-th grid point only (-dataset_subsample):
//   darcy          S samples of a coefficient sequence (a correlated log-normal permeability, or
//                  the FNO paper's thresholded Gaussian field) and their PETSc solutions, fields
//                  {permeability, pressure}; the whole grid decomposed over the ranks, the samples
//                  one after the other; the same sequence solved once per reuse strategy, and the
//                  strategies compared in iterations and solve time.
//   navier_stokes  the FNO paper's vorticity data (solvers/vorticity2d.hpp): S random initial
//                  vorticities on the periodic unit square and their solutions, fields
//                  {omega_t0, omega_t1, ...}, ω at t = 0, Δ, 2Δ, ..., T (Δ the record interval).
//                  Each sample is solved on one rank, the samples split over the ranks in rounds
//                  (round m: sample mP + rank), every rank writing its sample of the round into
//                  the one file. FNO-3D maps ω(t = 1..10) to ω(t = 11..50), i.e. fields 1-10 to
//                  11-50; its script's input a = ω0 is field 0.
//
// Resume: the file is written as `<name>.h5.tmp`, kept when a run stops early (a signal, killed,
// a failed solve, -dataset_stop_after), and after every sample its data are flushed and then the
// root attribute "samples_complete" (the samples [0, k) that are complete) is written and flushed.
// A rerun of the same deck with -dataset_resume opens it, checks that every generating option
// (the field's, the grid's, the solver's) is what the file records (an InputError naming the first
// that is not), and goes on from sample k; without -dataset_resume it refuses to replace it (an
// InputError) unless the deck allows overwriting. A comparison of strategies (-dataset_reuse all)
// also records the per-solve table and "passes_complete" after each pass and when a signal stops
// it, and goes on at the first pass not complete (the none pass after its recorded solves, any
// other from its first sample, so that its figures are an uninterrupted pass's). The final name
// still only ever holds a complete data set: the file is renamed when its last sample is written.
// Grow: with -dataset_resume, no unfinished file and a finished one of the same generating options
// but fewer samples (k < S), a run makes the unfinished file of S samples, copies the k into it
// (marked complete) and goes on from sample k as a resumed run does; the finished file is replaced
// only when the grown one is complete. Samples are seeded by index, so the grown set is the one a
// single S-sample run writes. A finished file that cannot grow is refused (an InputError naming
// why) unless the deck allows overwriting.
//   les            decaying LES from random initial fields (run/les_cases.hpp: the isotropic or
//                  mixing_layer case of the LES run, its -les_* options), sample s from the flow's
//                  seed and s (so every sample a new field), solved by the PETSc LES on the whole
//                  decomposition one sample after another, fields {velocity_x_0, velocity_y_0,
//                  velocity_z_0, velocity_x_1, ...}: the cell-centre velocity at t = 0, Δ, 2Δ,
//                  ..., T (Δ = -les_record_interval, T = -les_end_time) on the n³ grid of cell
//                  centres, each rank writing its block. The training data of the LES operators.
// All problems share this mechanism, the progress line (samples done, seconds per sample, time
// left) and the finishing attributes.
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "io/output_lock.hpp"
#include "run/darcy_sequence.hpp"
#include "run/les_cases.hpp"
#include "run/output_config.hpp"
#include "solvers/darcy_reference.hpp"
#include "solvers/incompressible.hpp"
#include "solvers/vorticity2d.hpp"

namespace tessera::run {

enum class DatasetProblem { darcy, navier_stokes, les };

/// The navier_stokes problem's generating options besides the sample count.
struct VorticityDataConfig {
  solvers::Vorticity2DConfig solver;
  solvers::RandomVorticityConfig field;
  double final_time = 50;      // T
  double record_interval = 1;  // ω stored at t = 0, Δ, ..., T; a whole number of steps
  long long steps_per_record() const;
  int records() const;  // T / Δ + 1
};

/// The les problem's generating options besides the sample count.
struct LesDataConfig {
  solvers::IncompressibleConfig solver;
  LesFlowConfig flow;             // its seed is the set's; end_time is T
  double record_interval = 0.02;  // Δ: velocity stored at t = 0, Δ, ..., T
  int records() const;            // T / Δ + 1
  /// The seed of sample s's initial field: a function of the set's seed and s. Not collective.
  std::uint64_t sample_seed(long s) const;
};

struct DatasetRunConfig {
  DatasetProblem problem = DatasetProblem::darcy;
  SequenceConfig sequence;  // darcy; its samples is the sample count of either problem
  VorticityDataConfig navier_stokes;
  LesDataConfig les;
  std::vector<ReuseStrategy> strategies;  // -dataset_reuse: one, or all of them
  int subsample = 1;                      // r: the stored grid is every r-th point of the solver's
  bool resume = false;                    // go on from an unfinished file of the same deck
  int stop_after = 0;      // > 0: stop once this many samples are complete (tests of resume)
  int progress_every = 1;  // a progress line every this many samples
  OutputConfig output;

  /// Declares and reads every option of the run; problems are reported to options.
  static DatasetRunConfig from_options(Options& options);
};

struct DatasetSummary {
  std::vector<SequenceResult> results;  // one per strategy, in the order run
  std::string output_file;
  double wall_seconds = 0;
};

class DatasetRun {
public:
  using Config = DatasetRunConfig;

  /// Collective. Builds the decomposition and a solver (reading its PETSc options), or for
  /// navier_stokes this rank's vorticity solver, but touches no file. Throws an InputError if
  /// the bandit strategy is asked for and the deck's preconditioner has no SOR-smoothed
  /// multigrid levels for it to tune.
  DatasetRun(MPI_Comm comm, const DatasetRunConfig& config);

  /// Collective. Creates the output directory and locks the output name until the run ends (see
  /// PinnRun::prepare_output); refuses to replace an existing result unless the deck allows it
  /// or resumes (execute() then refuses a finished set it cannot grow).
  void prepare_output();

  /// Collective. darcy: solves the sequence once per strategy, writing the samples during the
  /// first pass; navier_stokes: solves this rank's samples, round by round, writing each; prints
  /// progress (samples done, seconds per sample, time left) and the comparison table on rank 0.
  /// options_text is stored with the data set. Resuming, first checks the unfinished file's
  /// generating options (InputError on every rank if one differs).
  DatasetSummary execute(const std::string& options_text);

private:
  DatasetSummary execute_darcy(const std::string& options_text);
  DatasetSummary execute_navier_stokes(const std::string& options_text);
  DatasetSummary execute_les(const std::string& options_text);

  DatasetRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  // darcy: set up at construction so that its options are checked.
  std::optional<Decomposition> decomp_;
  std::optional<solvers::DarcyReference> solver_;
  std::optional<solvers::Vorticity2D> vorticity_;       // navier_stokes: this rank's solver
  std::unique_ptr<solvers::IncompressibleSolver> les_;  // les: on decomp_, all ranks
};

}  // namespace tessera::run
