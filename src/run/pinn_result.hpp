#pragma once
// What every PINN run reports, whatever its problem and learner: the errors of the learned
// solution against the exact solution and the PETSc reference, its training, and the one result
// file that holds them (write_pinn_result: the problem's comparison, then what every PINN result
// file has); its summary ends with summary_tail's lines.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "pinn/trainer.hpp"
#include "problems/problem.hpp"
#include "problems/registry.hpp"

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
};

/// What a PINN result file says about the run beside its fields and errors.
struct PinnRunRecord {
  const problems::PinnSelection& selection;  // the problem and the learner
  const Learner& learner;                    // its parameters, tables and attributes
  const TrainingOutcome& outcome;
  const pinn::TrainingHistory& history;
  const std::string& options_text;
};

/// Collective over comm. The result of a PINN run at path: the comparison's grid (over decomp),
/// fields, vectors and attributes, whatever extra() adds, the training history, the learner's
/// tables and attributes (Learner::write), the attributes every PINN result has (options,
/// problem, learner, parameters, training time, initial and final loss, L-BFGS stop,
/// wall_seconds, read last); committed (tmp + rename) with its XDMF beside it.
void write_pinn_result(MPI_Comm comm, const std::string& path, const Decomposition& decomp,
                       const problems::ProblemComparison& comparison, const PinnRunRecord& run,
                       const std::function<void(io::FieldFile&)>& extra,
                       const std::function<double()>& wall_seconds);

/// Collective over file's communicator. Writes a training history (columns iteration, phase,
/// loss, ...) as the table `name`, with the meaning of its phase codes as the attribute
/// "phase_meaning".
void write_history(io::FieldFile& file, const std::string& name,
                   const std::vector<std::string>& columns, const std::vector<double>& rows);

/// The training line of a run's summary: time, final loss, its reduction from the initial loss
/// (the figure the reduced regression runs check), why L-BFGS stopped.
std::string training_summary(const TrainingOutcome& outcome);
/// The last lines of every PINN run's summary: the learner's (Learner::summary), the training
/// line, the wall time and the result file.
std::string summary_tail(const Learner& learner, const TrainingOutcome& outcome,
                         double wall_seconds, const std::string& output_file);

}  // namespace tessera::run
