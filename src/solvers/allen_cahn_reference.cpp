#include "solvers/allen_cahn_reference.hpp"

#include <petscdmda.h>
#include <petscts.h>

#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "solvers/options_prefixes.hpp"

namespace tessera::solvers {

AllenCahnReferenceConfig AllenCahnReferenceConfig::from_options(Options& options) {
  AllenCahnReferenceConfig c;
  c.points = options.integer("allen_cahn_reference_points", c.points, 8, 1 << 20,
                             "Allen-Cahn solver points per period, a multiple of the output x "
                             "points");
  c.time_step = options.real("allen_cahn_reference_time_step", c.time_step, 1e-8, 1.0,
                             "largest Allen-Cahn time step (-allen_cahn_reference_ts_dt wins)");
  return c;
}

namespace {

struct Context {
  physics::AllenCahn1D problem;
  double h;
};

// u_t = D (u_{i-1} - 2u_i + u_{i+1}) / h² + r (u_i - u_i³) on the periodic grid.
PetscErrorCode right_hand_side(TS ts, PetscReal, Vec u, Vec f, void* ctx) {
  const auto& c = *static_cast<const Context*>(ctx);
  DM dm;
  Vec local;
  const PetscScalar* v;
  PetscScalar* out;
  DMDALocalInfo info;

  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(DMDAGetLocalInfo(dm, &info));
  PetscCall(DMGetLocalVector(dm, &local));
  PetscCall(DMGlobalToLocalBegin(dm, u, INSERT_VALUES, local));
  PetscCall(DMGlobalToLocalEnd(dm, u, INSERT_VALUES, local));
  PetscCall(DMDAVecGetArrayRead(dm, local, &v));
  PetscCall(DMDAVecGetArray(dm, f, &out));
  const double scale = c.problem.diffusion / (c.h * c.h);
  for (PetscInt i = info.xs; i < info.xs + info.xm; ++i)
    out[i] = scale * (v[i - 1] - 2 * v[i] + v[i + 1]) + c.problem.reaction_rate(v[i]);
  PetscCall(DMDAVecRestoreArray(dm, f, &out));
  PetscCall(DMDAVecRestoreArrayRead(dm, local, &v));
  PetscCall(DMRestoreLocalVector(dm, &local));
  PetscFunctionReturn(0);
}

std::vector<double> values(Vec v) {
  PetscInt n;
  const PetscScalar* a;
  TESSERA_PETSC_CALL(VecGetLocalSize(v, &n));
  TESSERA_PETSC_CALL(VecGetArrayRead(v, &a));
  std::vector<double> copy(a, a + n);
  TESSERA_PETSC_CALL(VecRestoreArrayRead(v, &a));
  return copy;
}

}  // namespace

std::vector<std::vector<double>> allen_cahn_snapshots(const physics::AllenCahn1D& problem,
                                                      const AllenCahnReferenceConfig& config,
                                                      const std::vector<double>& times) {
  ProfilingRegion stage(Stage::ReferenceSolve);
  const int n = config.points;
  TESSERA_CHECK(n >= 8, "allen_cahn_snapshots: " << n << " points, expected at least 8");
  TESSERA_CHECK(config.time_step > 0,
                "allen_cahn_snapshots: time step " << config.time_step << " is not positive");
  Context context{problem, 2.0 / n};
  DM dm = nullptr;
  Vec u = nullptr;
  TS ts = nullptr;
  std::vector<std::vector<double>> snapshots;
  try {
    TESSERA_PETSC_CALL(DMDACreate1d(PETSC_COMM_SELF, DM_BOUNDARY_PERIODIC, n, 1, 1, nullptr, &dm));
    TESSERA_PETSC_CALL(DMSetUp(dm));
    TESSERA_PETSC_CALL(DMCreateGlobalVector(dm, &u));
    PetscScalar* a;
    TESSERA_PETSC_CALL(DMDAVecGetArray(dm, u, &a));
    for (int i = 0; i < n; ++i) a[i] = physics::AllenCahn1D::initial(-1.0 + i * context.h);
    TESSERA_PETSC_CALL(DMDAVecRestoreArray(dm, u, &a));

    TESSERA_PETSC_CALL(TSCreate(PETSC_COMM_SELF, &ts));
    TESSERA_PETSC_CALL(TSSetOptionsPrefix(ts, kAllenCahnReferencePrefix));
    TESSERA_PETSC_CALL(TSSetDM(ts, dm));
    TESSERA_PETSC_CALL(TSSetProblemType(ts, TS_NONLINEAR));
    TESSERA_PETSC_CALL(TSSetRHSFunction(ts, nullptr, right_hand_side, &context));
    // Defaults first, options after, so that the deck and the command line override them.
    TESSERA_PETSC_CALL(TSSetType(ts, TSRK));
    TESSERA_PETSC_CALL(TSRKSetType(ts, TSRK4));
    TESSERA_PETSC_CALL(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
    TESSERA_PETSC_CALL(TSSetMaxSteps(ts, PETSC_MAX_INT));
    TESSERA_PETSC_CALL(TSSetTime(ts, 0.0));
    TESSERA_PETSC_CALL(TSSetTimeStep(ts, config.time_step));
    TESSERA_PETSC_CALL(TSSetFromOptions(ts));
    PetscReal largest_step;
    TESSERA_PETSC_CALL(TSGetTimeStep(ts, &largest_step));

    double now = 0;
    for (double t : times) {
      TESSERA_CHECK(t >= now, "allen_cahn_snapshots: times must not decrease (" << t << " after "
                                                                                << now << ")");
      if (t > now) {
        // Equal steps that end on t, so fixed-step methods keep their order across outputs.
        const double steps = std::ceil((t - now) / largest_step * (1 - 1e-12));
        TESSERA_PETSC_CALL(TSSetTimeStep(ts, (t - now) / steps));
        TESSERA_PETSC_CALL(TSSetMaxTime(ts, t));
        TESSERA_PETSC_CALL(TSSolve(ts, u));
        TSConvergedReason reason;
        TESSERA_PETSC_CALL(TSGetConvergedReason(ts, &reason));
        TESSERA_CHECK(reason >= 0, "the Allen-Cahn reference TS failed at t = "
                                       << now << ": " << TSConvergedReasons[reason]
                                       << " (watch it with -allen_cahn_reference_ts_monitor)");
        now = t;
      }
      snapshots.push_back(values(u));
    }
  } catch (...) {
    TSDestroy(&ts);
    VecDestroy(&u);
    DMDestroy(&dm);
    throw;
  }
  TSDestroy(&ts);
  VecDestroy(&u);
  DMDestroy(&dm);
  return snapshots;
}

AllenCahnReference::AllenCahnReference(const Decomposition& decomp,
                                       const physics::AllenCahn1D& problem,
                                       const AllenCahnReferenceConfig& config)
    : decomp_(decomp), problem_(problem), config_(config) {
  check_space_time_decomposition(decomp, "AllenCahnReference");
  const int nx = decomp.global_points()[0];
  if (config.points % nx != 0)
    throw InputError("-allen_cahn_reference_points = " + std::to_string(config.points) +
                         " is not a multiple of the " + std::to_string(nx) +
                         " output points along x",
                     __FILE__, __LINE__);
}

std::vector<double> AllenCahnReference::local_solution() const {
  const auto& start = decomp_.local_start();
  const auto& count = decomp_.local_count();
  std::vector<double> times;
  for (int j = start[1]; j < start[1] + count[1]; ++j)
    times.push_back(time_coordinate(decomp_, box, j));
  const auto snapshots = allen_cahn_snapshots(problem_, config_, times);
  const int stride = config_.points / decomp_.global_points()[0];
  std::vector<double> block;
  block.reserve(static_cast<size_t>(count[0]) * count[1]);
  for (const auto& snapshot : snapshots)
    for (int i = start[0]; i < start[0] + count[0]; ++i) block.push_back(snapshot[i * stride]);
  return block;
}

}  // namespace tessera::solvers
