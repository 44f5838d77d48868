#include "solvers/incompressible.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "core/error.hpp"

namespace tessera::solvers {

static_assert(std::is_same<PetscScalar, double>::value,
              "the incompressible solver needs a real, double-precision PETSc build");

namespace {

// A block of cells of a DMDA (owned or ghosted) and the flat offsets of its cells, x fastest.
// Unused directions have start 0 and count 1, so one triple loop serves 2D and 3D.
struct Block {
  PetscInt start[3] = {0, 0, 0}, count[3] = {1, 1, 1};
  PetscInt cell(PetscInt i, PetscInt j, PetscInt k) const {
    return ((k - start[2]) * count[1] + (j - start[1])) * count[0] + (i - start[0]);
  }
  // Offset between neighbouring cells along direction d.
  PetscInt stride(int d) const { return d == 0 ? 1 : d == 1 ? count[0] : count[0] * count[1]; }
};

Block owned_block(DM dm) {
  Block b;
  TESSERA_PETSC_CALL(DMDAGetCorners(dm, &b.start[0], &b.start[1], &b.start[2], &b.count[0],
                                    &b.count[1], &b.count[2]));
  return b;
}

Block ghosted_block(DM dm) {
  Block b;
  TESSERA_PETSC_CALL(DMDAGetGhostCorners(dm, &b.start[0], &b.start[1], &b.start[2], &b.count[0],
                                         &b.count[1], &b.count[2]));
  return b;
}

// Calls f(i, j, k) for every cell of the block.
template <class F>
void for_each_cell(const Block& b, F&& f) {
  for (PetscInt k = b.start[2]; k < b.start[2] + b.count[2]; ++k)
    for (PetscInt j = b.start[1]; j < b.start[1] + b.count[1]; ++j)
      for (PetscInt i = b.start[0]; i < b.start[0] + b.count[0]; ++i) f(i, j, k);
}

// A ghosted local copy of a global vector, for reading neighbours; returned to the DM on scope
// exit.
class GhostedRead {
public:
  GhostedRead(DM dm, Vec global) : dm_(dm) {
    TESSERA_PETSC_CALL(DMGetLocalVector(dm_, &local_));
    TESSERA_PETSC_CALL(DMGlobalToLocal(dm_, global, INSERT_VALUES, local_));
    TESSERA_PETSC_CALL(VecGetArrayRead(local_, &data_));
  }
  ~GhostedRead() {
    VecRestoreArrayRead(local_, &data_);
    DMRestoreLocalVector(dm_, &local_);
  }
  GhostedRead(const GhostedRead&) = delete;
  GhostedRead& operator=(const GhostedRead&) = delete;
  const PetscScalar* data() const { return data_; }

private:
  DM dm_;
  Vec local_ = nullptr;
  const PetscScalar* data_ = nullptr;
};

// Collective over comm.
double allreduce_max(MPI_Comm comm, double value) {
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, comm));
  return value;
}

// Williamson (1980) low-storage RK3: dU = A_s dU + dt F(u); u += B_s dU.
constexpr double kRkA[3] = {0.0, -5.0 / 9.0, -153.0 / 128.0};
constexpr double kRkB[3] = {1.0 / 3.0, 15.0 / 16.0, 8.0 / 15.0};

}  // namespace

