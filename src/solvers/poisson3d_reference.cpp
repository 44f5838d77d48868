#include "solvers/poisson3d_reference.hpp"

#include "core/error.hpp"
#include "core/options.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

Poisson3DReferenceConfig Poisson3DReferenceConfig::from_options(Options& options) {
  Poisson3DReferenceConfig c;
  c.points = read_multigrid_points(options, "poisson3d_reference_points", c.points,
                                   "3D reference grid", 3);
  c.krylov.read(options, kPoisson3DReferencePrefix, "the 3D Poisson reference solve");
  return c;
}

Poisson3DReference::Poisson3DReference(const Decomposition& decomp,
                                       const physics::Poisson3D& problem,
                                       const Poisson3DReferenceConfig& config)
    : h_(1.0 / (config.points - 1)),
      system_(create_decomposition_dmda_3d(decomp, config.points, "Poisson3DReference")) {
  assemble(problem);
  system_.ksp =
      create_multigrid_solver(system_.dm, system_.a, kPoisson3DReferencePrefix, config.krylov,
                              multigrid_levels(config.points, decomp.process_grid()));
  TESSERA_PETSC_CALL(KSPSetFromOptions(system_.ksp));
  TESSERA_PETSC_CALL(KSPSetUp(system_.ksp));
  mark_solve_time_options_used(system_.ksp);
}

// Rows are scaled by the cell volume h^3, so the stencil weights are h. Interior rows leave out
// their boundary neighbours (known values go to the right-hand side), which keeps the matrix
// symmetric for CG; boundary rows are the identity times the interior diagonal, inside the
// interior spectrum, so they spoil neither CG nor the smoothers.
void Poisson3DReference::assemble(const physics::Poisson3D& problem) {
  const double h = h_, diagonal = 6.0 * h;
  assemble_dirichlet_stencil(system_.dm, system_.a, diagonal, -h, diagonal);
  const DmdaBox box = dmda_box(system_.dm);
  DMDALocalInfo info;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(system_.dm, &info));
  const PetscInt n = info.mx;
  // Coordinates as i/(n-1) rather than i*h so that the last point is exactly 1.
  auto g = [&](PetscInt i, PetscInt j, PetscInt k) {
    return problem.boundary(static_cast<double>(i) / (n - 1), static_cast<double>(j) / (n - 1),
                            static_cast<double>(k) / (n - 1));
  };
  PetscScalar*** rhs;
  TESSERA_PETSC_CALL(DMDAVecGetArray(system_.dm, system_.b, &rhs));
  for (PetscInt k = info.zs; k < info.zs + info.zm; ++k) {
    for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
      for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
        if (box.on_boundary(i, j, k)) {
          rhs[k][j][i] = diagonal * g(i, j, k);
          continue;
        }
        double value =
            h * h * h *
            problem.source(static_cast<double>(i) / (n - 1), static_cast<double>(j) / (n - 1),
                           static_cast<double>(k) / (n - 1));
        const PetscInt neighbours[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k},
                                           {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
        for (const auto& nb : neighbours)
          if (box.on_boundary(nb[0], nb[1], nb[2])) value += h * g(nb[0], nb[1], nb[2]);
        rhs[k][j][i] = value;
      }
    }
  }
  TESSERA_PETSC_CALL(DMDAVecRestoreArray(system_.dm, system_.b, &rhs));
}

void Poisson3DReference::solve() {
  solved_ = false;
  TESSERA_PETSC_CALL(VecZeroEntries(system_.x));
  iterations_ = system_.solve("the 3D Poisson reference solve").iterations;
  solved_ = true;
}

std::vector<double> Poisson3DReference::local_solution() const {
  TESSERA_CHECK(solved_, "Poisson3DReference::local_solution() called before a successful solve()");
  return system_.local_solution();
}

}  // namespace tessera::solvers
