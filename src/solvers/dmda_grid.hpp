#pragma once
// The PETSc side of a Decomposition: a 2D or 3D DMDA whose ownership is exactly the
// Decomposition's blocks, the multigrid hierarchy it can carry, and this rank's block of a vector
// on it. Shared by every reference solver on the vertex-centred unit-square or unit-cube grid
// (x_i = i h, h = 1/(n-1)).
#include <petscdmda.h>

#include <array>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "solvers/krylov.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

/// Not collective. Whether n = 2^k + 1 with k >= 1, the grids that multigrid halves exactly.
bool is_power_of_two_plus_one(int n);

/// Declares the option -<name>, grid points per direction with the boundary, where `what` names
/// the grid in -help, and reports (options.report) a value that is not 2^k + 1, or one whose
/// dim-dimensional grid PETSc cannot index (report_beyond_petsc_indices, one value per point).
/// Not collective.
int read_multigrid_points(Options& options, const std::string& name, int fallback,
                          const std::string& what, int dim);

/// Not collective. Reports (options.report) a DMDA that PETSc's index type (PetscInt, 32 or 64
/// bits as PETSc was built) cannot number: points per direction in dim dimensions with dof values
/// per point, counted with one ghost layer on each side (a periodic grid has them even on one
/// rank). `setting` names the options that chose the size, e.g. "-les_cells = 1024 with -les_dim
/// 3"; the message gives the largest size that fits. PETSc itself would fail only at set-up.
void report_beyond_petsc_indices(Options& options, const std::string& setting, long long points,
                                 int dim, int dof);

/// Not collective. Multigrid levels for n points per direction on the process grid procs: halve
/// the grid while the next coarser one still has an interior point and, along each direction, at
/// least two points per process, so that PETSc's coarsened ownership ranges stay non-empty and
/// within one stencil width of the finer ones.
int multigrid_levels(int n, const std::array<int, 3>& procs);

/// The PETSc objects of a linear problem on a DMDA, destroyed together: the grid, the operator,
/// the right-hand side, the solution and the solver (which the owner creates and configures).
struct DmdaSystem {
  DM dm = nullptr;
  Mat a = nullptr;
  Vec b = nullptr, x = nullptr;
  KSP ksp = nullptr;

  /// Collective over dm's communicator. Takes ownership of grid (destroyed here even if this
  /// throws) and creates a, b and x on it.
  explicit DmdaSystem(DM grid);
  ~DmdaSystem();
  DmdaSystem(const DmdaSystem&) = delete;
  DmdaSystem& operator=(const DmdaSystem&) = delete;

  /// Collective. Solves a x = b with ksp (from x as it is, if the KSP takes a nonzero guess);
  /// throws tessera::Error on every rank, naming `what`, unless it converges.
  KrylovResult solve(const std::string& what);
  /// Not collective. This rank's block of x (local_block).
  std::vector<double> local_solution() const;

private:
  void release() noexcept;
};

/// The global size of a 2D or 3D DMDA (mz = 1 in 2D).
struct DmdaBox {
  PetscInt dim = 2, mx = 1, my = 1, mz = 1;
  /// Not collective. Whether grid point (i, j, k) lies on the boundary (k ignored in 2D).
  bool on_boundary(PetscInt i, PetscInt j, PetscInt k = 0) const;
};

/// Not collective.
DmdaBox dmda_box(DM dm);

/// Collective over dm's communicator. Assembles on the 2D or 3D DMDA dm the symmetric 5- or
/// 7-point matrix of a Dirichlet problem: interior rows have `diagonal`, and `off_diagonal` for
/// each interior neighbour (a boundary neighbour is a known value, for the caller's right-hand
/// side); boundary rows are `boundary_diagonal` times the identity.
void assemble_dirichlet_stencil(DM dm, Mat a, double diagonal, double off_diagonal,
                                double boundary_diagonal);

/// Collective over dm's communicator. A KSP with options prefix `prefix` on the assembled operator
/// a: CG (the default; the deck may change it) preconditioned by geometric multigrid with `levels`
/// levels of dm's hierarchy and Galerkin coarse operators. The tolerances are applied; the caller
/// calls KSPSetFromOptions, KSPSetUp and mark_solve_time_options_used, and destroys the KSP.
KSP create_multigrid_solver(DM dm, Mat a, const std::string& prefix,
                            const KrylovTolerances& tolerances, int levels);

/// Collective over decomp.comm(). A 2D DMDA (star stencil, width 1, one degree of freedom) of
/// points x points with decomp's ownership ranges. Throws tessera::Error unless decomp is 2D with
/// that many points per direction (at least 3) and this rank's DMDA block is its Decomposition
/// block; `who` names the caller in the messages. The caller destroys the DM.
DM create_decomposition_dmda(const Decomposition& decomp, int points, const std::string& who);

/// Collective over decomp.comm(). The 3D counterpart: a DMDA (star stencil, width 1, one degree of
/// freedom) of points^3 with decomp's ownership ranges; decomp must be 3D with that many points
/// per direction. The caller destroys the DM.
DM create_decomposition_dmda_3d(const Decomposition& decomp, int points, const std::string& who);

/// Not collective. This rank's block of the global vector v on dm (2D or 3D), x fastest: u(i, j, k)
/// is at ((k - zs) * ym + (j - ys)) * xm + (i - xs), the layout of FieldFile::write_field.
std::vector<double> local_block(DM dm, Vec v);

}  // namespace tessera::solvers
