#pragma once
// Start-up checks on where a run's results go, made before any work so that a run which could
// not, or must not, write its results stops at once and leaves existing results untouched; and
// the names a run's files are written under.
#include <mpi.h>

#include <string>

#include "io/output_lock.hpp"

namespace tessera::io {

/// Not collective. The result file of a run: `<dir>/<file_stem>.h5`.
std::string result_path(const std::string& dir, const std::string& file_stem);

/// Not collective. Why `<dir>/<file_stem>` cannot be the stem of a run's files, or "" if it can:
/// every name a run makes from the stem (result, checkpoint, snapshots, XDMF and lock files, the
/// unique temporary names they are written under and the names MPI-IO adds for a file it opens)
/// must fit the file system's NAME_MAX (a stem of at most 160 characters), and the path of every
/// file written through MPI-IO must fit Open MPI's 238 characters (dir counted as given). The
/// message names the longest stem that fits.
std::string output_name_problem(const std::string& dir, const std::string& file_stem);

/// Not collective. The name under which this process writes a file before renaming it to path:
/// `<path>.<host>.<pid>.tmp` (host up to its first '.', at most 32 characters), so that two runs
/// writing the same path never share a temporary file. Collective writers agree on rank 0's.
std::string unique_temporary_path(const std::string& path);

/// Collective over comm. Makes dir ready for a run writing the files of file_stem, in this order:
/// creates dir (with its parents) if missing; checks that it is writable by creating and removing
/// a probe file of a unique name; locks file_stem in it for the run (OutputLock, returned: keep it
/// until the run ends); and refuses to go on if result_path(dir, file_stem) exists and overwrite
/// is false (under the lock, so two runs cannot both find the name free); then, under the lock,
/// removes the unique temporary files of file_stem's names that runs killed on this host left
/// (their PID no longer runs) and reports those of other hosts, a line on rank 0 for each. Every
/// failure is an
/// InputError raised on every rank, naming the directory, file or lock holder (and, for an
/// existing result, the deck key `output_overwrite: true`); a stem that output_name_problem()
/// refuses is one too. With overwrite the existing file is left as it is; a FieldFile replaces it
/// only when the new one is complete.
[[nodiscard]] OutputLock prepare_output_directory(MPI_Comm comm, const std::string& dir,
                                                  const std::string& file_stem, bool overwrite);

}  // namespace tessera::io
