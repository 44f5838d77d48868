#include "io/output_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

#include "core/error.hpp"
#include "core/timer.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace {

std::string this_host() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("unknown");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value after "<key> " on its own line of a lock file, or "".
std::string field(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

// Why a run cannot take the lock at path, which exists: the run it names, and what to do.
std::string refusal(const std::string& path) {
  const std::string text = read_text(path);
  const std::string host = field(text, "host"), pid_text = field(text, "pid"),
                    started = field(text, "started");
  long pid = 0;
  try {
    pid = std::stol(pid_text);
  } catch (const std::exception&) {
    pid = 0;
  }
  if (host.empty() || pid <= 0)
    return "the output name is locked by '" + path +
           "', which does not say which run holds it; if no other run writes this output, "
           "remove it and rerun";
  const std::string who = "host " + host + ", PID " + pid_text + ", started " + started;
  if (host == this_host() && process_ended(pid))
    return "stale lock file '" + path + "': the run that made it (" + who +
           ") no longer runs; it may have left unfinished files, so check the directory, then "
           "remove '" +
           path + "' and rerun";
  return "the output name is in use by another run (" + who + "; lock file '" + path +
         "'): wait for it to finish, or choose another -output_directory or -output_name" +
         (host == this_host()
              ? std::string()
              : "; if that run no longer runs on " + host + ", remove '" + path + "'");
}

// Creates the lock file at path holding text; "" on success, otherwise why not.
std::string create_lock(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return refusal(path);
    return "cannot create the lock file '" + path + "': " + std::system_category().message(errno);
  }
  const ssize_t written = ::write(fd, text.data(), text.size());
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  if (written == static_cast<ssize_t>(text.size()) && closed) return "";
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  return "cannot write the lock file '" + path +
         "': " + std::system_category().message(written < 0 ? write_error : ENOSPC);
}

}  // namespace

bool process_ended(long pid) {
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  // Field 3 of /proc/<pid>/stat is the state; it follows the command name in parentheses, which
  // may itself hold spaces and parentheses. Without /proc the process counts as running.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t name_end = text.rfind(')');
  return name_end != std::string::npos && name_end + 2 < text.size() && text[name_end + 2] == 'Z';
}

std::string lock_path(const std::string& dir, const std::string& file_stem) {
  return (std::filesystem::path(dir.empty() ? "." : dir) / (file_stem + ".lock")).string();
}

OutputLock::OutputLock(MPI_Comm comm, const std::string& dir, const std::string& file_stem)
    : exceptions_at_creation_(std::uncaught_exceptions()) {
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank_));
  const std::string path = lock_path(dir, file_stem);
  const std::string holder =
      broadcast_string(comm, "host " + this_host() + "\npid " + std::to_string(getpid()) +
                                 "\nstarted " + utc_now() + "\n");
  const std::string problem = run_on_root(comm, [&] { return create_lock(path, holder); });
  if (!problem.empty()) throw InputError(problem, __FILE__, __LINE__);
  path_ = path;
  holder_ = holder;
}

OutputLock::~OutputLock() { release(); }

OutputLock::OutputLock(OutputLock&& other) noexcept { *this = std::move(other); }

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::exchange(other.path_, std::string());
    holder_ = std::exchange(other.holder_, std::string());
    rank_ = other.rank_;
    exceptions_at_creation_ = other.exceptions_at_creation_;
  }
  return *this;
}

void OutputLock::release() noexcept {
  if (path_.empty()) return;
  const bool unwinding = std::uncaught_exceptions() > exceptions_at_creation_;
  try {
    // Compared first, so that a lock another run took after this one's was removed by hand stays.
    if ((rank_ == 0 || unwinding) && read_text(path_) == holder_) {
      std::error_code ignored;
      std::filesystem::remove(path_, ignored);
    }
  } catch (...) {
    // A lock that cannot be removed is reported as stale by the next run.
  }
  path_.clear();
}

}  // namespace tessera::io
