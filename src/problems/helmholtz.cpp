#include "problems/helmholtz.hpp"

namespace tessera::problems {

HelmholtzProblem::HelmholtzProblem(MPI_Comm comm, const ProblemConfig& config,
                                   const std::array<int, 3>& process_grid)
    : BoxProblem(comm, config, process_grid),
      problem_(config.helmholtz),
      reference_(decomp_, config.helmholtz, config.helmholtz_reference) {}

std::vector<double> HelmholtzProblem::reference() {
  reference_.solve();
  return reference_.local_solution();
}

std::vector<double> HelmholtzProblem::exact() const {
  const auto problem = problem_;
  return solvers::sample_space_time_block(decomp_, kBox,
                                          [&](double x, double y) { return problem.exact(x, y); });
}

}  // namespace tessera::problems
