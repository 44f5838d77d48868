#include "io/root_task.hpp"

#include <exception>
#include <limits>

#include "core/error.hpp"

namespace tessera::io {

std::string run_on_root(MPI_Comm comm, const std::function<std::string()>& task) {
  int rank = 0;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  std::string outcome;
  if (rank == 0) {
    try {
      outcome = task();
    } catch (const std::exception& e) {
      outcome = e.what();
      if (outcome.empty()) outcome = "unknown failure";
    }
  }
  // Non-root ranks leave only once rank 0 has finished, so this also orders the task before
  // anything any rank does next.
  return broadcast_string(comm, outcome);
}

std::string broadcast_string(MPI_Comm comm, const std::string& text) {
  unsigned long long length = text.size();
  TESSERA_MPI_CALL(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
  TESSERA_CHECK(length <= static_cast<unsigned long long>(std::numeric_limits<int>::max()),
                "broadcast_string: " << length << " characters do not fit one MPI message");
  std::string received = text;
  received.resize(length);
  if (length > 0)
    TESSERA_MPI_CALL(MPI_Bcast(received.data(), static_cast<int>(length), MPI_CHAR, 0, comm));
  return received;
}

std::vector<std::string> broadcast_strings(MPI_Comm comm, const std::vector<std::string>& texts) {
  unsigned long long count = texts.size();
  TESSERA_MPI_CALL(MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
  std::vector<std::string> received(count);
  for (std::size_t i = 0; i < count; ++i)
    received[i] = broadcast_string(comm, i < texts.size() ? texts[i] : std::string());
  return received;
}

}  // namespace tessera::io
