#include "run/output_config.hpp"

#include "core/log.hpp"
#include "core/options.hpp"
#include "io/output_directory.hpp"
#include "run/plots.hpp"

namespace tessera::run {

OutputConfig OutputConfig::from_options(Options& options, const std::string& default_name) {
  OutputConfig c;
  c.directory = options.text("output_directory", c.directory, "directory for result files");
  c.name = options.text("output_name", default_name, "file stem: <directory>/<name>.h5 and .xmf");
  c.overwrite =
      options.flag("output_overwrite", c.overwrite, "replace an existing result of the same name");
  c.checkpoints_kept = options.integer(
      "checkpoint_keep", c.checkpoints_kept, 1, 100,
      "checkpoints kept: the newest <name>_checkpoint.h5 and the older <name>_checkpoint.<age>.h5");
  c.plot = options.flag("plot", c.plot,
                        "after the run, draw its result files as PNGs next to them (tessera-plot: "
                        "Python 3 with matplotlib and h5py)");
  // Checked here, before the run, so that a long run does not learn at its end that it cannot
  // plot; a missing Python is no reason to refuse the run.
  if (c.plot && !options.help_requested() && is_root()) {
    const std::string problem = plot_problem();
    if (!problem.empty()) {
      TESSERA_LOG("warning: -plot true, but " << problem << "; the run goes on without plots");
      c.plot = false;
    }
  }
  if (c.name.find('/') != std::string::npos)
    options.report("-output_name = '" + c.name + "' must be a file stem without '/'");
  else if (const std::string problem = io::output_name_problem(c.directory, c.name);
           !problem.empty())
    options.report(problem);
  return c;
}

}  // namespace tessera::run
