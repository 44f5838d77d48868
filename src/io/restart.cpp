#include "io/restart.hpp"

#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace fs = std::filesystem;

std::string resolve_restart(MPI_Comm comm, const std::string& option, const std::string& value,
                            const std::string& checkpoint_path, bool overwrite) {
  // Rank 0 looks at the file system: the answer, or the refusal, is the same on every rank.
  // Its answer: "" (fresh), "=<path>" (continue from path), or the refusal.
  const std::string answer = run_on_root(comm, [&]() -> std::string {
    std::error_code code;
    const bool exists = fs::exists(checkpoint_path, code);
    std::string source = value;
    if (value == kLatestCheckpoint) source = exists ? checkpoint_path : "";
    const bool continues =
        exists && !source.empty() && fs::equivalent(source, checkpoint_path, code);
    if (exists && !continues && !overwrite)
      return "the checkpoint '" + checkpoint_path + "' exists and this run would " +
             (source.empty() ? "start afresh and replace it"
                             : "replace it while continuing from '" + source + "'") +
             "; continue from it with -" + option + " " + kLatestCheckpoint +
             ", or replace it with -output_overwrite true, or choose another "
             "output directory";
    return source.empty() ? "" : "=" + source;
  });
  if (!answer.empty() && answer[0] != '=') throw InputError(answer, __FILE__, __LINE__);
  if (value == kLatestCheckpoint && answer.empty())
    TESSERA_LOG("-" << option << " " << kLatestCheckpoint << ": no checkpoint '" << checkpoint_path
                    << "' yet, starting afresh");
  return answer.empty() ? "" : answer.substr(1);
}

}  // namespace tessera::io
