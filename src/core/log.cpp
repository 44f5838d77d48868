#include "core/log.hpp"

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

}  // namespace tessera
