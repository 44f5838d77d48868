#pragma once
// Profiling that PETSc and Kokkos users expect: each of Tessera's phases is a PETSc log event
// (TessForward, ... in -log_view) and a Kokkos profiling region of the same meaning
// (tessera::forward, ... for Kokkos Tools such as space-time-stack or the NVTX connector); the
// phases run inside PETSc log stages (TesseraTraining, TesseraRefSolve, TesseraOutput), which are
// Kokkos regions too (tessera::training, ...). One RAII scope does both. Regions cost nothing
// measurable when no tool listens: a Kokkos region is pushed only while a Kokkos tool (a
// KOKKOS_PROFILE_LIBRARY, or callbacks set through Kokkos::Tools::Experimental) is loaded, and a
// PETSc event is a test of a null pointer unless -log_view (or PetscLogDefaultBegin) started the
// log. PETSc stays out of this header so that device code may include it.
#include <Kokkos_Core.hpp>

namespace tessera {

/// Tessera's phases, each a PETSc log event and a Kokkos region. Exchange is data sent between
/// ranks during training: interface and overlap exchanges of the subdomain losses, and gradient
/// allreduces.
enum class Phase { Sampling, Forward, Backward, Exchange, OptimizerStep, LesStep };
/// PETSc log stages, each also a Kokkos region; stages nest.
enum class Stage { Training, ReferenceSolve, Output };

const char* petsc_name(Phase phase);   // TessSampling, TessForward, ...
const char* kokkos_name(Phase phase);  // tessera::sampling, tessera::forward, ...
const char* petsc_name(Stage stage);   // TesseraTraining, TesseraRefSolve, TesseraOutput
const char* kokkos_name(Stage stage);  // tessera::training, tessera::reference_solve, ...

/// Registers Tessera's PETSc log stages and events, once per process (later calls do nothing).
/// Collective over PETSC_COMM_WORLD: every rank registers the same names in the same order, as
/// -log_view's reduction over ranks needs. Environment calls it after PetscInitialize.
void register_profiling();

/// Which of PETSc's logging options the options database holds.
struct PetscLogRequests {
  bool view = false;    // -log_view, -log_view_memory: the default log, printed by PetscFinalize
  bool memory = false;  // -log_view_memory, -memory_view: memory use is tracked
  bool trace = false;   // -log_trace [file]: every event's begin and end as it happens
  bool info = false;    // -info [file][:classes]: PetscInfo messages
};

/// Not collective. The logging options in the options database now.
PetscLogRequests petsc_log_requests();

/// Starts what the logging options that arrived after PetscInitialize (from a deck) ask for,
/// as PetscInitialize does for those on the command line; started: the ones PetscInitialize saw,
/// left alone. In a deck, `log_view`, `log_trace` and `info` set to true (or yes, 1) mean the
/// option with no value, false (no, 0) removes it; `log_trace: name` writes name.<rank> (a file
/// that cannot be opened on some rank is an InputError on every rank), without a name standard
/// output. Collective over PETSC_COMM_WORLD.
void begin_log_from_options(const PetscLogRequests& started);

/// For the scope: pushes a Kokkos region and, for a phase or stage, begins the PETSc event or
/// pushes the PETSc stage. Not collective. Scopes may nest.
class ProfilingRegion {
public:
  /// A Kokkos region only, labelled label (a literal: "tessera::<module>::<what>").
  explicit ProfilingRegion(const char* label) : kokkos_(Kokkos::Profiling::profileLibraryLoaded()) {
    if (kokkos_) Kokkos::Profiling::pushRegion(label);
  }
  explicit ProfilingRegion(Phase phase);
  explicit ProfilingRegion(Stage stage);
  ~ProfilingRegion() {
    if (petsc_ >= 0) end_petsc();
    if (kokkos_) Kokkos::Profiling::popRegion();
  }
  ProfilingRegion(const ProfilingRegion&) = delete;
  ProfilingRegion& operator=(const ProfilingRegion&) = delete;

private:
  void end_petsc();

  bool kokkos_;
  bool stage_ = false;
  int petsc_ = -1;  // the PETSc event or stage; -1: none (not registered)
};

}  // namespace tessera
