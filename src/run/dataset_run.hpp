#pragma once
// The Darcy data set end to end (run: dataset): S samples of a correlated log-normal permeability
// sequence and their PETSc solutions, written as one sample set [samples][fields][ny][nx] with
// metadata; the same sequence solved once per reuse strategy, and the strategies compared in
// iterations and solve time.
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
  /// pass, and prints per-sample progress and the comparison table on rank 0. options_text is
  /// stored with the data set.
  DatasetSummary execute(const std::string& options_text);

private:
  DatasetRunConfig config_;
  MPI_Comm comm_;
  Decomposition decomp_;
  solvers::DarcyReference solver_;  // set up at construction so that its options are checked
};

}  // namespace tessera::run
