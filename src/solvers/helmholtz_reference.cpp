#include "solvers/helmholtz_reference.hpp"

#include "core/error.hpp"
#include "core/options.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

HelmholtzReferenceConfig HelmholtzReferenceConfig::from_options(Options& options) {
  HelmholtzReferenceConfig c;
  c.points = options.integer("helmholtz_reference_points", c.points, 3, 1 << 14,
                             "Helmholtz reference grid points per direction, boundary included");
  c.krylov.read(options, kHelmholtzReferencePrefix, "the Helmholtz reference solve");
  return c;
}

HelmholtzReference::HelmholtzReference(const Decomposition& decomp,
                                       const physics::Helmholtz2D& problem,
                                       const HelmholtzReferenceConfig& config)
    : points_(config.points),
      h_(2.0 / (config.points - 1)),
      system_(create_decomposition_dmda(decomp, config.points, "HelmholtzReference")) {
  assemble(problem);
  KSP& ksp = system_.ksp;
  TESSERA_PETSC_CALL(KSPCreate(decomp.comm(), &ksp));
  TESSERA_PETSC_CALL(KSPSetOptionsPrefix(ksp, kHelmholtzReferencePrefix));
  TESSERA_PETSC_CALL(KSPSetOperators(ksp, system_.a, system_.a));
  // Defaults first, options after, so that the deck and the command line override them.
  TESSERA_PETSC_CALL(KSPSetType(ksp, KSPGMRES));
  config.krylov.apply(ksp);
  PC pc;
  TESSERA_PETSC_CALL(KSPGetPC(ksp, &pc));
  TESSERA_PETSC_CALL(PCSetType(pc, PCLU));
  TESSERA_PETSC_CALL(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  TESSERA_PETSC_CALL(KSPSetFromOptions(ksp));
  TESSERA_PETSC_CALL(KSPSetUp(ksp));
  mark_solve_time_options_used(ksp);
}

// Rows are scaled by h²: interior 4 - (kh)² on the diagonal and -1 for each interior neighbour;
// boundary neighbours are known and go to the right-hand side. Boundary rows are the identity,
// and the matrix stays symmetric (indefinite).
void HelmholtzReference::assemble(const physics::Helmholtz2D& problem) {
  const double h2 = h_ * h_, k2 = problem.wavenumber * problem.wavenumber;
  assemble_dirichlet_stencil(system_.dm, system_.a, 4.0 - k2 * h2, -1.0, 1.0);
  const DmdaBox box = dmda_box(system_.dm);
  DMDALocalInfo info;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(system_.dm, &info));
  auto g = [&](PetscInt i, PetscInt j) { return problem.boundary(coordinate(i), coordinate(j)); };
  PetscScalar** rhs;
  TESSERA_PETSC_CALL(DMDAVecGetArray(system_.dm, system_.b, &rhs));
  for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
    for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
      if (box.on_boundary(i, j)) {
        rhs[j][i] = g(i, j);
        continue;
      }
      double value = h2 * problem.source(coordinate(i), coordinate(j));
      const PetscInt neighbours[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
      for (const auto& nb : neighbours)
        if (box.on_boundary(nb[0], nb[1])) value += g(nb[0], nb[1]);
      rhs[j][i] = value;
    }
  }
  TESSERA_PETSC_CALL(DMDAVecRestoreArray(system_.dm, system_.b, &rhs));
}

void HelmholtzReference::solve() {
  solved_ = false;
  TESSERA_PETSC_CALL(VecZeroEntries(system_.x));
  iterations_ = system_.solve("the Helmholtz reference solve").iterations;
  solved_ = true;
}

std::vector<double> HelmholtzReference::local_solution() const {
  TESSERA_CHECK(solved_, "HelmholtzReference::local_solution() called before a successful solve()");
  return system_.local_solution();
}

}  // namespace tessera::solvers
