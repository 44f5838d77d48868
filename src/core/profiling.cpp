#include "core/profiling.hpp"

#include <petsclog.h>
#include <petscsys.h>

#include <string>

#include "core/error.hpp"

namespace tessera {

namespace {

struct Names {
  const char* petsc;
  const char* kokkos;
};

// In the order of the enums.
constexpr Names kPhases[] = {
    {"TessSampling", "tessera::sampling"},      {"TessForward", "tessera::forward"},
    {"TessBackward", "tessera::backward"},      {"TessExchange", "tessera::exchange"},
    {"TessOptStep", "tessera::optimizer_step"}, {"TessLesStep", "tessera::les_step"}};
constexpr Names kStages[] = {{"TesseraTraining", "tessera::training"},
                             {"TesseraRefSolve", "tessera::reference_solve"},
                             {"TesseraOutput", "tessera::output"}};
constexpr int kPhaseCount = sizeof kPhases / sizeof kPhases[0];
constexpr int kStageCount = sizeof kStages / sizeof kStages[0];

// -1 until register_profiling(): scopes then touch only Kokkos.
PetscLogEvent g_events[kPhaseCount] = {-1, -1, -1, -1, -1, -1};
PetscLogStage g_stages[kStageCount] = {-1, -1, -1};
bool g_registered = false;

}  // namespace

const char* petsc_name(Phase phase) { return kPhases[static_cast<int>(phase)].petsc; }
const char* kokkos_name(Phase phase) { return kPhases[static_cast<int>(phase)].kokkos; }
const char* petsc_name(Stage stage) { return kStages[static_cast<int>(stage)].petsc; }
const char* kokkos_name(Stage stage) { return kStages[static_cast<int>(stage)].kokkos; }

void register_profiling() {
  if (g_registered) return;
  PetscClassId tessera_class = 0;
  TESSERA_PETSC_CALL(PetscClassIdRegister("Tessera", &tessera_class));
  for (int s = 0; s < kStageCount; ++s)
    TESSERA_PETSC_CALL(PetscLogStageRegister(kStages[s].petsc, &g_stages[s]));
  for (int e = 0; e < kPhaseCount; ++e)
    TESSERA_PETSC_CALL(PetscLogEventRegister(kPhases[e].petsc, tessera_class, &g_events[e]));
  g_registered = true;
}

void begin_log_from_options() {
  char value[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(
      PetscOptionsGetString(nullptr, nullptr, "-log_view", value, sizeof value, &set));
  if (!set) return;
  // A YAML boolean is not a viewer: PetscFinalize would fail to open a viewer named "true".
  const std::string word = value;
  if (word == "false" || word == "no" || word == "0") {
    TESSERA_PETSC_CALL(PetscOptionsClearValue(nullptr, "-log_view"));
    return;
  }
  if (word == "true" || word == "yes" || word == "1")
    TESSERA_PETSC_CALL(PetscOptionsSetValue(nullptr, "-log_view", nullptr));
  PetscBool active = PETSC_FALSE;
  TESSERA_PETSC_CALL(PetscLogIsActive(&active));
  if (!active) TESSERA_PETSC_CALL(PetscLogDefaultBegin());
}

ProfilingRegion::ProfilingRegion(Phase phase) : kokkos_(Kokkos::Profiling::profileLibraryLoaded()) {
  if (kokkos_) Kokkos::Profiling::pushRegion(kokkos_name(phase));
  petsc_ = g_events[static_cast<int>(phase)];
  // Only a PETSc error in the log's own bookkeeping could fail here; profiling never stops a run.
  if (petsc_ >= 0) (void)PetscLogEventBegin(petsc_, 0, 0, 0, 0);
}

ProfilingRegion::ProfilingRegion(Stage stage)
    : kokkos_(Kokkos::Profiling::profileLibraryLoaded()), stage_(true) {
  if (kokkos_) Kokkos::Profiling::pushRegion(kokkos_name(stage));
  petsc_ = g_stages[static_cast<int>(stage)];
  if (petsc_ >= 0 && PetscLogStagePush(petsc_) != 0) petsc_ = -1;
}

void ProfilingRegion::end_petsc() {
  if (stage_) {
    (void)PetscLogStagePop();
  } else {
    (void)PetscLogEventEnd(petsc_, 0, 0, 0, 0);
  }
}

}  // namespace tessera
