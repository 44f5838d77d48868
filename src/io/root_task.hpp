#pragma once
// File-system work done by rank 0 on behalf of a communicator (create a directory, rename a
// finished file, write a small text file), with the outcome shared, so that a failure becomes
// the same exception on every rank instead of rank 0 throwing alone while the others wait in the
// next collective.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

namespace tessera::io {

/// Collective over comm. Runs task on rank 0 only and returns its outcome on every rank: the
/// string the task returned ("" means success), or the what() of an exception it threw.
std::string run_on_root(MPI_Comm comm, const std::function<std::string()>& task);

/// Collective over comm. Rank 0's text, on every rank.
std::string broadcast_string(MPI_Comm comm, const std::string& text);
/// Collective over comm. Rank 0's list of texts, on every rank.
std::vector<std::string> broadcast_strings(MPI_Comm comm, const std::vector<std::string>& texts);

}  // namespace tessera::io