IncompressibleConfig IncompressibleConfig::from_options(Options& options) {
  IncompressibleConfig c;
  c.dim = options.integer("les_dim", c.dim, 2, 3, "space dimension of the periodic box");
  c.cells = options.integer("les_cells", c.cells, 4, 1 << 14, "cells per direction");
  c.length = options.real("les_length", c.length, 1e-12, 1e12, "side L of the box [0, L]^dim");
  c.viscosity = options.real("les_viscosity", c.viscosity, 0.0, 1e12, "kinematic viscosity");
  c.cfl = options.real("les_cfl", c.cfl, 1e-6, 1.5,
                       "convective limit: dt <= cfl h / max|u_a|; RK3 with central differences "
                       "is stable up to about 1.7 / dim");
  c.viscous_factor = options.real("les_viscous_factor", c.viscous_factor, 1e-6, 0.6,
                                  "viscous limit: dt <= viscous_factor h^2 / viscosity; RK3 is "
                                  "stable up to about 2.5 / (4 dim)");
  c.dt = options.real("les_dt", c.dt, 0.0, 1e12,
                      "fixed time step; 0 takes it from the CFL and viscous limits");
  c.krylov.read(options, "les_", "a pressure solve");
  if (c.viscosity == 0 && c.dt == 0)
    options.report(
        "-les_viscosity = 0 with -les_dt = 0: only the CFL limit bounds the step, "
        "which a flow at rest leaves unbounded; set -les_dt");
  return c;
}

IncompressibleSolver::IncompressibleSolver(const Decomposition& decomp,
                                           const IncompressibleConfig& config)
    : dim_(config.dim), n_(config.cells), config_(config), comm_(decomp.comm()) {
  TESSERA_CHECK(dim_ == 2 || dim_ == 3,
                "IncompressibleSolver: dimension " << dim_ << " is not 2 or 3");
  TESSERA_CHECK(decomp.dim() == dim_, "IncompressibleSolver: needs a "
                                          << dim_ << "D decomposition, got " << decomp.dim()
                                          << "D");
  const auto& global = decomp.global_points();
  for (int d = 0; d < dim_; ++d)
    TESSERA_CHECK(global[d] == n_, "IncompressibleSolver: decomposition has "
                                       << global[d] << " cells along direction " << d
                                       << ", configuration asks for " << n_);
  // With fewer cells a cell's two neighbours in a direction coincide.
  TESSERA_CHECK(n_ >= 4, "IncompressibleSolver: " << n_ << " cells per direction; need >= 4");
  h_ = config.length / n_;

  try {
    const auto& procs = decomp.process_grid();
    std::vector<PetscInt> own[3];
    for (int d = 0; d < dim_; ++d)
      own[d].assign(decomp.ownership(d).begin(), decomp.ownership(d).end());
    const DMBoundaryType periodic = DM_BOUNDARY_PERIODIC;
    auto create = [&](PetscInt dof, DMDAStencilType stencil, DM* dm) {
      if (dim_ == 2)
        TESSERA_PETSC_CALL(DMDACreate2d(comm_, periodic, periodic, stencil, n_, n_, procs[0],
                                        procs[1], dof, 1, own[0].data(), own[1].data(), dm));
      else
        TESSERA_PETSC_CALL(DMDACreate3d(comm_, periodic, periodic, periodic, stencil, n_, n_, n_,
                                        procs[0], procs[1], procs[2], dof, 1, own[0].data(),
                                        own[1].data(), own[2].data(), dm));
      TESSERA_PETSC_CALL(DMSetUp(*dm));
    };
    create(dim_, DMDA_STENCIL_BOX, &vdm_);
    create(1, DMDA_STENCIL_STAR, &pdm_);
    const Block owned = owned_block(pdm_);
    const auto& start = decomp.local_start();
    const auto& count = decomp.local_count();
    for (int d = 0; d < 3; ++d)
      TESSERA_CHECK(owned.start[d] == start[d] && owned.count[d] == count[d],
                    "IncompressibleSolver: rank " << decomp.rank() << " DMDA block along " << d
                                                  << " differs from its decomposition block");

    TESSERA_PETSC_CALL(DMCreateGlobalVector(vdm_, &u_));
    TESSERA_PETSC_CALL(VecDuplicate(u_, &du_));
    TESSERA_PETSC_CALL(VecDuplicate(u_, &f_));
    TESSERA_PETSC_CALL(VecSet(u_, 0.0));
    TESSERA_PETSC_CALL(DMCreateGlobalVector(pdm_, &phi_));
    TESSERA_PETSC_CALL(VecDuplicate(phi_, &b_));

    // -h² Δ_h: 2d on the diagonal, -1 for each neighbour. Symmetric positive semi-definite, so CG
    // applies once the right-hand side is made consistent (mean zero).
    TESSERA_PETSC_CALL(DMCreateMatrix(pdm_, &a_));
    for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
      MatStencil row{}, col[7]{};
      PetscScalar v[7];
      row.i = i;
      row.j = j;
      row.k = k;
      col[0] = row;
      v[0] = 2.0 * dim_;
      int m = 1;
      for (int d = 0; d < dim_; ++d) {
        for (int s : {-1, 1}) {
          col[m] = row;
          (d == 0 ? col[m].i : d == 1 ? col[m].j : col[m].k) += s;
          v[m++] = -1.0;
        }
      }
      TESSERA_PETSC_CALL(MatSetValuesStencil(a_, 1, &row, m, col, v, INSERT_VALUES));
    });
    TESSERA_PETSC_CALL(MatAssemblyBegin(a_, MAT_FINAL_ASSEMBLY));
    TESSERA_PETSC_CALL(MatAssemblyEnd(a_, MAT_FINAL_ASSEMBLY));
    TESSERA_PETSC_CALL(MatNullSpaceCreate(comm_, PETSC_TRUE, 0, nullptr, &null_));
    TESSERA_PETSC_CALL(MatSetNullSpace(a_, null_));

    TESSERA_PETSC_CALL(KSPCreate(comm_, &ksp_));
    TESSERA_PETSC_CALL(KSPSetOptionsPrefix(ksp_, "les_"));
    TESSERA_PETSC_CALL(KSPSetOperators(ksp_, a_, a_));
    // Defaults first, options after, so that the deck and the command line override them. Jacobi
    // (a constant diagonal here) is the same on every process grid, unlike block ILU, so results
    // agree across rank counts to round-off rather than to the tolerance.
    TESSERA_PETSC_CALL(KSPSetType(ksp_, KSPCG));
    PC pc;
    TESSERA_PETSC_CALL(KSPGetPC(ksp_, &pc));
    TESSERA_PETSC_CALL(PCSetType(pc, PCJACOBI));
    config.krylov.apply(ksp_);
    TESSERA_PETSC_CALL(KSPSetFromOptions(ksp_));
    TESSERA_PETSC_CALL(KSPSetUp(ksp_));
    mark_solve_time_options_used(ksp_);
  } catch (...) {
    destroy();
    throw;
  }
}

