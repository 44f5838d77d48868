#pragma once
// Where a run writes its results: the output_* options every run kind shares.
#include <string>

namespace tessera {
class Options;
}

namespace tessera::run {

struct OutputConfig {
  std::string directory = "out";
  std::string name = "result";  // file stem: <directory>/<name>.h5 and .xmf
  bool overwrite = false;
  // Two: a checkpoint found unreadable (a node lost before its data reached the disk, a damaged
  // file) still leaves the one before it for `latest`, at the cost of one more file.
  int checkpoints_kept = 2;
  // Draw the result files as PNGs next to them (run/plots.hpp). Turned off, with a warning, on
  // rank 0 (the rank that draws) at the options pass where tessera-plot cannot run.
  bool plot = false;

  /// Declares and reads -output_directory, -output_name (default default_name),
  /// -output_overwrite, -checkpoint_keep and -plot; problems are reported to options. Not
  /// collective (-plot true starts tessera-plot --check on rank 0).
  static OutputConfig from_options(Options& options, const std::string& default_name);

  /// <directory>/<name>_checkpoint.h5, where a run keeps its newest checkpoint (the older kept
  /// ones beside it: io::kept_checkpoint_path).
  std::string checkpoint_path() const { return directory + "/" + name + "_checkpoint.h5"; }
};

}  // namespace tessera::run
