#pragma once
// The Poisson problem of a PINN run in 1, 2 or 3 dimensions, its tiling for the subdomain learners,
// and its reference: PoissonReference in 2D, Poisson3DReference in 3D, none in 1D (the exact
// solution stands for it); for the subdomain learners on a grid whose ranks own the same blocks as
// the subdomain grid's process grid, so each rank compares its own subdomains.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "dd/subdomain_grid.hpp"
#include "physics/poisson_problem.hpp"
#include "run/comparison.hpp"
#include "run/subdomain_networks.hpp"
#include "solvers/poisson3d_reference.hpp"
#include "solvers/poisson_reference.hpp"

namespace tessera {
class Options;
}
namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

/// The subdomain a reference grid point (coordinates beyond the grid's dimension unused) belongs
/// to: a point on an interface goes to the lower side. Local.
int subdomain_of(const dd::SubdomainGrid& grid, const std::array<double, 3>& point);

/// This rank's points of comparison's grid, one coordinate list per dimension up to dim. Local.
Coordinates comparison_points(const Comparison& comparison, int dim);

/// Collective. Throws the same InputError on every rank, naming the grid's option and points, if
/// some rank holds reference grid points of a subdomain it does not own.
void check_reference_split(const dd::SubdomainGrid& grid, const Comparison& comparison,
                           const std::string& option, int points);

/// "2 x 2 x 2": the first dim counts (subdomains or processes per direction). Local.
std::string counts_text(const std::array<int, 3>& counts, int dim);

struct PoissonDomainConfig {
  physics::PoissonProblem problem;                // of dimension -dd_dim, that of the tiling
  std::array<int, 3> subdomains{2, 2, 1};         // 1 beyond the dimension
  solvers::PoissonReferenceConfig reference;      // 2D; in 1D only its points (the comparison grid)
  solvers::Poisson3DReferenceConfig reference3d;  // 3D

  /// Reads the Poisson problem of dimension dim (1 to 3), with tiled -dd_subdomains_x/y/z, and the
  /// reference options of that dimension only, so a key of another dimension in the deck stops
  /// the run as unknown. Not collective.
  static PoissonDomainConfig from_options(Options& options, int dim, bool tiled = true);

  int dim() const { return problem.dim; }
  /// Points per direction of the reference (comparison) grid.
  int reference_points() const { return dim() == 3 ? reference3d.points : reference.points; }
  /// The frequency k of the problem's sine mode (1 in 3D, where it is fixed).
  double frequency() const;
  /// "3D Poisson, k = 1" and the like, for the first log line.
  std::string description() const;
  /// The problem's attributes of a result file: dim, poisson_frequency, and the multiscale
  /// amplitude and frequency of the 2D or 3D problem. Collective over the file's communicator.
  void write_attributes(io::FieldFile& file) const;
};

class PoissonDomainReference {
public:
  /// Collective over grid.comm(). The reference grid on grid's process grid and the solver of
  /// config's dimension; throws an InputError (every rank) if the grid does not split along the
  /// subdomain boundaries.
  PoissonDomainReference(const dd::SubdomainGrid& grid, const PoissonDomainConfig& config);
  /// Collective over comm. The reference grid on process_grid ({0, 0, 0}: PETSc's choice, for one
  /// network, which has no subdomains to align with) and the solver of config's dimension.
  PoissonDomainReference(MPI_Comm comm, const PoissonDomainConfig& config,
                         const std::array<int, 3>& process_grid = {0, 0, 0});

  const Decomposition& decomposition() const { return decomp_; }
  double h() const { return h_; }

  /// Collective. Solves (and logs the solve); this rank's block of the reference, the exact
  /// solution in 1D.
  std::vector<double> solve(const Comparison& comparison);
  /// The exact solution at this rank's grid points. Not collective.
  std::vector<double> exact(const Comparison& comparison) const;
  /// Of the last solve (0 in 1D): the solver's iterations and the seconds it took.
  int iterations() const;
  double seconds() const { return seconds_; }

private:
  PoissonDomainConfig config_;
  Decomposition decomp_;
  double h_;
  double seconds_ = 0;
  std::unique_ptr<solvers::PoissonReference> reference_;
  std::unique_ptr<solvers::Poisson3DReference> reference3d_;
};

}  // namespace tessera::run
