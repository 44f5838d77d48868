#include "io/output_directory.hpp"

#include <filesystem>
#include <system_error>

#include "core/error.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace fs = std::filesystem;

namespace {

std::string create_directory(const std::string& dir) {
  std::error_code code;
  fs::create_directories(dir, code);
  if (code) return "cannot create the output directory '" + dir + "': " + code.message();
  if (!fs::is_directory(dir, code))
    return "the output directory '" + dir + "' exists but is not a directory";
  return "";
}

std::string refuse_existing(const std::string& file) {
  std::error_code code;
  if (!fs::exists(file, code)) return "";
  return "the output file '" + file +
         "' already exists; set 'output_overwrite: true' in the input deck (or "
         "-output_overwrite true on the command line) to replace it, or choose another output "
         "directory";
}

}  // namespace

std::string result_path(const std::string& dir, const std::string& file_stem) {
  return (fs::path(dir.empty() ? "." : dir) / (file_stem + ".h5")).string();
}

void prepare_output_directory(MPI_Comm comm, const std::string& dir, const std::string& file_stem,
                              bool overwrite) {
  if (file_stem.empty() || file_stem.find('/') != std::string::npos)
    throw InputError("the output file stem '" + file_stem + "' must be a non-empty file name",
                     __FILE__, __LINE__);
  const std::string file = result_path(dir, file_stem);
  const std::string problem = run_on_root(comm, [&] {
    const std::string created = create_directory(dir.empty() ? "." : dir);
    if (!created.empty() || overwrite) return created;
    return refuse_existing(file);
  });
  if (!problem.empty()) throw InputError(problem, __FILE__, __LINE__);
}

}  // namespace tessera::io
