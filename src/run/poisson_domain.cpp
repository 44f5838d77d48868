#include "run/poisson_domain.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "io/field_file.hpp"
#include "solvers/dmda_grid.hpp"

namespace tessera::run {

namespace {

/// Points per direction of the reference grid: n within the dimension, 1 beyond.
std::array<int, 3> reference_grid_points(const PoissonDomainConfig& config) {
  const int n = config.reference_points();
  return {n, config.dim() >= 2 ? n : 1, config.dim() == 3 ? n : 1};
}

}  // namespace

/// Along each axis the first subdomain whose upper plane is at or above the coordinate, so a
/// point on an interface goes to the lower side (which is also the side whose rank owns it in the
/// DMDA split of a 2^k + 1 grid).
int subdomain_of(const dd::SubdomainGrid& grid, const std::array<double, 3>& point) {
  std::array<int, 3> c{0, 0, 0};
  for (int d = 0; d < grid.dim(); ++d)
    while (c[d] < grid.subdomains()[d] - 1 && point[d] > grid.plane(d, c[d] + 1)) ++c[d];
  return grid.id(c);
}

Coordinates comparison_points(const Comparison& comparison, int dim) {
  const Coordinates all{comparison.x(), comparison.y(), comparison.z()};
  return Coordinates(all.begin(), all.begin() + dim);
}

void check_reference_split(const dd::SubdomainGrid& grid, const Comparison& comparison,
                           const std::string& option, int points) {
  check_points_owned(grid, comparison_points(comparison, grid.dim()),
                     "-" + option + " = " + std::to_string(points));
}

std::string counts_text(const std::array<int, 3>& counts, int dim) {
  std::string text;
  for (int d = 0; d < dim; ++d) text += (d ? " x " : "") + std::to_string(counts[d]);
  return text;
}

PoissonDomainConfig PoissonDomainConfig::from_options(Options& options, int dim, bool tiled) {
  TESSERA_CHECK(dim >= 1 && dim <= 3, "PoissonDomainConfig: dimension " << dim);
  PoissonDomainConfig c;
  if (dim == 1)
    c.problem = physics::Poisson1D::from_options(options);
  else if (dim == 2)
    c.problem = physics::Poisson2D::from_options(options);
  else
    c.problem = physics::Poisson3D::from_options(options);
  for (int d = 0; d < 3 && tiled; ++d) {
    const std::string name = std::string("dd_subdomains_") + "xyz"[d];
    c.subdomains[d] = options.integer(name, d < dim ? 2 : 1, 1, 1024,
                                      std::string("subdomains along ") + "xyz"[d] +
                                          " (default 2 within the dimension, 1 beyond)");
    if (d >= dim && c.subdomains[d] != 1)
      options.report("-" + name + " = " + std::to_string(c.subdomains[d]) + " needs a problem of " +
                     std::to_string(d + 1) + " or more dimensions (this run's is " +
                     std::to_string(dim) + "D)");
  }
  if (dim == 1)
    c.reference.points = solvers::read_multigrid_points(
        options, "reference_points", c.reference.points,
        "comparison grid (1D: no reference solve, the exact solution stands for it)", 1);
  else if (dim == 2)
    c.reference = solvers::PoissonReferenceConfig::from_options(options);
  else
    c.reference3d = solvers::Poisson3DReferenceConfig::from_options(options);
  return c;
}

double PoissonDomainConfig::frequency() const {
  return dim() == 1 ? problem.line.frequency : dim() == 2 ? problem.square.frequency : 1.0;
}

std::string PoissonDomainConfig::description() const {
  std::string text = std::to_string(dim()) + "D Poisson, ";
  if (dim() == 3 && problem.cube.multiscale_amplitude > 0)
    return text + "sin(pi x) sin(pi y) sin(pi z) + " +
           format("%g", problem.cube.multiscale_amplitude) + " sin(" +
           std::to_string(problem.cube.multiscale_frequency) + " pi x) ...";
  return text + "k = " + format("%g", frequency());
}

void PoissonDomainConfig::write_attributes(io::FieldFile& file) const {
  file.set_attribute("dim", dim());
  file.set_attribute("poisson_frequency", frequency());
  if (dim() == 2) {
    file.set_attribute("poisson_multiscale_amplitude", problem.square.multiscale_amplitude);
    file.set_attribute("poisson_multiscale_frequency", problem.square.multiscale_frequency);
  }
  if (dim() == 3) {
    file.set_attribute("poisson3d_multiscale_amplitude", problem.cube.multiscale_amplitude);
    file.set_attribute("poisson3d_multiscale_frequency", problem.cube.multiscale_frequency);
  }
}

PoissonDomainReference::PoissonDomainReference(MPI_Comm comm, const PoissonDomainConfig& config,
                                               const std::array<int, 3>& process_grid)
    : config_(config),
      decomp_(comm, config.dim(), reference_grid_points(config), process_grid),
      h_(1.0 / (config.reference_points() - 1)) {
  if (config.dim() == 2)
    reference_ = std::make_unique<solvers::PoissonReference>(decomp_, config.problem.square,
                                                             config.reference);
  if (config.dim() == 3)
    reference3d_ = std::make_unique<solvers::Poisson3DReference>(decomp_, config.problem.cube,
                                                                 config.reference3d);
}

PoissonDomainReference::PoissonDomainReference(const dd::SubdomainGrid& grid,
                                               const PoissonDomainConfig& config)
    : PoissonDomainReference(grid.comm(), config, grid.process_grid()) {
  check_reference_split(grid, Comparison(decomp_, h_),
                        config.dim() == 3 ? "poisson3d_reference_points" : "reference_points",
                        config.reference_points());
}

std::vector<double> PoissonDomainReference::solve(const Comparison& comparison) {
  const int n = config_.reference_points();
  Timer timer;
  if (reference_) {
    reference_->solve();
    seconds_ = timer.seconds();
    TESSERA_LOG("reference: PETSc DMDA " << n << " x " << n << ", " << reference_->iterations()
                                         << " iterations, " << format("%.2f s", seconds_));
    return reference_->local_solution();
  }
  if (reference3d_) {
    reference3d_->solve();
    seconds_ = timer.seconds();
    TESSERA_LOG("reference: PETSc DMDA " << n << "^3, " << reference3d_->iterations()
                                         << " iterations, " << format("%.2f s", seconds_));
    return reference3d_->local_solution();
  }
  TESSERA_LOG("reference: none in 1D; the exact solution on " << n << " points stands for it");
  return exact(comparison);
}

int PoissonDomainReference::iterations() const {
  return reference_ ? reference_->iterations() : reference3d_ ? reference3d_->iterations() : 0;
}

std::vector<double> PoissonDomainReference::exact(const Comparison& comparison) const {
  std::vector<double> u(comparison.x().size());
  for (size_t k = 0; k < u.size(); ++k) u[k] = config_.problem.exact(comparison.point(k).data());
  return u;
}

}  // namespace tessera::run
