#pragma once
// Start-up checks on where a run's results go, made before any work so that a run which could
// not, or must not, write its results stops at once and leaves existing results untouched.
#include <mpi.h>

#include <string>

namespace tessera::io {

/// Not collective. The result file of a run: `<dir>/<file_stem>.h5`.
std::string result_path(const std::string& dir, const std::string& file_stem);

/// Collective over comm. Creates dir (with its parents) if missing, and refuses to go on if
/// result_path(dir, file_stem) exists and overwrite is false. Either failure is an InputError
/// raised on every rank, naming the directory or file (and, for an existing result, the deck key
/// `output_overwrite: true`). With overwrite the existing file is left as it is; a FieldFile
/// replaces it only when the new one is complete.
void prepare_output_directory(MPI_Comm comm, const std::string& dir, const std::string& file_stem,
                              bool overwrite);

}  // namespace tessera::io
