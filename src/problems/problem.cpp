#include "problems/problem.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/log.hpp"

namespace tessera::problems {

ProblemConfig::~ProblemConfig() = default;

std::shared_ptr<const ProblemConfig> ProblemConfig::from_options(Options& options,
                                                                 const std::string& name) {
  return find_problem(name).read(options, name);  // an internal error for a name not there
}

std::string ProblemConfig::grid_name(const std::string& problem_flag) const {
  const auto n = grid_points();
  return "the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) + " comparison grid of " +
         problem_flag;
}

void ProblemConfig::check_network(Options&, const nn::MlpShape&) const {}

Problem::Problem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid)
    : decomp_(comm, config.grid_dim(), config.grid_points(), process_grid), name_(config.name) {}

Problem::~Problem() = default;

Coordinates Problem::unit_box_points(double (*coordinate)(int i, int n)) const {
  const auto& start = decomp_.local_start();
  const auto& count = decomp_.local_count();
  const auto& n = decomp_.global_points();
  const int dim = decomp_.dim();
  Coordinates points(dim);
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i) {
        const int index[3] = {start[0] + i, start[1] + j, start[2] + k};
        for (int d = 0; d < dim; ++d) points[d].push_back(coordinate(index[d], n[d]));
      }
  return points;
}

double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b) {
  TESSERA_CHECK(a.size() == b.size(), "relative_l2: fields of different sizes");
  double sums[2] = {0, 0};
  for (size_t k = 0; k < a.size(); ++k) {
    sums[0] += (a[k] - b[k]) * (a[k] - b[k]);
    sums[1] += b[k] * b[k];
  }
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm));
  return std::sqrt(sums[0] / sums[1]);
}

std::string summary_row(const std::string& name, double value) {
  return "  " + (name + std::string(20, ' ')).substr(0, std::max<size_t>(20, name.size() + 1)) +
         format("%.3e", value);
}

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  for (size_t k = 0; k < d.size(); ++k) d[k] = a[k] - b[k];
  return d;
}

}  // namespace tessera::problems
