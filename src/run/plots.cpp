#include "run/plots.hpp"

#include <unistd.h>

#include <sys/wait.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <system_error>

#include "core/log.hpp"
#include "run/output_config.hpp"

namespace tessera::run {

namespace {

// Single-quoted for /bin/sh, whatever the path holds.
std::string quoted(const std::string& word) {
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Finished {
  int status = -1;  // the command's exit status; -1 if it could not be run or did not exit
  std::string output;
};

// Runs command through /bin/sh with stderr joined to stdout.
Finished run_command(const std::string& command) {
  Finished f;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return f;
  std::array<char, 512> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) f.output += buffer.data();
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) f.status = WEXITSTATUS(status);
  while (!f.output.empty() && f.output.back() == '\n') f.output.pop_back();
  return f;
}

std::filesystem::path executable_directory() {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

std::string plot_program() {
  const std::filesystem::path candidates[] = {
      executable_directory() / "tessera-plot",
      std::filesystem::path(TESSERA_INSTALL_BINDIR) / "tessera-plot"};
  for (const auto& p : candidates)
    if (!p.parent_path().empty() && access(p.c_str(), X_OK) == 0) return p.string();
  return "";
}

std::string plot_problem() {
  const std::string program = plot_program();
  if (program.empty())
    return "tessera-plot is neither next to this executable (" + executable_directory().string() +
           ") nor in " + TESSERA_INSTALL_BINDIR;
  const Finished check = run_command(quoted(program) + " --check");
  if (check.status == 0) return "";
  return program + " cannot draw: " +
         (check.output.empty() ? "exit status " + std::to_string(check.status) : check.output);
}

std::vector<std::string> written_results(const OutputConfig& output,
                                         std::filesystem::file_time_type since) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(output.directory, error)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name == output.name + ".h5" ||
                      (name.rfind(output.name + "_", 0) == 0 && entry.path().extension() == ".h5");
    if (!ours || name.find("_checkpoint") != std::string::npos || !entry.is_regular_file(error))
      continue;
    if (entry.last_write_time(error) >= since && !error) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void plot_results(const std::vector<std::string>& files) {
  if (!is_root()) return;
  if (files.empty()) {
    print_root("warning: -plot true, but the run wrote no result file to draw");
    return;
  }
  const std::string program = plot_program();
  if (program.empty()) {
    print_root("warning: -plot true: " + plot_problem() + "; no plots");
    return;
  }
  std::string command = quoted(program);
  for (const auto& f : files) command += " " + quoted(f);
  const Finished plot = run_command(command);
  if (plot.status == 0) {
    print_root("plots (tessera-plot):\n" + plot.output);
    return;
  }
  print_root("warning: tessera-plot failed (exit status " + std::to_string(plot.status) +
             "); the results stand without plots:\n" + plot.output);
}

}  // namespace tessera::run
