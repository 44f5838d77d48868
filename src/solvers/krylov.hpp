#pragma once
// What every PETSc Krylov solve in Tessera shares: its stopping rule read from the deck under the
// solver's options prefix, the options PETSc reads only while solving, and the checked outcome.
#include <petscksp.h>

#include <string>

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct KrylovTolerances {
  double rtol = 1e-10;
  int max_iterations = 200;  // more than this is a failed solve

  /// Declares -<prefix>rtol and -<prefix>max_iterations; `what` names the solve in -help.
  void read(Options& options, const std::string& prefix, const std::string& what);
  /// Sets them on ksp. Call before KSPSetFromOptions, so -<prefix>ksp_rtol and
  /// -<prefix>ksp_max_it, if given, win. Not collective.
  void apply(KSP ksp) const;
};

/// KSPSolve reads -ksp_converged_reason only when it finishes. Asking for it now, for ksp and
/// for the smoothers of a multigrid preconditioner, marks it used, so that the unused-option check
/// made after set-up (Options::reject_unused) does not reject it. Call after KSPSetUp.
void mark_solve_time_options_used(KSP ksp);

/// Not collective (every rank reads the same database). The value of the PETSc option -<name>
/// (e.g. "dataset_pc_type"), or fallback where it is not given, for checks made in the options
/// pass before the objects that read it exist.
std::string petsc_option_value(const std::string& name, const std::string& fallback);

struct KrylovResult {
  bool converged = false;
  int iterations = 0;
  double residual_norm = 0;  // in the norm the KSP's convergence test used
  const char* reason = "";
  bool not_finite = false;     // the residual became NaN or Inf (KSP_DIVERGED_NANORINF)
  std::string monitor_option;  // -<prefix>ksp_monitor, for messages
};

/// The outcome of ksp's last solve. Not collective (every rank holds the same values).
KrylovResult krylov_result(KSP ksp);

/// Throws tessera::Error saying that `what` did not converge, why, and how to watch it; a residual
/// that is not finite throws tessera::DivergenceError (exit status 5): every rank of the solve
/// holds the same reason, so every rank throws it together.
[[noreturn]] void throw_unconverged(const KrylovResult& result, const std::string& what);

}  // namespace tessera::solvers
