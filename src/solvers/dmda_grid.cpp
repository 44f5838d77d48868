#include "solvers/dmda_grid.hpp"

#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"

namespace tessera::solvers {

bool is_power_of_two_plus_one(int n) {
  const int m = n - 1;
  return m >= 2 && (m & (m - 1)) == 0;
}

int read_multigrid_points(Options& options, const std::string& name, int fallback,
                          const std::string& what, int dim) {
  const int points = options.integer(name, fallback, 3, 1 << 20,
                                     what +
                                         " points per direction, boundary included; 2^k + 1 "
                                         "so that multigrid can coarsen it");
  if (!is_power_of_two_plus_one(points))
    options.report("-" + name + " = " + std::to_string(points) +
                   " is not 2^k + 1 (e.g. 33, 65, 129, 257), which multigrid coarsening needs");
  else
    report_beyond_petsc_indices(options, "-" + name + " = " + std::to_string(points), points, dim,
                                1);
  return points;
}

void report_beyond_petsc_indices(Options& options, const std::string& setting, long long points,
                                 int dim, int dof) {
  // Entries of a vector on the grid, in floating point so that no product can overflow.
  auto entries = [&](long long n) { return dof * std::pow(static_cast<double>(n + 2), dim); };
  const double limit = static_cast<double>(PETSC_MAX_INT);
  if (entries(points) <= limit) return;
  long long fits = static_cast<long long>(std::pow(limit / dof, 1.0 / dim)) - 2;
  while (fits > 0 && entries(fits) > limit) --fits;
  while (entries(fits + 1) <= limit) ++fits;
  std::ostringstream problem;
  problem << setting << ": " << points << "^" << dim << " points"
          << (dof > 1 ? " x " + std::to_string(dof) + " values" : std::string())
          << " (with a ghost layer each side) is " << format("%.3g", entries(points))
          << " entries, more than PETSc's " << 8 * sizeof(PetscInt) << "-bit indices reach ("
          << PETSC_MAX_INT << "); at most " << fits << " per direction fit in " << dim
          << "D, or use a PETSc built with --with-64-bit-indices";
  options.report(problem.str());
}

int multigrid_levels(int n, const std::array<int, 3>& procs) {
  int levels = 1;
  for (int m = n; (m - 1) % 2 == 0; ++levels) {
    const int coarse = (m - 1) / 2 + 1;
    if (coarse < 3 || coarse < 2 * procs[0] || coarse < 2 * procs[1] || coarse < 2 * procs[2])
      break;
    m = coarse;
  }
  return levels;
}

namespace {

// Throws unless decomp is dim-dimensional with `points` points per direction (at least 3).
void check_decomposition_grid(const Decomposition& decomp, int dim, int points,
                              const std::string& who) {
  TESSERA_CHECK(decomp.dim() == dim,
                who << ": needs a " << dim << "D decomposition, got " << decomp.dim() << "D");
  const auto& global = decomp.global_points();
  for (int d = 0; d < dim; ++d)
    TESSERA_CHECK(global[d] == points, who << ": decomposition has " << global[d]
                                           << " points along direction " << d
                                           << ", configuration asks for " << points);
  TESSERA_CHECK(points >= 3, who << ": " << points << " points per direction leave no interior");
}

// Throws unless this rank's block of dm is its Decomposition block.
void check_dmda_block(DM dm, const Decomposition& decomp, const std::string& who) {
  std::array<PetscInt, 3> s{}, m{};
  TESSERA_PETSC_CALL(DMDAGetCorners(dm, &s[0], &s[1], &s[2], &m[0], &m[1], &m[2]));
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  for (int d = 0; d < decomp.dim(); ++d)
    TESSERA_CHECK(s[d] == start[d] && m[d] == count[d],
                  who << ": rank " << decomp.rank() << " DMDA block [" << s[d] << ", "
                      << s[d] + m[d] << ") along direction " << d
                      << " differs from its decomposition block [" << start[d] << ", "
                      << start[d] + count[d] << ")");
}

template <typename Create>
DM create_checked(const Decomposition& decomp, const std::string& who, Create create) {
  DM dm = nullptr;
  try {
    create(&dm);
    TESSERA_PETSC_CALL(DMSetUp(dm));
    check_dmda_block(dm, decomp, who);
  } catch (...) {
    DMDestroy(&dm);
    throw;
  }
  return dm;
}

std::vector<PetscInt> ownership_range(const Decomposition& decomp, int d) {
  return std::vector<PetscInt>(decomp.ownership(d).begin(), decomp.ownership(d).end());
}

}  // namespace

DmdaSystem::DmdaSystem(DM grid) : dm(grid) {
  try {
    TESSERA_PETSC_CALL(DMCreateMatrix(dm, &a));
    TESSERA_PETSC_CALL(DMCreateGlobalVector(dm, &b));
    TESSERA_PETSC_CALL(VecDuplicate(b, &x));
  } catch (...) {
    release();
    throw;
  }
}

DmdaSystem::~DmdaSystem() { release(); }

void DmdaSystem::release() noexcept {
  // Must not throw (destructor), and there is nothing to do about a failed destroy anyway.
  KSPDestroy(&ksp);
  VecDestroy(&x);
  VecDestroy(&b);
  MatDestroy(&a);
  DMDestroy(&dm);
}

KrylovResult DmdaSystem::solve(const std::string& what) {
  ProfilingRegion stage(Stage::ReferenceSolve);
  TESSERA_PETSC_CALL(KSPSolve(ksp, b, x));
  const KrylovResult result = krylov_result(ksp);
  if (!result.converged) throw_unconverged(result, what);
  return result;
}

std::vector<double> DmdaSystem::local_solution() const { return local_block(dm, x); }

bool DmdaBox::on_boundary(PetscInt i, PetscInt j, PetscInt k) const {
  return i == 0 || j == 0 || i == mx - 1 || j == my - 1 || (dim == 3 && (k == 0 || k == mz - 1));
}

DmdaBox dmda_box(DM dm) {
  DmdaBox box;
  TESSERA_PETSC_CALL(DMDAGetInfo(dm, &box.dim, &box.mx, &box.my, &box.mz, nullptr, nullptr, nullptr,
                                 nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  return box;
}

void assemble_dirichlet_stencil(DM dm, Mat a, double diagonal, double off_diagonal,
                                double boundary_diagonal) {
  const DmdaBox box = dmda_box(dm);
  DMDALocalInfo info;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(dm, &info));
  for (PetscInt k = info.zs; k < info.zs + info.zm; ++k) {
    for (PetscInt j = info.ys; j < info.ys + info.ym; ++j) {
      for (PetscInt i = info.xs; i < info.xs + info.xm; ++i) {
        MatStencil row{}, col[7]{};
        PetscScalar v[7];
        row.i = i;
        row.j = j;
        row.k = k;
        col[0] = row;
        const bool boundary = box.on_boundary(i, j, k);
        v[0] = boundary ? boundary_diagonal : diagonal;
        PetscInt count = 1;
        const PetscInt neighbours[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k},
                                           {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
        for (int n = 0; !boundary && n < 2 * box.dim; ++n) {
          const PetscInt* nb = neighbours[n];
          if (box.on_boundary(nb[0], nb[1], nb[2])) continue;
          col[count].i = nb[0];
          col[count].j = nb[1];
          col[count].k = nb[2];
          v[count++] = off_diagonal;
        }
        TESSERA_PETSC_CALL(MatSetValuesStencil(a, 1, &row, count, col, v, INSERT_VALUES));
      }
    }
  }
  TESSERA_PETSC_CALL(MatAssemblyBegin(a, MAT_FINAL_ASSEMBLY));
  TESSERA_PETSC_CALL(MatAssemblyEnd(a, MAT_FINAL_ASSEMBLY));
}

KSP create_multigrid_solver(DM dm, Mat a, const std::string& prefix,
                            const KrylovTolerances& tolerances, int levels) {
  KSP ksp = nullptr;
  try {
    MPI_Comm comm;
    TESSERA_PETSC_CALL(PetscObjectGetComm(reinterpret_cast<PetscObject>(dm), &comm));
    TESSERA_PETSC_CALL(KSPCreate(comm, &ksp));
    TESSERA_PETSC_CALL(KSPSetOptionsPrefix(ksp, prefix.c_str()));
    // The DM gives multigrid its grid hierarchy and interpolation; the operators are ours.
    TESSERA_PETSC_CALL(KSPSetDM(ksp, dm));
    TESSERA_PETSC_CALL(KSPSetDMActive(ksp, PETSC_FALSE));
    TESSERA_PETSC_CALL(KSPSetOperators(ksp, a, a));
    // Defaults first; the caller's KSPSetFromOptions lets the deck and the command line win.
    TESSERA_PETSC_CALL(KSPSetType(ksp, KSPCG));
    tolerances.apply(ksp);
    PC pc;
    TESSERA_PETSC_CALL(KSPGetPC(ksp, &pc));
    TESSERA_PETSC_CALL(PCSetType(pc, PCMG));
    TESSERA_PETSC_CALL(PCMGSetLevels(pc, levels, nullptr));
    TESSERA_PETSC_CALL(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH));
  } catch (...) {
    KSPDestroy(&ksp);
    throw;
  }
  return ksp;
}

DM create_decomposition_dmda(const Decomposition& decomp, int points, const std::string& who) {
  check_decomposition_grid(decomp, 2, points, who);
  const auto& procs = decomp.process_grid();
  const auto lx = ownership_range(decomp, 0), ly = ownership_range(decomp, 1);
  return create_checked(decomp, who, [&](DM* dm) {
    TESSERA_PETSC_CALL(DMDACreate2d(decomp.comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                                    DMDA_STENCIL_STAR, points, points, procs[0], procs[1], 1, 1,
                                    lx.data(), ly.data(), dm));
  });
}

DM create_decomposition_dmda_3d(const Decomposition& decomp, int points, const std::string& who) {
  check_decomposition_grid(decomp, 3, points, who);
  const auto& procs = decomp.process_grid();
  const auto lx = ownership_range(decomp, 0), ly = ownership_range(decomp, 1),
             lz = ownership_range(decomp, 2);
  return create_checked(decomp, who, [&](DM* dm) {
    TESSERA_PETSC_CALL(DMDACreate3d(decomp.comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                                    DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, points, points, points,
                                    procs[0], procs[1], procs[2], 1, 1, lx.data(), ly.data(),
                                    lz.data(), dm));
  });
}

std::vector<double> local_block(DM dm, Vec v) {
  PetscInt xs, ys, zs, xm, ym, zm;
  TESSERA_PETSC_CALL(DMDAGetCorners(dm, &xs, &ys, &zs, &xm, &ym, &zm));
  // The local part of a DMDA vector is already this block, x fastest.
  const PetscScalar* u;
  PetscInt n = 0;
  TESSERA_PETSC_CALL(VecGetLocalSize(v, &n));
  TESSERA_CHECK(n == xm * ym * zm, "local_block: vector of local size "
                                       << n << " on a " << xm << " x " << ym << " x " << zm
                                       << " DMDA block");
  TESSERA_PETSC_CALL(VecGetArrayRead(v, &u));
  std::vector<double> local(u, u + n);
  TESSERA_PETSC_CALL(VecRestoreArrayRead(v, &u));
  return local;
}

}  // namespace tessera::solvers
