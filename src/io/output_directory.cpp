#include "io/output_directory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/output_lock.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace fs = std::filesystem;

namespace {

// The names a run makes from its stem, and the limits they must fit. The longest name a run writes
// through MPI-IO is an LES snapshot, "<stem>_snapshot_NNNN.h5";
constexpr std::size_t kLongestRunSuffix = sizeof("_snapshot_0000.h5") - 1;
// it is written as "<name>.<host>.<pid>.tmp" (unique_temporary_path: host at most 32 characters,
// a PID at most 10 digits).
constexpr std::size_t kHostCharacters = 32;
constexpr std::size_t kTemporarySuffix = 1 + kHostCharacters + 1 + 10 + sizeof(".tmp") - 1;
// Open MPI's OMPIO keeps a file of its own for a file it opens, "<name>_cid-<context>-<pid>.sm"
// in its session directory (sharedfp/sm; 15 characters more here, up to 29 elsewhere), whose
// name must fit NAME_MAX too;
constexpr std::size_t kSharedFilePointerSuffix = 30;
// and copies the path it was given with ".locktest.<rank>" into a 256-byte buffer
// (sharedfp/lockedfile), so a longer path aborts the run ("buffer overflow detected", exit status
// 134) when it writes its first file. Ranks up to 10^7.
constexpr std::size_t kMpiIoPathMax = 256 - 1 - (sizeof(".locktest.") - 1) - 7;
constexpr std::size_t kStemReserve =
    kLongestRunSuffix + kTemporarySuffix + kSharedFilePointerSuffix;

std::string create_directory(const std::string& dir) {
  std::error_code code;
  fs::create_directories(dir, code);
  if (code) return "cannot create the output directory '" + dir + "': " + code.message();
  if (!fs::is_directory(dir, code))
    return "the output directory '" + dir + "' exists but is not a directory";
  return "";
}

// An existing directory may still refuse new files (permissions, a read-only or full file
// system): the run would find out only when it writes its result, after all the work.
std::string refuse_unwritable(const std::string& dir) {
  const std::string probe = unique_temporary_path((fs::path(dir) / ".tessera_probe").string());
  std::string problem;
  {
    std::ofstream out(probe, std::ios::trunc);
    if (out) out << "probe\n";
    if (out) out.close();
    if (!out)
      problem = "cannot write in the output directory '" + dir + "' (creating and writing '" +
                probe + "' failed: " + std::system_category().message(errno) +
                "); choose a writable -output_directory";
  }
  std::error_code code;
  if (!fs::remove(probe, code) && problem.empty())
    problem = "cannot remove files in the output directory '" + dir + "' ('" + probe +
              "': " + code.message() + "); choose a writable -output_directory";
  return problem;
}

// This host's name as unique_temporary_path() writes it: up to its first '.', at most
// kHostCharacters, characters other than letters, digits, '-' and '_' replaced by '_'.
std::string temporary_host() {
  char name[256] = {};
  std::string host = gethostname(name, sizeof name - 1) == 0 ? name : "host";
  host = host.substr(0, std::min(host.find('.'), kHostCharacters));
  for (char& c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return host;
}

// Rank 0's part of taking the lock for file_stem in dir: the temporary files of the stem's names
// (`<stem>.<rest>.<host>.<pid>.tmp` and `<stem>_<rest>.<host>.<pid>.tmp`, unique_temporary_path)
// that runs killed outright left. Under the lock no other run writes them, so those of this host
// whose PID no longer runs are removed; those of another host (whose PID this run cannot check)
// are only reported. Returns one line per file; never throws (what cannot be listed or removed
// stays, as before).
std::vector<std::string> remove_stale_temporaries(const std::string& dir,
                                                  const std::string& file_stem) {
  std::vector<std::string> lines;
  const std::string host = temporary_host(), suffix = ".tmp";
  std::error_code code;
  for (fs::directory_iterator it(dir, code), end; !code && it != end; it.increment(code)) {
    const std::string name = it->path().filename().string();
    const std::size_t stem = file_stem.size();
    if (name.size() <= stem + suffix.size() || name.compare(0, stem, file_stem) != 0 ||
        (name[stem] != '.' && name[stem] != '_') ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string base = name.substr(0, name.size() - suffix.size());
    const std::size_t pid_dot = base.rfind('.');
    if (pid_dot == std::string::npos || pid_dot <= stem) continue;
    const std::size_t host_dot = base.rfind('.', pid_dot - 1);
    if (host_dot == std::string::npos || host_dot <= stem) continue;
    const std::string pid_text = base.substr(pid_dot + 1);
    const std::string file_host = base.substr(host_dot + 1, pid_dot - host_dot - 1);
    if (pid_text.empty() || pid_text.size() > 9 || file_host.empty() ||
        !std::all_of(pid_text.begin(), pid_text.end(),
                     [](unsigned char c) { return std::isdigit(c); }))
      continue;
    const std::string path = it->path().string();
    if (file_host != host) {
      lines.push_back("  left '" + path + "', the temporary file of a run on host " + file_host +
                      " (PID " + pid_text + "): remove it if that run no longer runs");
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == getpid() || !process_ended(pid)) continue;
    std::error_code removed;
    if (fs::remove(it->path(), removed))
      lines.push_back("  removed '" + path + "', the temporary file of a run (PID " + pid_text +
                      " on this host) that no longer runs");
  }
  return lines;
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

std::string output_name_problem(const std::string& dir, const std::string& file_stem) {
  const std::size_t longest_stem = NAME_MAX - kStemReserve;
  if (file_stem.size() > longest_stem)
    return "-output_name is " + std::to_string(file_stem.size()) + " characters long; at most " +
           std::to_string(longest_stem) + " fit, since the names made from it (up to " +
           std::to_string(kStemReserve) +
           " characters more: snapshot, temporary and MPI-IO names) must fit the file system's "
           "limit of " +
           std::to_string(NAME_MAX) + " characters per name";
  const std::size_t directory = (dir.empty() ? 1 : dir.size()) + 1;
  const std::size_t longest_path =
      directory + file_stem.size() + kLongestRunSuffix + kTemporarySuffix;
  if (longest_path > kMpiIoPathMax)
    return "-output_directory '" + dir + "' with an -output_name of " +
           std::to_string(file_stem.size()) + " characters makes paths of up to " +
           std::to_string(longest_path) + " characters for the files written through MPI-IO; " +
           "Open MPI aborts on paths of more than " + std::to_string(kMpiIoPathMax) +
           ", so at most " +
           std::to_string(kMpiIoPathMax > directory + kLongestRunSuffix + kTemporarySuffix
                              ? kMpiIoPathMax - directory - kLongestRunSuffix - kTemporarySuffix
                              : 0) +
           " characters of -output_name fit in this directory; choose a shorter -output_directory "
           "(a relative one) or -output_name";
  return "";
}

std::string unique_temporary_path(const std::string& path) {
  return path + "." + temporary_host() + "." + std::to_string(getpid()) + ".tmp";
}

OutputLock prepare_output_directory(MPI_Comm comm, const std::string& dir,
                                    const std::string& file_stem, bool overwrite) {
  if (file_stem.empty() || file_stem.find('/') != std::string::npos)
    throw InputError("the output file stem '" + file_stem + "' must be a non-empty file name",
                     __FILE__, __LINE__);
  const std::string folder = dir.empty() ? "." : dir;
  const std::string name_problem = output_name_problem(folder, file_stem);
  if (!name_problem.empty()) throw InputError(name_problem, __FILE__, __LINE__);
  const std::string problem = run_on_root(comm, [&] {
    const std::string created = create_directory(folder);
    return created.empty() ? refuse_unwritable(folder) : created;
  });
  if (!problem.empty()) throw InputError(problem, __FILE__, __LINE__);
  OutputLock lock(comm, folder, file_stem);
  if (!overwrite) {
    const std::string existing =
        run_on_root(comm, [&] { return refuse_existing(result_path(dir, file_stem)); });
    if (!existing.empty()) throw InputError(existing, __FILE__, __LINE__);
  }
  if (is_root(comm))
    for (const std::string& line : remove_stale_temporaries(folder, file_stem))
      print_root(line, comm);
  return lock;
}

}  // namespace tessera::io
