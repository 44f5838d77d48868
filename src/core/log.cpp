#include "core/log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tessera {

bool is_root(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0;
}

void print_root(const std::string& line, MPI_Comm comm) {
  if (is_root(comm)) std::cout << line << std::endl;
}

std::string format(const char* fmt, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, fmt, value);
  return buffer;
}

std::string word_list(const std::vector<std::string>& words) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i)
    text += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return text;
}

std::string duration_text(double seconds) {
  const long total = static_cast<long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  return text;
}

std::string progress_text(double fraction, double seconds_left) {
  // Rounded down: 100% only once the work is done.
  const long percent = static_cast<long>(std::floor(100.0 * std::clamp(fraction, 0.0, 1.0) + 1e-9));
  std::string text = std::to_string(percent) + "%";
  if (seconds_left >= 0) text += ", ETA " + duration_text(seconds_left);
  return text;
}

}  // namespace tessera
