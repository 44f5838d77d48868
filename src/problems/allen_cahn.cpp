#include "problems/allen_cahn.hpp"

namespace tessera::problems {

std::shared_ptr<const ProblemConfig> AllenCahnConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<AllenCahnConfig>();
  c->allen_cahn = physics::AllenCahn1D::from_options(options);
  c->reference = solvers::AllenCahnReferenceConfig::from_options(options);
  c->read_grid(options);
  return c;
}

std::unique_ptr<Problem> AllenCahnConfig::make(MPI_Comm comm,
                                               const std::array<int, 3>& process_grid) const {
  return std::make_unique<AllenCahnProblem>(comm, *this, process_grid);
}

AllenCahnProblem::AllenCahnProblem(MPI_Comm comm, const AllenCahnConfig& config,
                                   const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.allen_cahn),
      reference_(decomp_, config.allen_cahn, config.reference) {}

}  // namespace tessera::problems
