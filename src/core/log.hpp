#pragma once
// Rank-0 console output. Everything a run prints to the user goes through here.
#include <mpi.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

bool is_root(MPI_Comm comm = MPI_COMM_WORLD);

/// Prints one line on rank 0 of comm (not collective: other ranks do nothing).
void print_root(const std::string& line, MPI_Comm comm = MPI_COMM_WORLD);

/// One number through a printf format, for progress and summary lines: format("%.3e", x).
std::string format(const char* fmt, double value);

/// "a, b and c": words as a message lists them.
std::string word_list(const std::vector<std::string>& words);

/// A duration as h:mm:ss (rounded to the second), for the time left in progress lines.
std::string duration_text(double seconds);

/// The end of a progress line: "30%, ETA 0:00:12" for a loop that has done `fraction` of its work
/// and expects to need seconds_left more (negative: not known yet, no ETA).
std::string progress_text(double fraction, double seconds_left);

}  // namespace tessera

// The stream expression is evaluated on rank 0 only: never put a collective call inside it.
#define TESSERA_LOG(stream_expr)                 \
  do {                                           \
    if (::tessera::is_root()) {                  \
      std::ostringstream tessera_log_;           \
      tessera_log_ << stream_expr;               \
      ::tessera::print_root(tessera_log_.str()); \
    }                                            \
  } while (0)
