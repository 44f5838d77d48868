#pragma once
// Which checkpoint a run continues from, the same rule for every run kind's restart option
// (-dd_restart, -les_restart, -operator_restart): empty for a fresh start, a path, or `latest`,
// the run's own checkpoint (<directory>/<name>_checkpoint.h5) if there is one. And the rule that
// protects checkpoints: a run never replaces a checkpoint it does not continue from, unless
// output_overwrite says so.
#include <mpi.h>

#include <string>

namespace tessera::io {

/// The restart value that names the run's own newest checkpoint.
inline const std::string kLatestCheckpoint = "latest";

/// Collective over comm. The checkpoint a run whose restart option (its name, for messages) holds
/// value continues from, "" for a fresh start: "" stays ""; `latest` is checkpoint_path if it
/// exists, else "" (a fresh start, said on rank 0); any other value is a path, kept as given.
/// An InputError on every rank, before any work, if checkpoint_path holds a checkpoint that the
/// run would replace without continuing from it, unless overwrite: it names the file and the ways
/// out (-<option> latest, -output_overwrite true, another directory).
std::string resolve_restart(MPI_Comm comm, const std::string& option, const std::string& value,
                            const std::string& checkpoint_path, bool overwrite);

}  // namespace tessera::io
