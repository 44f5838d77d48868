#pragma once
// The LES run (deck `run: les`): one of the flows of run/les_cases.hpp advanced by the
// incompressible solver to -les_end_time, with a diagnostics time series, HDF5 snapshots,
// atomic checkpoints and restarts, and for the Taylor–Green vortex a comparison of the
// dissipation rate with the Re = 1600 spectral DNS reference.
//
// Files, all under -output_directory, each written collectively and renamed into place only
// when complete (io::FieldFile):
//   <name>.h5 (+ .xmf)            the result: final fields, the table "diagnostics", for periodic
//                                  cases the table "spectrum", summary attributes
//   <name>_snapshot_NNNN.h5 (+ .xmf)  fields at t = NNNN * -les_snapshot_every
//   <name>_snapshots.xmf           the snapshots so far as one XDMF temporal collection,
//                                  rewritten at each snapshot (a restart keeps the earlier ones)
//   <name>_checkpoint.h5           the latest checkpoint: velocity, time, steps, diagnostics so
//                                  far; the flow has no random state once started (older ones
//                                  kept beside it as <name>_checkpoint.<age>.h5, io/restart.hpp)
// Event times (snapshots, checkpoints, the end) are multiples of their intervals, and the
// solver shortens a step to land on each, so a run restarted from a checkpoint takes exactly
// the steps the uninterrupted run takes.
#include <mpi.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"
#include "core/timer.hpp"
#include "io/field_reader.hpp"
#include "io/output_lock.hpp"
#include "io/recorded_options.hpp"
#include "run/dissipation_comparison.hpp"
#include "run/les_cases.hpp"
#include "run/output_config.hpp"
#include "solvers/incompressible.hpp"

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

struct LesRunConfig {
  solvers::IncompressibleConfig solver;
  LesFlowConfig flow;
  int diagnostics_every = 10;   // steps
  double snapshot_every = 0;    // time units; 0: none
  double checkpoint_every = 0;  // time units; 0: none
  std::string restart_file;     // "" : start from the case's initial field; or "latest"
  std::string reference_file;   // "" : no comparison (taylor_green only)
  OutputConfig output;
  io::RestartPhysics physics;  // recorded in checkpoints, required of a restart

  /// Declares and reads every option of the run; problems are reported to options. Not
  /// collective (every rank reads the same database).
  static LesRunConfig from_options(Options& options);
};

/// One row of the diagnostics table.
struct LesDiagnostics {
  double time = 0;
  int step = 0;
  double dt = 0;                // the last step's size
  double kinetic_energy = 0;    // (1/V) ∫ |u|²/2
  double dissipation_rate = 0;  // -dE/dt of the semi-discrete equations
  double dissipation_fd = std::numeric_limits<double>::quiet_NaN();  // -ΔE/Δt since last row
  double resolved_dissipation = 0;
  double subgrid_dissipation = 0;
  double subgrid_coefficient = 0;  // C_s² of the model (the dynamic procedure's, box-averaged)
  double enstrophy = 0;            // (1/V) ∫ |ω|²/2
  double max_divergence = 0;
  double cfl = 0;
  double pressure_iterations = 0;  // mean per pressure solve since the last row
  double wall_seconds = 0;         // since the start of the run (checkpointed runs included)

  static const std::vector<std::string>& columns();
  std::vector<double> row() const;
  static LesDiagnostics from_row(const io::Table& table, std::size_t row);
};

struct LesSummary {
  double time = 0;
  int steps = 0;
  double kinetic_energy = 0;
  double wall_seconds = 0;      // checkpointed runs included
  double pressure_seconds = 0;  // in pressure solves, this run only
  long pressure_iterations = 0;
  // Taylor–Green with a reference file: -dE/dt against the reference over [0, end time].
  // -dE/dt differenced from the E_k history (compare_dissipation), and the semi-discrete rate.
  double dissipation_relative_l2 = std::numeric_limits<double>::quiet_NaN();
  double rate_relative_l2 = std::numeric_limits<double>::quiet_NaN();
  double peak_time = 0, peak_dissipation = 0;
  double reference_peak_time = 0, reference_peak_dissipation = 0;
  double reference_window_end = 0;  // the window is [0, this]: the end time within the table
  std::string comparison_problem;   // why the comparison could not be made ("" if it was)
  std::string output_file;
};

class LesRun {
public:
  using Config = LesRunConfig;

