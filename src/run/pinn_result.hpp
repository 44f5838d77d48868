#pragma once
// What every Poisson PINN run (one network, XPINN, FBPINN) reports: the errors against the
// exact solution and the PETSc reference on the reference grid, and the result file holding them.
// The run kinds add their own fields and attributes through a callback.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "pinn/trainer.hpp"
#include "run/comparison.hpp"

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

/// The part of a PINN run's summary that every kind shares.
/// What every PINN run reports of its training.
struct TrainingOutcome {
  double training_seconds = 0;
  double initial_loss = 0;
  double final_loss = 0;
  std::string lbfgs_stop;

  /// Training time, final loss and why L-BFGS stopped ("no L-BFGS phase" without one).
  void record_training(const pinn::TrainingResult& training, const pinn::TrainingConfig& config);
};

struct PinnOutcome : TrainingOutcome {
  double pinn_error = 0;         // relative L2, learned vs exact
  double reference_error = 0;    // relative L2, PETSc reference vs exact
  double pinn_vs_reference = 0;  // relative L2
  double total_seconds = 0;
  std::string output_file;

  /// Collective. The three relative L2 errors of the fields on the reference grid.
  void record_errors(const struct GridFields& fields);
};

/// This rank's block of the learned, reference and exact solutions on the reference grid.
struct GridFields {
  const Comparison& grid;
  const std::vector<double>& pinn;
  const std::vector<double>& reference;
  const std::vector<double>& exact;
};

/// Collective. Writes outcome.output_file: fields x, y (2D, 3D), z (3D), pinn, reference, exact,
/// pinn_error, the history table, the attributes every PINN run shares (options, problem, k, the
/// errors, training time, final loss, L-BFGS stop), then whatever extra() adds, then wall_seconds;
/// commits the file (tmp + rename) and writes the XDMF beside it.
void write_pinn_result(MPI_Comm comm, const Decomposition& decomp, double h,
                       const GridFields& fields, const PinnOutcome& outcome,
                       const pinn::TrainingHistory& history, const std::string& options_text,
                       const std::string& problem, double frequency,
                       const std::function<double()>& wall_seconds,
                       const std::function<void(io::FieldFile&)>& extra);

/// Collective over file's communicator. Writes a training history (columns iteration, phase,
/// loss, ...) as the table `name`, with the meaning of its phase codes as the attribute
/// "phase_meaning".
void write_history(io::FieldFile& file, const std::string& name,
                   const std::vector<std::string>& columns, const std::vector<double>& rows);

/// The first lines of a run's summary: the three errors on the n^dim reference grid, the label
/// naming the learned solution ("PINN", "FBPINN").
std::string error_summary(const std::string& label, int n, const PinnOutcome& outcome, int dim = 2);
/// The training line of a run's summary: time, final loss, its reduction from the initial loss
/// (the figure the reduced regression runs check), why L-BFGS stopped.
std::string training_summary(const TrainingOutcome& outcome);

}  // namespace tessera::run
