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

  /// Declares and reads -output_directory, -output_name (default default_name) and
  /// -output_overwrite; problems are reported to options. Not collective.
  static OutputConfig from_options(Options& options, const std::string& default_name);

  /// <directory>/<name>_checkpoint.h5, where subdomain-network runs keep their checkpoint.
  std::string checkpoint_path() const { return directory + "/" + name + "_checkpoint.h5"; }
};

}  // namespace tessera::run
