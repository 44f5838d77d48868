#pragma once
// The PETSc reference solution of the 3D heat equation in physics/heat.hpp: u_t = κΔu on [0,1]^3,
// u = 0 on the boundary, 7-point finite differences on a vertex-centred grid (x_i = i h,
// h = 1/(n-1)) and Crank–Nicolson in time, second order in both. Each step solves
// (I - κΔt/2 Δ_h) u^{n+1} = (I + κΔt/2 Δ_h) u^n by CG preconditioned with geometric multigrid
// (Galerkin coarse operators), options under the prefix "heat_reference_".
//
// The DMDA is built from the 3D Decomposition's ownership ranges, so this rank's block of the
// solution is exactly its Decomposition block; time is not decomposed (advance_to the times the
// caller samples).
#include <vector>

#include "core/decomposition.hpp"
#include "physics/heat.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/krylov.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct HeatReferenceConfig {
  int points = 33;                      // grid points per direction, boundary included; 2^k + 1
  double time_step = 0.01;              // largest step; advance_to splits into equal steps
  KrylovTolerances krylov{1e-12, 200};  // -heat_reference_rtol, _max_iterations

  /// Declares and reads the heat_reference_* options; problems go to options.report(), so call
  /// options.check() afterwards. Not collective, but every rank must call it.
  static HeatReferenceConfig from_options(Options& options);
};

class HeatReference {
public:
  /// Collective over decomp.comm(). decomp must be 3D with config.points points per direction
  /// (throws tessera::Error otherwise). Sets u to the initial condition at t = 0.
  HeatReference(const Decomposition& decomp, const physics::Heat3D& problem,
                const HeatReferenceConfig& config);

  /// Collective. Advances from time() to t >= time() in equal Crank–Nicolson steps no longer than
  /// the configured time step; throws tessera::Error (on every rank) if a solve fails.
  void advance_to(double t);

  double time() const { return time_; }
  /// Steps and CG iterations so far. Not collective.
  int steps() const { return steps_; }
  int iterations() const { return iterations_; }
  /// Grid spacing 1/(n-1). Not collective.
  double h() const { return h_; }

  /// Not collective. This rank's block of u at time(), x fastest (as Poisson3DReference).
  std::vector<double> local_solution() const { return system_.local_solution(); }

private:
  // Assembles I + (κΔt/2)(-Δ_h) for step dt and hands it to the solver.
  void set_step(double dt);

  physics::Heat3D problem_;
  double h_, max_step_;
  DmdaSystem system_;
  Vec u_ = nullptr;  // owned by system_'s x
  double step_ = 0, time_ = 0;
  int steps_ = 0, iterations_ = 0;
};

}  // namespace tessera::solvers
