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

  /// Declares and reads -output_directory, -output_name (default default_name),
  /// -output_overwrite and -checkpoint_keep; problems are reported to options. Not collective.
  static OutputConfig from_options(Options& options, const std::string& default_name);

  /// <directory>/<name>_checkpoint.h5, where a run keeps its newest checkpoint (the older kept
  /// ones beside it: io::kept_checkpoint_path).
  std::string checkpoint_path() const { return directory + "/" + name + "_checkpoint.h5"; }
};

}  // namespace tessera::run
