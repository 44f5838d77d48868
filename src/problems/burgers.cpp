#include "problems/burgers.hpp"

namespace tessera::problems {

std::shared_ptr<const ProblemConfig> BurgersConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<BurgersConfig>();
  c->burgers = physics::Burgers1D::from_options(options);
  c->reference = solvers::BurgersReferenceConfig::from_options(options);
  c->read_grid(options);
  return c;
}

std::unique_ptr<Problem> BurgersConfig::make(MPI_Comm comm,
                                             const std::array<int, 3>& process_grid) const {
  return std::make_unique<BurgersProblem>(comm, *this, process_grid);
}

BurgersProblem::BurgersProblem(MPI_Comm comm, const BurgersConfig& config,
                               const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.burgers),
      reference_(decomp_, config.burgers, config.reference) {}

}  // namespace tessera::problems