IncompressibleSolver::~IncompressibleSolver() { destroy(); }

void IncompressibleSolver::destroy() noexcept {
  // Called from the destructor and from a failed constructor: must not throw, and there is nothing
  // to do about a failed destroy anyway. Null handles are skipped by PETSc.
  KSPDestroy(&ksp_);
  MatNullSpaceDestroy(&null_);
  MatDestroy(&a_);
  VecDestroy(&b_);
  VecDestroy(&phi_);
  VecDestroy(&f_);
  VecDestroy(&du_);
  VecDestroy(&u_);
  DMDestroy(&pdm_);
  DMDestroy(&vdm_);
}

std::array<double, 3> IncompressibleSolver::face_position(int c,
                                                          const std::array<int, 3>& cell) const {
  std::array<double, 3> x{0, 0, 0};
  for (int d = 0; d < dim_; ++d) x[d] = (cell[d] + (d == c ? 0.0 : 0.5)) * h_;
  return x;
}

void IncompressibleSolver::set_velocity(
    const std::function<double(int c, const std::array<double, 3>& x)>& velocity, double t) {
  const Block owned = owned_block(vdm_);
  PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArray(u_, &u));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const std::array<int, 3> cell{int(i), int(j), int(k)};
    for (int c = 0; c < dim_; ++c)
      u[owned.cell(i, j, k) * dim_ + c] = velocity(c, face_position(c, cell));
  });
  TESSERA_PETSC_CALL(VecRestoreArray(u_, &u));
  time_ = t;
}

