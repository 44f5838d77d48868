#pragma once
// Which checkpoint a run continues from, the same rule for every run kind's restart option
// (-dd_restart, -les_restart, -operator_restart): empty for a fresh start, a path, or `latest`,
// the newest readable one the run keeps; and the rule that protects checkpoints: a run never
// replaces checkpoints it does not continue from, unless output_overwrite says so.
//
// A run keeps its last K checkpoints (-checkpoint_keep): the newest under its checkpoint path
// `<directory>/<name>_checkpoint.h5`, the older ones under `<name>_checkpoint.<age>.h5`, age 1 the
// one before the newest. A new checkpoint is written under a temporary name; once it is complete
// commit_kept_checkpoint moves each older one to the next age and the new one to the checkpoint
// path, so that at every moment the complete checkpoints have names.
#include <mpi.h>

#include <string>
#include <vector>

namespace tessera::io {

/// The restart value that names the run's own newest checkpoint.
inline const std::string kLatestCheckpoint = "latest";

/// Not collective. Where the checkpoint `age` commits older than the newest at checkpoint_path
/// lies: checkpoint_path itself for age 0, else `<stem>.<age>.h5` (`run_checkpoint.1.h5`).
std::string kept_checkpoint_path(const std::string& checkpoint_path, int age);

/// Not collective. The checkpoints kept at checkpoint_path that exist, newest first (any count,
/// whatever -checkpoint_keep the run that wrote them had).
std::vector<std::string> kept_checkpoints(const std::string& checkpoint_path);

/// Not collective: rank 0 of the writers calls it once every rank has closed the complete file
/// temporary. Makes temporary the newest checkpoint at checkpoint_path, keeping `kept` (>= 1) in
/// all: the one of age a moves to age a + 1 (the oldest first, each rename replacing the older
/// file in one step), the newest gets the name of age 1 by a hard link (by a rename where the file
/// system has none), temporary replaces it, and then those of age `kept` or more are removed.
void commit_kept_checkpoint(const std::string& temporary, const std::string& checkpoint_path,
                            int kept);

/// Not collective. Why path does not hold a complete checkpoint file, "" if it does as far as can
/// be told without reading its values: it must open as an HDF5 file (HDF5 refuses a file shorter
/// than its superblock records, so a truncated one), carry the attribute every committed file has
/// ("tessera_version") and every dataset at its root must open.
std::string checkpoint_problem(const std::string& path);

/// Collective over comm. The checkpoint a run whose restart option (its name, for messages) holds
/// value continues from, "" for a fresh start: "" stays ""; `latest` is the newest of the
/// checkpoints kept at checkpoint_path (kept_checkpoints) that checkpoint_problem finds complete,
/// each one skipped on the way named with the reason on rank 0, or "" (a fresh start, said on
/// rank 0) if there is none; any other value is a path, kept as given. An InputError on every
/// rank, before any work: for `latest` when checkpoints exist but none is complete (naming each
/// and why), and when checkpoints are kept at checkpoint_path that the run would replace without
/// continuing from one of them, unless overwrite (naming the newest and the ways out:
/// -<option> latest, -output_overwrite true, another directory).
std::string resolve_restart(MPI_Comm comm, const std::string& option, const std::string& value,
                            const std::string& checkpoint_path, bool overwrite);

/// Not collective. An InputError unless written_by, the run kind the checkpoint at path records
/// (attribute run_kind; "" for none), is kind: the file is not a checkpoint of this run.
void require_run_kind(const std::string& path, const std::string& written_by,
                      const std::string& kind);

/// The relative difference allowed between a value a checkpoint records of its state (the
/// training loss at its parameters, an operator's validation error) and the value a restart
/// computes from the state it read: another rank count sums it in another order (differences of
/// at most 1e-15 seen, input/README.md), while altered parameters or another loss change it by far
/// more.
constexpr double kRestartTolerance = 1e-9;

/// Not collective; every rank calls it with the same values. Logs on rank 0 that `here`, computed
/// from the state read from checkpoint, reproduces the `what` it records (`recorded`) within
/// kRestartTolerance; otherwise (or if either is not finite) an InputError naming the file, what,
/// both values, their relative difference and way_out.
void require_reproduced(const std::string& checkpoint, const std::string& what, double recorded,
                        double here, const std::string& way_out);

}  // namespace tessera::io
