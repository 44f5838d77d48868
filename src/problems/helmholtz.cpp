#include "problems/helmholtz.hpp"

namespace tessera::problems {

std::shared_ptr<const ProblemConfig> HelmholtzConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<HelmholtzConfig>();
  c->helmholtz = physics::Helmholtz2D::from_options(options);
  c->reference = solvers::HelmholtzReferenceConfig::from_options(options);
  return c;
}

std::unique_ptr<Problem> HelmholtzConfig::make(MPI_Comm comm,
                                               const std::array<int, 3>& process_grid) const {
  return std::make_unique<HelmholtzProblem>(comm, *this, process_grid);
}

HelmholtzProblem::HelmholtzProblem(MPI_Comm comm, const HelmholtzConfig& config,
                                   const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.helmholtz),
      reference_(decomp_, config.helmholtz, config.reference) {}

std::vector<double> HelmholtzProblem::reference() {
  reference_.solve();
  return reference_.local_solution();
}

std::vector<double> HelmholtzProblem::exact() const {
  const auto problem = problem_;
  return solvers::sample_space_time_block(decomp_, box_,
                                          [&](double x, double y) { return problem.exact(x, y); });
}

}  // namespace tessera::problems
