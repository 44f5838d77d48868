#include "problems/poisson.hpp"

#include "core/log.hpp"
#include "core/timer.hpp"
#include "pinn/collocation.hpp"
#include "solvers/dmda_grid.hpp"

namespace tessera::problems {

std::shared_ptr<const ProblemConfig> PoissonConfig::read(Options& options,
                                                         const std::string& name) {
  auto c = std::make_shared<PoissonConfig>(name);
  const int dim = c->inputs();
  if (dim == 1)
    c->poisson = physics::Poisson1D::from_options(options);
  else if (dim == 2)
    c->poisson = physics::Poisson2D::from_options(options);
  else
    c->poisson = physics::Poisson3D::from_options(options);
  if (dim == 1)
    c->reference.points = solvers::read_multigrid_points(
        options, "reference_points", c->reference.points,
        "comparison grid (1D: no reference solve, the exact solution stands for it)", 1);
  else if (dim == 2)
    c->reference = solvers::PoissonReferenceConfig::from_options(options);
  else
    c->reference3d = solvers::Poisson3DReferenceConfig::from_options(options);
  return c;
}

std::array<int, 3> PoissonConfig::grid_points() const {
  const int dim = inputs();
  const int n = dim == 3 ? reference3d.points : reference.points;
  return {n, dim >= 2 ? n : 1, dim == 3 ? n : 1};
}

std::string PoissonConfig::grid_name(const std::string&) const {
  return (inputs() == 3 ? "-poisson3d_reference_points = " : "-reference_points = ") +
         std::to_string(grid_points()[0]);
}

std::unique_ptr<Problem> PoissonConfig::make(MPI_Comm comm,
                                             const std::array<int, 3>& process_grid) const {
  return std::make_unique<PoissonProblem>(comm, *this, process_grid);
}

PoissonProblem::PoissonProblem(MPI_Comm comm, const PoissonConfig& config,
                               const std::array<int, 3>& process_grid)
    : Problem(comm, config, process_grid), config_(config) {
  if (dim() == 2)
    reference2d_ = std::make_unique<solvers::PoissonReference>(decomp_, config.poisson.square,
                                                               config.reference);
  if (dim() == 3)
    reference3d_ = std::make_unique<solvers::Poisson3DReference>(decomp_, config.poisson.cube,
                                                                 config.reference3d);
}

PoissonProblem::~PoissonProblem() = default;

double PoissonProblem::frequency() const {
  const auto& p = config_.poisson;
  return dim() == 1 ? p.line.frequency : dim() == 2 ? p.square.frequency : 1.0;
}

std::string PoissonProblem::description() const {
  const auto& cube = config_.poisson.cube;
  std::string text = std::to_string(dim()) + "D Poisson, ";
  if (dim() == 3 && cube.multiscale_amplitude > 0)
    return text + "sin(pi x) sin(pi y) sin(pi z) + " + format("%g", cube.multiscale_amplitude) +
           " sin(" + std::to_string(cube.multiscale_frequency) + " pi x) ...";
  return text + "k = " + format("%g", frequency());
}

Residual PoissonProblem::residual() const {
  const auto& problem = config_.poisson;
  if (dim() == 1) return pinn::PoissonResidual<1>{problem};
  if (dim() == 2) return pinn::PoissonResidual<2>{problem};
  return pinn::PoissonResidual<3>{problem};
}

TrainingPoints PoissonProblem::training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const {
  if (dim() == 2)
    return {pinn::interior_points_2d(comm, p.interior_points, p.seed),
            {{"boundary", pinn::boundary_points_2d(comm, p.boundary_points, p.seed),
              p.boundary_weight}}};
  return {pinn::interior_points(comm, dim(), p.interior_points, p.seed),
          {{"boundary", pinn::face_points(comm, dim(), dim(), p.boundary_points, p.seed),
            p.boundary_weight}}};
}

Coordinates PoissonProblem::grid_points() const {
  // i h, h = 1/(n-1), as in the references.
  return unit_box_points([](int i, int n) { return i * (1.0 / (n - 1)); });
}

std::vector<double> PoissonProblem::exact() const {
  const auto points = grid_points();
  std::vector<double> u(points[0].size());
  for (size_t k = 0; k < u.size(); ++k) {
    double x[3] = {0, 0, 0};
    for (int d = 0; d < dim(); ++d) x[d] = points[d][k];
    u[k] = config_.poisson.exact(x);
  }
  return u;
}

void PoissonProblem::solve_reference() {
  const int n = decomp_.global_points()[0];
  Timer timer;
  if (reference2d_) {
    reference2d_->solve();
    seconds_ = timer.seconds();
    iterations_ = reference2d_->iterations();
    TESSERA_LOG("reference: PETSc DMDA " << n << " x " << n << ", " << iterations_
                                         << " iterations, " << format("%.2f s", seconds_));
    reference_ = reference2d_->local_solution();
  } else if (reference3d_) {
    reference3d_->solve();
    seconds_ = timer.seconds();
    iterations_ = reference3d_->iterations();
    TESSERA_LOG("reference: PETSc DMDA " << n << "^3, " << iterations_ << " iterations, "
                                         << format("%.2f s", seconds_));
    reference_ = reference3d_->local_solution();
  } else {
    TESSERA_LOG("reference: none in 1D; the exact solution on " << n << " points stands for it");
    reference_ = exact();
  }
}

ProblemComparison PoissonProblem::compare(const Sampler& sample, const std::string& label) {
  const MPI_Comm comm = decomp_.comm();
  const auto points = grid_points();
  const auto pinn = sample(points, 0);
  const auto exact = this->exact();
  ProblemComparison c;
  c.spacing = {h(), h(), h()};
  c.pinn_vs_exact = relative_l2(comm, pinn, exact);
  c.reference_vs_exact = relative_l2(comm, reference_, exact);
  c.pinn_vs_reference = relative_l2(comm, pinn, reference_);
  const char* axes[3] = {"x", "y", "z"};
  for (int d = 0; d < dim(); ++d) c.fields.push_back({axes[d], points[d]});
  c.fields.push_back({"pinn", pinn});
  c.fields.push_back({"reference", reference_});
  c.fields.push_back({"exact", exact});
  c.fields.push_back({"pinn_error", difference(pinn, exact)});
  c.attributes = {{"relative_l2_pinn_vs_exact", c.pinn_vs_exact},
                  {"relative_l2_reference_vs_exact", c.reference_vs_exact},
                  {"relative_l2_pinn_vs_reference", c.pinn_vs_reference},
                  {"dim", dim()},
                  {"poisson_frequency", frequency()}};
  const auto& p = config_.poisson;
  if (dim() == 2) {
    c.attributes.push_back({"poisson_multiscale_amplitude", p.square.multiscale_amplitude});
    c.attributes.push_back({"poisson_multiscale_frequency", p.square.multiscale_frequency});
  }
  if (dim() == 3) {
    c.attributes.push_back({"poisson3d_multiscale_amplitude", p.cube.multiscale_amplitude});
    c.attributes.push_back({"poisson3d_multiscale_frequency", p.cube.multiscale_frequency});
  }
  if (dim() >= 2) {
    c.attributes.push_back({"reference_iterations", iterations_});
    c.attributes.push_back({"reference_seconds", seconds_});
  }

  const int n = decomp_.global_points()[0];
  std::string grid = std::to_string(n) + (dim() == 1 ? "-point" : "");
  for (int d = 1; d < dim(); ++d) grid += " x " + std::to_string(n);
  c.summary = "summary (relative L2 on the " + grid + " reference grid):\n" +
              summary_row(label + " vs exact", c.pinn_vs_exact) + "\n" +
              summary_row("reference vs exact", c.reference_vs_exact) + "\n" +
              summary_row(label + " vs reference", c.pinn_vs_reference) + "\n" +
              (dim() == 1 ? "  (1D: the reference is the exact solution)\n" : "");
  return c;
}

}  // namespace tessera::problems