  /// Collective over comm. Builds the decomposition and the solver (reading its PETSc options);
  /// touches no file.
  LesRun(MPI_Comm comm, const LesRunConfig& config);

  /// Collective. Resolves -les_restart (io::resolve_restart: `latest`, and the refusal to
  /// replace a checkpoint the run does not continue from), reads the restart file and the
  /// reference table, if any (a missing or mismatched one is an InputError), sets the start state
  /// (the restart's or the case's), refuses a fixed -les_dt beyond the scheme's stability limits
  /// for it (InputError), then prepares the output directory (see PinnRun::prepare_output).
  /// Nothing is written before the checks pass.
  void prepare_output();

  /// Collective. From the start state, runs to the end time with diagnostics, snapshots and
  /// checkpoints, writes the result and prints the summary on rank 0. options_text is stored
  /// with every file. A step whose state is not finite, beyond the convective stability limit or
  /// with the kinetic energy run away throws DivergenceError on every rank, before anything is
  /// written from it. After each step the ranks agree (core/stop_request.hpp) on a wall-clock
  /// checkpoint or a stop: on a stop signal, it writes the checkpoint and throws Stopped.
  LesSummary execute(const std::string& options_text);

  /// Not collective.
  const solvers::IncompressibleSolver& solver() const { return solver_; }
  const std::vector<LesDiagnostics>& diagnostics() const { return history_; }

private:
  struct Restart {
    double time = 0;
    int steps = 0;
    double wall_seconds = 0;
    std::vector<std::vector<double>> velocity;
    std::vector<LesDiagnostics> history;
  };
  void read_restart();
  // Sets the initial field or the restart state in the solver. Collective.
  void set_start_state();
  // InputError if a fixed -les_dt exceeds the stability limits for the start state. Collective.
  void check_fixed_time_step() const;
  // DivergenceError, on every rank, if the step of size dt just taken left the state non-finite,
  // unstable or with runaway energy. Collective.
  void check_stable(double dt) const;
  // Logs the restart, or records the initial diagnostics row. Collective.
  void start();
  // Steps to the end time through the snapshot and checkpoint times, recording diagnostics.
  // Collective.
  void advance_to_end(const std::string& options_text);
  /// Collective. For periodic boxes: the table `spectrum` (k, E(k)) into file, and a log line.
  void write_spectrum(io::FieldFile& file);
  // A diagnostics row for the current state after a step dt, printed on rank 0. Collective.
  LesDiagnostics measure(double dt);
  // Seconds since the run started, those before a restart included. Not collective.
  double wall_seconds() const { return wall_offset_ + clock_.seconds(); }
  /// The end of a diagnostics line: the share of the time range simulated and, at this run's
  /// pace, the wall time left. Not collective.
  std::string progress(double time) const;
  std::vector<std::vector<double>> local_velocity() const;
  void write_fields(io::FieldFile& file);
  void write_state_attributes(io::FieldFile& file, const std::string& options_text);
  // The diagnostics so far as the table "diagnostics". Collective.
  void write_diagnostics(io::FieldFile& file) const;
  // Writes snapshot `index` and rewrites the temporal collection of the snapshots so far.
  // Collective.
  void write_snapshot(int index, const std::string& options_text);
  // <name>_snapshots.xmf, the snapshots as one time series for viewers. Not collective.
  std::string snapshot_collection_path() const;
  // A restarted run: the snapshots before index `next` that earlier runs left, with their
  // times, so that the collection goes on listing them. Collective.
  void find_earlier_snapshots(int next);
  void write_checkpoint(const std::string& options_text);
  void compare_with_reference(LesSummary& summary) const;
  void write_result(const LesSummary& summary, const std::string& options_text);
  std::string file_path(const std::string& suffix) const;

  LesRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  Decomposition decomp_;
  solvers::IncompressibleSolver solver_;
  std::vector<LesDiagnostics> history_;
  double spectrum_logged_at_ = -1;  // time of the last spectrum written to the log
  bool restarted_ = false;
  double start_energy_ = 0;  // E_k of the start state, the scale of check_stable's growth bound
  Restart restart_;
  bool has_reference_ = false;
  DissipationReference reference_;
  Timer clock_;
  double wall_offset_ = 0;
  long iterations_at_last_row_ = 0;
  int steps_at_last_row_ = 0;
  // The snapshots of the series so far: HDF5 file name (in the output directory) and time.
  std::vector<std::pair<std::string, double>> snapshot_times_;
};

}  // namespace tessera::run
