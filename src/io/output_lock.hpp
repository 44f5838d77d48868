#pragma once
// One run at a time per output name. A run locks its output stem in its output directory with the
// file `<dir>/<stem>.lock`, created with O_EXCL by rank 0 and naming the run's host, PID and start
// time, and removes it when the run ends, also when it ends by an exception. A second run for the
// same stem finds the file and is refused before it does any work, so two runs can neither both
// pass the no-overwrite check nor write the same result or checkpoint. Runs with different stems
// may share a directory.
//
// A run killed outright (SIGKILL, a lost node, MPI_Abort after a failure on a rank other than 0
// that left no time for rank 0 to clean up) leaves its lock behind. The next run reports it: as
// stale when it names this host and a PID that no longer runs, with the file to remove; otherwise
// as held, naming the holder.
#include <mpi.h>

#include <string>

namespace tessera::io {

class OutputLock {
public:
  /// Holds nothing.
  OutputLock() = default;

  /// Collective over comm. Rank 0 creates `<dir>/<file_stem>.lock` (O_CREAT | O_EXCL) recording
  /// its host, PID and start time, and the outcome is shared: if the file exists already, every
  /// rank throws the same InputError naming the lock file and the run it names (stale or held,
  /// see above) and how to clear it; any other failure to create it is an InputError as well.
  OutputLock(MPI_Comm comm, const std::string& dir, const std::string& file_stem);

  /// Not collective. release().
  ~OutputLock();
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  /// Not collective. `<dir>/<file_stem>.lock`, or "" for a lock that holds nothing.
  const std::string& path() const { return path_; }
  /// Not collective. What the lock file says: "host <h>\npid <p>\nstarted <UTC time>\n".
  const std::string& holder() const { return holder_; }

  /// Not collective. Removes the lock file if it still names this run: on rank 0 always; on any
  /// other rank only while an exception unwinds it, which is then either every rank's (an
  /// InputError; removing twice is harmless) or this rank's alone, in which case run_main's
  /// MPI_Abort kills rank 0 before it could remove the file itself.
  void release() noexcept;

private:
  std::string path_, holder_;
  int rank_ = 0;
  int exceptions_at_creation_ = 0;
};

/// Not collective. The lock file of file_stem in dir: `<dir>/<file_stem>.lock`.
std::string lock_path(const std::string& dir, const std::string& file_stem);

/// Not collective. Whether the process pid of this host has ended: it does not exist, or it is a
/// zombie (a killed rank that its new parent has not reaped, as under an init that never reaps,
/// e.g. in a container; it writes nothing more). A process this run may not signal still runs.
bool process_ended(long pid);

}  // namespace tessera::io
