#include "solvers/krylov.hpp"

#include <sstream>

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::solvers {

void KrylovTolerances::read(Options& options, const std::string& prefix, const std::string& what) {
  rtol = options.real(
      prefix + "rtol", rtol, 1e-15, 0.5,
      "relative residual reduction of " + what + " (-" + prefix + "ksp_rtol, if given, wins)");
  max_iterations = options.integer(prefix + "max_iterations", max_iterations, 1, 10000000,
                                   "iterations after which " + what + " counts as failed (-" +
                                       prefix + "ksp_max_it, if given, wins)");
}

void KrylovTolerances::apply(KSP ksp) const {
  TESSERA_PETSC_CALL(KSPSetTolerances(ksp, rtol, PETSC_DEFAULT, PETSC_DEFAULT, max_iterations));
}

std::string petsc_option_value(const std::string& name, const std::string& fallback) {
  char buffer[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(
      PetscOptionsGetString(nullptr, nullptr, ("-" + name).c_str(), buffer, sizeof buffer, &set));
  return set ? std::string(buffer) : fallback;
}

namespace {

void mark_converged_reason_used(KSP ksp) {
  const char* prefix = nullptr;
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(KSPGetOptionsPrefix(ksp, &prefix));
  TESSERA_PETSC_CALL(PetscOptionsHasName(nullptr, prefix, "-ksp_converged_reason", &set));
}

}  // namespace

void mark_solve_time_options_used(KSP ksp) {
  mark_converged_reason_used(ksp);
  PC pc;
  PetscBool is_mg = PETSC_FALSE;
  TESSERA_PETSC_CALL(KSPGetPC(ksp, &pc));
  TESSERA_PETSC_CALL(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCMG, &is_mg));
  if (!is_mg) return;
  PetscInt levels = 0;
  TESSERA_PETSC_CALL(PCMGGetLevels(pc, &levels));
  for (PetscInt l = 0; l < levels; ++l) {
    KSP smoother;
    TESSERA_PETSC_CALL(PCMGGetSmoother(pc, l, &smoother));
    mark_converged_reason_used(smoother);
  }
}

KrylovResult krylov_result(KSP ksp) {
  KrylovResult r;
  KSPConvergedReason reason;
  PetscInt its = 0;
  PetscReal norm = 0;
  const char* prefix = nullptr;
  TESSERA_PETSC_CALL(KSPGetConvergedReason(ksp, &reason));
  TESSERA_PETSC_CALL(KSPGetIterationNumber(ksp, &its));
  TESSERA_PETSC_CALL(KSPGetResidualNorm(ksp, &norm));
  TESSERA_PETSC_CALL(KSPGetOptionsPrefix(ksp, &prefix));
  r.converged = reason > 0;
  r.iterations = static_cast<int>(its);
  r.residual_norm = static_cast<double>(norm);
  r.reason = KSPConvergedReasons[reason];
  r.not_finite = reason == KSP_DIVERGED_NANORINF;
  r.monitor_option = std::string("-") + (prefix ? prefix : "") + "ksp_monitor";
  return r;
}

void throw_unconverged(const KrylovResult& result, const std::string& what) {
  std::ostringstream message;
  message << what << " did not converge: " << result.reason << " after " << result.iterations
          << " iterations, residual norm " << result.residual_norm << " (watch it with "
          << result.monitor_option << ")";
  if (result.not_finite) throw DivergenceError(message.str(), __FILE__, __LINE__);
  throw Error(message.str(), __FILE__, __LINE__);
}

}  // namespace tessera::solvers
