#include "solvers/heat_reference.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

HeatReferenceConfig HeatReferenceConfig::from_options(Options& options) {
  HeatReferenceConfig c;
  c.points =
      read_multigrid_points(options, "heat_reference_points", c.points, "heat reference grid", 3);
  c.time_step = options.real("heat_reference_time_step", c.time_step, 1e-8, 1e3,
                             "largest Crank-Nicolson step of the heat reference");
  c.krylov.read(options, kHeatReferencePrefix, "each heat reference step");
  return c;
}

HeatReference::HeatReference(const Decomposition& decomp, const physics::Heat3D& problem,
                             const HeatReferenceConfig& config)
    : problem_(problem),
      h_(1.0 / (config.points - 1)),
      max_step_(config.time_step),
      system_(create_decomposition_dmda_3d(decomp, config.points, "HeatReference")) {
  TESSERA_CHECK(config.time_step > 0,
                "HeatReference: time step " << config.time_step << " is not positive");
  u_ = system_.x;
  const DmdaBox box = dmda_box(system_.dm);
  DMDALocalInfo info;
  TESSERA_PETSC_CALL(DMDAGetLocalInfo(system_.dm, &info));
  PetscScalar*** u;
  TESSERA_PETSC_CALL(DMDAVecGetArray(system_.dm, u_, &u));
  for (PetscInt k = info.zs; k < info.zs + info.zm; ++k)
    for (PetscInt j = info.ys; j < info.ys + info.ym; ++j)
      for (PetscInt i = info.xs; i < info.xs + info.xm; ++i)
        u[k][j][i] = box.on_boundary(i, j, k) ? 0.0 : problem.initial(i * h_, j * h_, k * h_);
  TESSERA_PETSC_CALL(DMDAVecRestoreArray(system_.dm, u_, &u));

  set_step(max_step_);
  system_.ksp = create_multigrid_solver(system_.dm, system_.a, kHeatReferencePrefix, config.krylov,
                                        multigrid_levels(config.points, decomp.process_grid()));
  // Each step starts from the previous solution, which is already close.
  TESSERA_PETSC_CALL(KSPSetInitialGuessNonzero(system_.ksp, PETSC_TRUE));
  TESSERA_PETSC_CALL(KSPSetFromOptions(system_.ksp));
  TESSERA_PETSC_CALL(KSPSetUp(system_.ksp));
  mark_solve_time_options_used(system_.ksp);
}

void HeatReference::set_step(double dt) {
  const double c = problem_.diffusivity * dt / (2.0 * h_ * h_);
  assemble_dirichlet_stencil(system_.dm, system_.a, 1.0 + 6.0 * c, -c, 1.0);
  step_ = dt;
  // Tells the KSP that the operator changed, so the multigrid hierarchy is rebuilt.
  if (system_.ksp) TESSERA_PETSC_CALL(KSPSetOperators(system_.ksp, system_.a, system_.a));
}

void HeatReference::advance_to(double t) {
  ProfilingRegion stage(Stage::ReferenceSolve);
  TESSERA_CHECK(t >= time_,
                "HeatReference::advance_to(" << t << ") before the current time " << time_);
  if (t == time_) return;
  const double steps = std::ceil((t - time_) / max_step_ * (1 - 1e-12));
  const double dt = (t - time_) / steps;
  if (std::abs(dt - step_) > 1e-14 * step_) set_step(dt);
  for (int s = 0; s < static_cast<int>(steps); ++s) {
    // b = (2I - A) u = (I + κΔt/2 Δ_h) u on interior rows and 0 = u on boundary rows.
    TESSERA_PETSC_CALL(MatMult(system_.a, u_, system_.b));
    TESSERA_PETSC_CALL(VecAYPX(system_.b, -1.0, u_));
    TESSERA_PETSC_CALL(VecAXPY(system_.b, 1.0, u_));
    iterations_ += system_.solve("a heat reference step").iterations;
    ++steps_;
  }
  time_ = t;
}

}  // namespace tessera::solvers
