#pragma once
// The Darcy data set end to end (run: dataset): S samples of a coefficient sequence (a correlated
// log-normal permeability, or the FNO paper's thresholded Gaussian field) and their PETSc
// solutions, written as one sample set [samples][fields][ny][nx] with metadata, optionally every
// r-th grid point only (-dataset_subsample); the same sequence solved once per reuse strategy, and
// the strategies compared in iterations and solve time.
//
// Resume: with -dataset_resume the unfinished file `<name>.h5.tmp` is kept when a run stops
// early (killed, a failed solve, -dataset_stop_after), and after every sample its data are
// flushed and then the root attribute "samples_complete" (the samples [0, k) that are complete)
// is written and flushed. A rerun of the same deck opens it, checks that every generating option
// (the field's, the grid's, the solver's) is what the file records (an InputError naming the first
// that is not), and goes on from sample k. The final name still only ever holds a complete data
// set: the file is renamed when its last sample is written.
#include <mpi.h>

#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "run/darcy_sequence.hpp"
#include "run/output_config.hpp"
#include "solvers/darcy_reference.hpp"

namespace tessera::run {

struct DatasetRunConfig {
  SequenceConfig sequence;
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

  /// Collective. Builds the decomposition and a solver (reading its PETSc options), but touches
  /// no file. Throws an InputError if the bandit strategy is asked for and the deck's
  /// preconditioner has no SOR-smoothed multigrid levels for it to tune.
  DatasetRun(MPI_Comm comm, const DatasetRunConfig& config);

  /// Collective. Creates the output directory; refuses to replace an existing result unless
  /// the deck allows it.
  void prepare_output();

  /// Collective. Solves the sequence once per strategy, writing the samples during the first
  /// pass, and prints progress (samples done, seconds per sample, time left) and the comparison
  /// table on rank 0. options_text is stored with the data set. Resuming, first checks the
  /// unfinished file's generating options (InputError on every rank if one differs).
  DatasetSummary execute(const std::string& options_text);

private:
  DatasetRunConfig config_;
  MPI_Comm comm_;
  Decomposition decomp_;
  solvers::DarcyReference solver_;  // set up at construction so that its options are checked
};

}  // namespace tessera::run
