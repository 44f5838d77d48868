#include "problems/allen_cahn.hpp"

namespace tessera::problems {

AllenCahnProblem::AllenCahnProblem(MPI_Comm comm, const ProblemConfig& config,
                                   const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.allen_cahn),
      reference_(decomp_, config.allen_cahn, config.allen_cahn_reference) {}

}  // namespace tessera::problems