void IncompressibleSolver::project() {
  const Block owned = owned_block(pdm_);
  {
    // b = -h² ∇_h·u* = -h Σ_a (u_a(p + e_a) - u_a(p)).
    const Block ghosted = ghosted_block(vdm_);
    GhostedRead u(vdm_, u_);
    PetscScalar* b;
    TESSERA_PETSC_CALL(VecGetArray(b_, &b));
    for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
      const PetscInt g = ghosted.cell(i, j, k);
      double div = 0;
      for (int a = 0; a < dim_; ++a)
        div += u.data()[(g + ghosted.stride(a)) * dim_ + a] - u.data()[g * dim_ + a];
      b[owned.cell(i, j, k)] = -h_ * div;
    });
    TESSERA_PETSC_CALL(VecRestoreArray(b_, &b));
  }
  // The periodic operator is singular: a right-hand side with a non-zero mean has no solution.
  // The divergence of a periodic field has zero mean exactly, so this removes round-off only.
  TESSERA_PETSC_CALL(MatNullSpaceRemove(null_, b_));
  TESSERA_PETSC_CALL(KSPSolve(ksp_, b_, phi_));
  const KrylovResult result = krylov_result(ksp_);
  last_iterations_ = result.iterations;
  total_iterations_ += result.iterations;
  if (!result.converged)
    throw_unconverged(result, "the pressure solve at step " + std::to_string(steps_) +
                                  ", t = " + std::to_string(time_));

  // u = u* - ∇_h φ, ∇_h φ at face a of cell p being (φ(p) - φ(p - e_a)) / h.
  const Block ghosted = ghosted_block(pdm_);
  GhostedRead phi(pdm_, phi_);
  PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArray(u_, &u));
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k), o = owned.cell(i, j, k);
    for (int a = 0; a < dim_; ++a)
      u[o * dim_ + a] -= (phi.data()[g] - phi.data()[g - ghosted.stride(a)]) / h_;
  });
  TESSERA_PETSC_CALL(VecRestoreArray(u_, &u));
}

// out = -C(u) + ν Δ_h u. With U_b^± the velocity u_b interpolated to the faces of the control
// volume of u_a(p) in direction b, the skew-symmetric convective term is
//   C_a(p) = Σ_b (U_b^+(p) u_a(p + e_b) - U_b^-(p) u_a(p - e_b)) / (2h),
// the mean of the divergence form Σ_b (U_b^+ (u_a(p) + u_a(p + e_b)) - U_b^- (u_a(p) +
// u_a(p - e_b))) / (2h) and the advective form Σ_b (U_b^+ δ^+ u_a + U_b^- δ^- u_a) / (2h). Since
// U_b^-(p) = U_b^+(p - e_b), Σ_p u_a(p) C_a(p) telescopes to zero: energy conservation.
void IncompressibleSolver::rhs(Vec velocity, Vec out) const {
  const Block owned = owned_block(vdm_);
  const Block ghosted = ghosted_block(vdm_);
  GhostedRead ul(vdm_, velocity);
  const PetscScalar* u = ul.data();
  PetscScalar* f;
  TESSERA_PETSC_CALL(VecGetArray(out, &f));
  const double nu = config_.viscosity, inv2h = 0.5 / h_, invh2 = 1.0 / (h_ * h_);
  const int d = dim_;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k), o = owned.cell(i, j, k);
    for (int a = 0; a < d; ++a) {
      const PetscInt sa = ghosted.stride(a);
      const double ua = u[g * d + a];
      double convection = 0, laplacian = 0;
      for (int b = 0; b < d; ++b) {
        const PetscInt sb = ghosted.stride(b);
        const double plus = 0.5 * (u[(g + sb) * d + b] + u[(g + sb - sa) * d + b]);
        const double minus = 0.5 * (u[g * d + b] + u[(g - sa) * d + b]);
        const double up = u[(g + sb) * d + a], um = u[(g - sb) * d + a];
        convection += plus * up - minus * um;
        laplacian += up - 2.0 * ua + um;
      }
      f[o * d + a] = -inv2h * convection + nu * invh2 * laplacian;
    }
  });
  TESSERA_PETSC_CALL(VecRestoreArray(out, &f));
}

