#include "solvers/dmda_grid.hpp"

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::solvers {

bool is_power_of_two_plus_one(int n) {
  const int m = n - 1;
  return m >= 2 && (m & (m - 1)) == 0;
}

int read_multigrid_points(Options& options, const std::string& name, int fallback,
                          const std::string& what) {
  const int points = options.integer(name, fallback, 3, 1 << 20,
                                     what +
                                         " points per direction, boundary included; 2^k + 1 "
                                         "so that multigrid can coarsen it");
  if (!is_power_of_two_plus_one(points))
    options.report("-" + name + " = " + std::to_string(points) +
                   " is not 2^k + 1 (e.g. 33, 65, 129, 257), which multigrid coarsening needs");
  return points;
}

int multigrid_levels(int n, const std::array<int, 3>& procs) {
  int levels = 1;
  for (int m = n; (m - 1) % 2 == 0; ++levels) {
    const int coarse = (m - 1) / 2 + 1;
    if (coarse < 3 || coarse < 2 * procs[0] || coarse < 2 * procs[1]) break;
    m = coarse;
  }
  return levels;
}

DM create_decomposition_dmda(const Decomposition& decomp, int points, const std::string& who) {
  TESSERA_CHECK(decomp.dim() == 2,
                who << ": needs a 2D decomposition, got " << decomp.dim() << "D");
  const auto& global = decomp.global_points();
  TESSERA_CHECK(global[0] == points && global[1] == points,
                who << ": decomposition has " << global[0] << " x " << global[1]
                    << " points, configuration asks for " << points << " x " << points);
  TESSERA_CHECK(points >= 3, who << ": " << points << " points per direction leave no interior");
  const auto& procs = decomp.process_grid();
  const std::vector<PetscInt> lx(decomp.ownership(0).begin(), decomp.ownership(0).end());
  const std::vector<PetscInt> ly(decomp.ownership(1).begin(), decomp.ownership(1).end());
  DM dm = nullptr;
  try {
    TESSERA_PETSC_CALL(DMDACreate2d(decomp.comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                                    DMDA_STENCIL_STAR, global[0], global[1], procs[0], procs[1], 1,
                                    1, lx.data(), ly.data(), &dm));
    TESSERA_PETSC_CALL(DMSetUp(dm));
    PetscInt xs, ys, xm, ym;
    TESSERA_PETSC_CALL(DMDAGetCorners(dm, &xs, &ys, nullptr, &xm, &ym, nullptr));
    const auto& start = decomp.local_start();
    const auto& count = decomp.local_count();
    TESSERA_CHECK(xs == start[0] && ys == start[1] && xm == count[0] && ym == count[1],
                  who << ": rank " << decomp.rank() << " DMDA block [" << xs << ", " << xs + xm
                      << ") x [" << ys << ", " << ys + ym
                      << ") differs from its decomposition block [" << start[0] << ", "
                      << start[0] + count[0] << ") x [" << start[1] << ", " << start[1] + count[1]
                      << ")");
  } catch (...) {
    DMDestroy(&dm);
    throw;
  }
  return dm;
}

std::vector<double> local_block(DM dm, Vec v) {
  PetscInt xs, ys, xm, ym;
  TESSERA_PETSC_CALL(DMDAGetCorners(dm, &xs, &ys, nullptr, &xm, &ym, nullptr));
  const PetscScalar** u;
  TESSERA_PETSC_CALL(DMDAVecGetArrayRead(dm, v, &u));
  std::vector<double> local(static_cast<size_t>(xm) * ym);
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) local[(j - ys) * xm + (i - xs)] = u[j][i];
  TESSERA_PETSC_CALL(DMDAVecRestoreArrayRead(dm, v, &u));
  return local;
}

}  // namespace tessera::solvers
