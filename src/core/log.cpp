#include "core/log.hpp"

namespace tessera {

bool is_root(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0;
}

void print_root(const std::string& line, MPI_Comm comm) {
  if (is_root(comm)) std::cout << line << std::endl;
}

}  // namespace tessera
