#pragma once
// What every PINN run reports, whatever its problem and learner: the errors of the learned
// solution against the exact solution and the PETSc reference, its training, and the result
// file that holds them. A run writes its own fields and error attributes into the file, then
// finish_pinn_result adds what every PINN result file has and commits it; its summary ends with
// summary_tail's lines.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/comparison.hpp"

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

class Learner;

/// What every PINN run reports of its training.
struct TrainingOutcome {
  double training_seconds = 0;
  double initial_loss = 0;
  double final_loss = 0;
  std::string lbfgs_stop;

  /// Training time, final loss and why L-BFGS stopped ("no L-BFGS phase" without one).
  void record_training(const pinn::TrainingResult& training, const pinn::TrainingConfig& config);
};

/// A PINN run's outcome: its training and the relative L2 errors of its comparison (those the
/// problem has: no exact solution for Allen–Cahn or the cavity, the exact solution is the
/// reference for Burgers and Kovasznay; the 3D heat equation's at its final time).
struct PinnOutcome : TrainingOutcome {
  double pinn_vs_exact = 0;
  double reference_vs_exact = 0;
  double pinn_vs_reference = 0;  // velocity for the Navier–Stokes flows
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

/// What a PINN result file says about the run beside its fields and errors.
struct PinnRunRecord {
  const problems::PinnSelection& selection;  // the problem and the learner
  const Learner& learner;                    // its parameters, tables and attributes
  const TrainingOutcome& outcome;
  const pinn::TrainingHistory& history;
  const std::string& options_text;
};

/// Collective over the file's communicator. Ends a PINN result file whose grid, fields and error
/// attributes the run has written: adds the training history, the learner's tables and
/// attributes (Learner::write), the attributes every PINN result has (options, problem, learner,
/// parameters, training time, initial and final loss, L-BFGS stop, wall_seconds), commits the
/// file (tmp + rename) and writes its XDMF beside it.
void finish_pinn_result(io::FieldFile& file, const PinnRunRecord& run, double wall_seconds);

/// Collective. The result of a problem with an exact solution compared on the reference grid
/// (the Poisson problems): fields x, y (2D, 3D), z (3D), pinn, reference, exact, pinn_error
/// (pinn - exact), the three errors as attributes, whatever extra() adds, then
/// finish_pinn_result's (wall_seconds() read last). outcome.output_file names the file.
void write_pinn_result(MPI_Comm comm, const Decomposition& decomp, double h,
                       const GridFields& fields, const PinnOutcome& outcome,
                       const PinnRunRecord& run, const std::function<double()>& wall_seconds,
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
/// The last lines of every PINN run's summary: the learner's (Learner::summary), the training
/// line, the wall time and the result file.
std::string summary_tail(const Learner& learner, const TrainingOutcome& outcome,
                         double wall_seconds, const std::string& output_file);

}  // namespace tessera::run