double IncompressibleSolver::time_step() const {
  if (config_.dt > 0) return config_.dt;
  const double inf = std::numeric_limits<double>::infinity();
  const double umax = max_velocity();
  const double convective = umax > 0 ? config_.cfl * h_ / umax : inf;
  const double viscous =
      config_.viscosity > 0 ? config_.viscous_factor * h_ * h_ / config_.viscosity : inf;
  const double dt = std::min(convective, viscous);
  TESSERA_CHECK(dt < inf,
                "IncompressibleSolver: a flow at rest without viscosity has no time "
                "step limit; set a fixed time step (-les_dt)");
  return dt;
}

void IncompressibleSolver::step(double dt) {
  TESSERA_CHECK(dt > 0, "IncompressibleSolver::step: dt = " << dt << " is not positive");
  TESSERA_PETSC_CALL(VecSet(du_, 0.0));
  for (int s = 0; s < 3; ++s) {
    rhs(u_, f_);
    TESSERA_PETSC_CALL(VecAXPBY(du_, dt, kRkA[s], f_));  // du = A_s du + dt f
    TESSERA_PETSC_CALL(VecAXPY(u_, kRkB[s], du_));
    project();
  }
  time_ += dt;
  ++steps_;
}

void IncompressibleSolver::advance_to(double t_end, const std::function<void()>& after_step) {
  // Steps shorter than this fraction of the run are round-off in the end time, not steps.
  const double slack = 1e-12 * std::max(1.0, std::abs(t_end));
  while (t_end - time_ > slack) {
    const double remaining = t_end - time_;
    double dt = time_step();
    if (dt > remaining - slack) dt = remaining;
    step(dt);
    if (t_end - time_ <= slack) time_ = t_end;
    if (after_step) after_step();
  }
}

double IncompressibleSolver::kinetic_energy() const {
  PetscReal norm;
  TESSERA_PETSC_CALL(VecNorm(u_, NORM_2, &norm));
  return 0.5 * norm * norm / std::pow(static_cast<double>(n_), dim_);
}

double IncompressibleSolver::energy_change_rate() const {
  // f_ is scratch between steps.
  rhs(u_, f_);
  PetscScalar dot;
  TESSERA_PETSC_CALL(VecDot(u_, f_, &dot));
  return dot / std::pow(static_cast<double>(n_), dim_);
}

double IncompressibleSolver::max_divergence() const {
  const Block owned = owned_block(vdm_);
  const Block ghosted = ghosted_block(vdm_);
  GhostedRead u(vdm_, u_);
  double local = 0;
  for_each_cell(owned, [&](PetscInt i, PetscInt j, PetscInt k) {
    const PetscInt g = ghosted.cell(i, j, k);
    double div = 0;
    for (int a = 0; a < dim_; ++a)
      div += u.data()[(g + ghosted.stride(a)) * dim_ + a] - u.data()[g * dim_ + a];
    local = std::max(local, std::abs(div) / h_);
  });
  return allreduce_max(comm_, local);
}

double IncompressibleSolver::max_velocity() const {
  PetscReal norm;
  TESSERA_PETSC_CALL(VecNorm(u_, NORM_INFINITY, &norm));
  return norm;
}

std::vector<double> IncompressibleSolver::local_velocity(int c) const {
  TESSERA_CHECK(c >= 0 && c < dim_, "IncompressibleSolver::local_velocity: component "
                                        << c << " of a " << dim_ << "D velocity");
  const Block owned = owned_block(vdm_);
  const PetscScalar* u;
  TESSERA_PETSC_CALL(VecGetArrayRead(u_, &u));
  std::vector<double> local(static_cast<size_t>(owned.count[0] * owned.count[1] * owned.count[2]));
  for (size_t p = 0; p < local.size(); ++p) local[p] = u[p * dim_ + c];
  TESSERA_PETSC_CALL(VecRestoreArrayRead(u_, &u));
  return local;
}

}  // namespace tessera::solvers
