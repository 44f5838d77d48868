#include "problems/allen_cahn.hpp"

namespace tessera::problems {

AllenCahnProblem::AllenCahnProblem(const BoxProblemConfig& config, const Decomposition& decomp)
    : problem_(config.allen_cahn),
      reference_(decomp, config.allen_cahn, config.allen_cahn_reference) {}

}  // namespace tessera::problems
