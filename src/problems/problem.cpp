#include "problems/problem.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "problems/allen_cahn.hpp"
#include "problems/burgers.hpp"
#include "problems/heat3d.hpp"
#include "problems/helmholtz.hpp"
#include "problems/navier_stokes.hpp"
#include "problems/poisson.hpp"
#include "solvers/dmda_grid.hpp"

namespace tessera::problems {

namespace {

/// The Poisson problem of dimension dim and its reference's options (none but the comparison
/// grid's points in 1D, where the exact solution stands for the reference).
void read_poisson(Options& options, int dim, ProblemConfig& c) {
  if (dim == 1)
    c.poisson = physics::Poisson1D::from_options(options);
  else if (dim == 2)
    c.poisson = physics::Poisson2D::from_options(options);
  else
    c.poisson = physics::Poisson3D::from_options(options);
  if (dim == 1)
    c.poisson_reference.points = solvers::read_multigrid_points(
        options, "reference_points", c.poisson_reference.points,
        "comparison grid (1D: no reference solve, the exact solution stands for it)", 1);
  else if (dim == 2)
    c.poisson_reference = solvers::PoissonReferenceConfig::from_options(options);
  else
    c.poisson3d_reference = solvers::Poisson3DReferenceConfig::from_options(options);
}

void read_navier_stokes(Options& options, ProblemConfig& c) {
  if (c.name == "kovasznay") {
    c.kovasznay.reynolds = options.real("kovasznay_reynolds", c.kovasznay.reynolds, 1e-3, 1e4,
                                        "Kovasznay flow: Reynolds number (20 and 40 are usual)");
    c.kovasznay_grid_x = options.integer("kovasznay_grid_x", c.kovasznay_grid_x, 2, 1 << 16,
                                         "Kovasznay: comparison grid points in x over [-0.5, 1]");
    c.kovasznay_grid_y = options.integer("kovasznay_grid_y", c.kovasznay_grid_y, 2, 1 << 16,
                                         "Kovasznay: comparison grid points in y over [-0.5, 1.5]");
    return;
  }
  c.cavity.reynolds = options.real("cavity_reynolds", c.cavity.reynolds, 1e-3, 1e4,
                                   "lid-driven cavity: Reynolds number U L / nu");
  c.cavity.regularised_lid =
      options.choice("cavity_lid", c.cavity.regularised_lid ? "regularised" : "uniform",
                     {"regularised", "uniform"},
                     "lid-driven cavity: lid velocity 16 x^2 (1 - x)^2 (smooth at the corners) "
                     "or 1 (Ghia et al.; singular corners)") == "regularised";
  c.cavity_cells =
      options.integer("cavity_reference_cells", c.cavity_cells, 4, 1 << 14,
                      "lid-driven cavity: PETSc reference cells per direction, also the "
                      "comparison grid (u, v on their MAC faces, p at the cell centres)");
  c.cavity_steady = solvers::CavitySteadyConfig::from_options(options);
}

}  // namespace

ProblemConfig ProblemConfig::from_options(Options& options, const std::string& name) {
  ProblemConfig c;
  c.name = name;
  const auto& entry = find_problem(name);  // an internal error for a name not in the registry
  if (is_poisson(name)) {
    read_poisson(options, entry.inputs, c);
  } else if (name == "heat3d") {
    c.heat3d = physics::Heat3D::from_options(options);
    c.heat_final_time = options.real("heat_final_time", c.heat_final_time, 1e-6, 1e6,
                                     "T: the 3D heat PINN covers t in [0, T] and is compared at "
                                     "T/2 and T");
    c.heat_reference = solvers::HeatReferenceConfig::from_options(options);
  } else if (name == "kovasznay" || name == "lid_driven_cavity") {
    read_navier_stokes(options, c);
  } else if (name == "helmholtz") {
    c.helmholtz = physics::Helmholtz2D::from_options(options);
    c.helmholtz_reference = solvers::HelmholtzReferenceConfig::from_options(options);
  } else {
    if (name == "burgers") {
      c.burgers = physics::Burgers1D::from_options(options);
      c.burgers_reference = solvers::BurgersReferenceConfig::from_options(options);
    } else {
      c.allen_cahn = physics::AllenCahn1D::from_options(options);
      c.allen_cahn_reference = solvers::AllenCahnReferenceConfig::from_options(options);
    }
    c.grid_x = options.integer("pde_grid_x", c.grid_x, 2, 1 << 16,
                               "Burgers / Allen-Cahn comparison grid points in x");
    c.grid_t =
        options.integer("pde_grid_t", c.grid_t, 2, 1 << 16,
                        "Burgers / Allen-Cahn comparison grid points in t, t = 0 and 1 included");
  }
  return c;
}

std::vector<double> ProblemConfig::lower() const {
  if (is_poisson(name) || name == "heat3d") return std::vector<double>(inputs(), 0.0);
  if (name == "kovasznay") return {physics::Kovasznay::x_min, physics::Kovasznay::y_min};
  if (name == "lid_driven_cavity") return {0.0, 0.0};
  const auto box = BoxProblem::box(name);
  return {box.x0, box.t0};
}

std::vector<double> ProblemConfig::upper() const {
  if (is_poisson(name)) return std::vector<double>(inputs(), 1.0);
  if (name == "heat3d") return {1.0, 1.0, 1.0, heat_final_time};
  if (name == "kovasznay") return {physics::Kovasznay::x_max, physics::Kovasznay::y_max};
  if (name == "lid_driven_cavity") return {1.0, 1.0};
  const auto box = BoxProblem::box(name);
  return {box.x1, box.t1};
}

int ProblemConfig::grid_dim() const {
  if (is_poisson(name)) return inputs();
  return name == "heat3d" ? 3 : 2;
}

std::array<int, 3> ProblemConfig::grid_points() const {
  if (is_poisson(name)) {
    const int dim = inputs();
    const int n = dim == 3 ? poisson3d_reference.points : poisson_reference.points;
    return {n, dim >= 2 ? n : 1, dim == 3 ? n : 1};
  }
  if (name == "heat3d")
    return {heat_reference.points, heat_reference.points, heat_reference.points};
  if (name == "kovasznay") return {kovasznay_grid_x, kovasznay_grid_y, 1};
  if (name == "lid_driven_cavity") return {cavity_cells, cavity_cells, 1};
  if (name == "helmholtz") return {helmholtz_reference.points, helmholtz_reference.points, 1};
  return {grid_x, grid_t, 1};
}

std::string ProblemConfig::grid_name(const std::string& problem_flag) const {
  const auto n = grid_points();
  if (is_poisson(name))
    return (inputs() == 3 ? "-poisson3d_reference_points = " : "-reference_points = ") +
           std::to_string(n[0]);
  return "the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) + " comparison grid of " +
         problem_flag;
}

Problem::Problem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid)
    : config_(config), decomp_(comm, config.grid_dim(), config.grid_points(), process_grid) {}

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

std::unique_ptr<Problem> make_problem(MPI_Comm comm, const ProblemConfig& config,
                                      const std::array<int, 3>& process_grid) {
  const auto& name = config.name;
  if (is_poisson(name)) return std::make_unique<PoissonProblem>(comm, config, process_grid);
  if (name == "heat3d") return std::make_unique<Heat3DProblem>(comm, config, process_grid);
  if (name == "kovasznay") return std::make_unique<KovasznayProblem>(comm, config, process_grid);
  if (name == "lid_driven_cavity")
    return std::make_unique<CavityProblem>(comm, config, process_grid);
  if (name == "burgers") return std::make_unique<BurgersProblem>(comm, config, process_grid);
  if (name == "helmholtz") return std::make_unique<HelmholtzProblem>(comm, config, process_grid);
  return std::make_unique<AllenCahnProblem>(comm, config, process_grid);
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

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  for (size_t k = 0; k < d.size(); ++k) d[k] = a[k] - b[k];
  return d;
}

}  // namespace tessera::problems
