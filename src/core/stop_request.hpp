#pragma once
// Graceful stop and wall-clock checkpoints, shared by every run kind. SIGTERM (what SLURM and
// mpirun send to end a job) and SIGUSR1 (what SLURM sends with --signal=...USR1@margin before the
// time limit) only set a flag. Each run polls it at its safe points (a training iteration, an LES
// step, a data-set sample, an operator batch): the ranks agree in one MPI_Allreduce of one int,
// write a checkpoint and throw Stopped, which run_main turns into exit status kExitStopped. The
// same poll carries rank 0's verdict on the wall-clock checkpoint interval, so every rank
// checkpoints at the same safe point.
#include <mpi.h>

#include <stdexcept>
#include <string>

namespace tessera {

/// Exit status of a run stopped by SIGTERM or SIGUSR1 after writing its checkpoint: the same
/// command with the run's restart option set to `latest` continues it.
constexpr int kExitStopped = 3;
/// Exit status of a run stopped by a signal where it keeps no checkpoint: rerun from the start.
constexpr int kExitStoppedUnsaved = 4;

/// Not collective. Installs the SIGTERM and SIGUSR1 handlers (they replace PETSc's for these two
/// signals; PETSc keeps its handlers for the others). Call once, after PetscInitialize.
void install_stop_handlers();

/// Not collective; call with the same value on every rank. Sets the wall-clock interval between
/// checkpoints (0: none), counted from now.
void set_checkpoint_interval(double seconds);

/// Not collective. The signal that asked this rank to stop, 0 if none.
int stop_signal();

/// What the ranks agree at a safe point.
struct SafePoint {
  bool stop = false;        // some rank has received SIGTERM or SIGUSR1
  bool checkpoint = false;  // the wall-clock interval has passed on rank 0 (its clock restarts)
};

/// Collective over comm (one MPI_Allreduce of one int): every rank gets the same answer. Then
/// sleeps TESSERA_SAFE_POINT_DELAY seconds where that is set (fault-injection tests only).
SafePoint poll_safe_point(MPI_Comm comm);

/// Thrown on every rank of a run stopped at a safe point (by the code that agreed on it and wrote
/// the checkpoint, if any); run_main prints what() on rank 0 and exits with kExitStopped, or
/// kExitStoppedUnsaved when saved is false.
class Stopped : public std::runtime_error {
public:
  /// where: the safe point ("Adam iteration 250"); resume: the checkpoint written and how to
  /// continue from it, or "" when nothing was saved.
  Stopped(const std::string& where, const std::string& resume);
  bool saved() const { return saved_; }

private:
  bool saved_;
};

/// Not collective. "<path>; continue with -<option> latest", the resume text of a Stopped.
std::string resume_text(const std::string& checkpoint_path, const std::string& restart_option);

}  // namespace tessera
