#include "problems/burgers.hpp"

namespace tessera::problems {

BurgersProblem::BurgersProblem(const BoxProblemConfig& config, const Decomposition& decomp)
    : problem_(config.burgers), reference_(decomp, config.burgers, config.burgers_reference) {}

}  // namespace tessera::problems
