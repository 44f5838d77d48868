#include "core/profiling.hpp"

#include <petsclog.h>
#include <petscsys.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "core/options.hpp"

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

PetscLogRequests petsc_log_requests() {
  const auto has = [](const char* name) {
    PetscBool set = PETSC_FALSE;
    TESSERA_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, name, &set));
    return set == PETSC_TRUE;
  };
  PetscLogRequests requests;
  requests.view = has("-log_view") || has("-log_view_memory");
  requests.memory = has("-log_view_memory") || has("-memory_view");
  requests.trace = has("-log_trace");
  requests.info = has("-info");
  return requests;
}

namespace {

// A deck's `log_view: true` is a YAML boolean, not a file or viewer: PetscFinalize would fail to
// open a viewer named "true", and -log_trace and -info would write to a file of that name. A
// boolean word (core/options.hpp) true becomes the option without a value, false removes it.
void normalize_flag(const char* option) {
  char value[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(PetscOptionsGetString(nullptr, nullptr, option, value, sizeof value, &set));
  if (!set) return;
  const auto on = boolean_word(value);
  if (on && !*on) TESSERA_PETSC_CALL(PetscOptionsClearValue(nullptr, option));
  if (on && *on) TESSERA_PETSC_CALL(PetscOptionsSetValue(nullptr, option, nullptr));
}

// -log_trace [name]: name.<rank>, as PetscInitialize names it, or standard output.
void begin_trace() {
  char name[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(
      PetscOptionsGetString(nullptr, nullptr, "-log_trace", name, sizeof name, &set));
  FILE* file = PETSC_STDOUT;
  if (name[0] != '\0') {
    int rank = 0;
    TESSERA_MPI_CALL(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
    const std::string path = std::string(name) + "." + std::to_string(rank);
    file = std::fopen(path.c_str(), "w");
    const std::string why = file == nullptr ? std::strerror(errno) : "";
    // Every rank stops if one cannot write its trace (they are on their way to collectives).
    int opened = file != nullptr ? 1 : 0;
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &opened, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
    if (!opened) {
      if (file != nullptr) std::fclose(file);
      throw InputError("-log_trace " + std::string(name) + ": cannot open '" +
                           (why.empty() ? std::string(name) + ".<rank>' on some rank"
                                        : path + "' for writing: " + why),
                       __FILE__, __LINE__);
    }
  }
  TESSERA_PETSC_CALL(PetscLogTraceBegin(file));
}

// -info [file]: PetscInfo messages, to file.<rank> or standard output. Class filters (-info
// file:classes) can no longer be set once PETSc has started (PetscInfoSetFromOptions refuses).
void begin_info() {
  char value[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(PetscOptionsGetString(nullptr, nullptr, "-info", value, sizeof value, &set));
  const std::string spec = value;
  if (spec.find(':') != std::string::npos)
    throw InputError("info: " + spec +
                         ": PETSc takes class filters (after ':') only on the command line or in "
                         "PETSC_OPTIONS; in a deck give a file name only",
                     __FILE__, __LINE__);
  if (!spec.empty()) TESSERA_PETSC_CALL(PetscInfoSetFile(spec.c_str(), "w"));
  TESSERA_PETSC_CALL(PetscInfoAllow(PETSC_TRUE));
}

}  // namespace

void begin_log_from_options(const PetscLogRequests& started) {
  for (const char* option : {"-log_view", "-log_trace", "-info"}) normalize_flag(option);
  const PetscLogRequests now = petsc_log_requests();
  if (now.info && !started.info) begin_info();
  if (now.memory && !started.memory) {
    PetscBool view_memory = PETSC_FALSE;
    TESSERA_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, "-log_view_memory", &view_memory));
    if (view_memory) PetscLogMemory = PETSC_TRUE;
    TESSERA_PETSC_CALL(PetscMemorySetGetMaximumUsage());
  }
  if (now.view && !started.view) {
    PetscBool active = PETSC_FALSE;
    TESSERA_PETSC_CALL(PetscLogIsActive(&active));
    if (!active) TESSERA_PETSC_CALL(PetscLogDefaultBegin());
  }
  if (now.trace && !started.trace) begin_trace();
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
