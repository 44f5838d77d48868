#pragma once
// tessera-plot (apps/tessera-plot) on a run's result files: `-plot true` draws them as PNGs next
// to the results once the run has written them. Plots are an extra: where Python, matplotlib or
// h5py is missing the run says so at the options pass and still succeeds.
#include <filesystem>
#include <string>
#include <vector>

namespace tessera::run {

struct OutputConfig;

/// The tessera-plot script next to the running executable, else in the install bin directory;
/// empty when neither holds one. Not collective.
std::string plot_program();

/// Why tessera-plot cannot draw here, "" when it can: runs `tessera-plot --check` (imports
/// matplotlib and h5py). Not collective: run it on one rank, it starts a process.
std::string plot_problem();

/// The result files of output written at or after since: <name>.h5 and <name>_*.h5 in its
/// directory (LES snapshots, the studies' per-case results), checkpoints left out. Not collective.
std::vector<std::string> written_results(const OutputConfig& output,
                                         std::filesystem::file_time_type since);

/// Not collective; does something on rank 0 of MPI_COMM_WORLD only. Runs tessera-plot on files
/// (PNGs next to each) and prints what it wrote; a failure is printed as a warning, never thrown:
/// the run's results stand without their plots.
void plot_results(const std::vector<std::string>& files);

}  // namespace tessera::run
