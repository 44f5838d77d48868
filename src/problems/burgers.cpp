#include "problems/burgers.hpp"

namespace tessera::problems {

BurgersProblem::BurgersProblem(MPI_Comm comm, const ProblemConfig& config,
                               const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.burgers),
      reference_(decomp_, config.burgers, config.burgers_reference) {}

}  // namespace tessera::problems
