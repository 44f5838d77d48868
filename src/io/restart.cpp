#include "io/restart.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <system_error>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/hdf5.hpp"
#include "io/output_directory.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace fs = std::filesystem;

namespace {

const std::string kExtension = ".h5";

bool has_extension(const std::string& path) {
  return path.size() >= kExtension.size() &&
         path.compare(path.size() - kExtension.size(), kExtension.size(), kExtension) == 0;
}

// `<stem>.` of the older checkpoints, and their ending.
std::string older_prefix(const std::string& checkpoint_path) {
  return (has_extension(checkpoint_path)
              ? checkpoint_path.substr(0, checkpoint_path.size() - kExtension.size())
              : checkpoint_path) +
         ".";
}
std::string older_suffix(const std::string& checkpoint_path) {
  return has_extension(checkpoint_path) ? kExtension : "";
}

// The age of a file name among the older checkpoints of checkpoint_path, 0 if it is none of them.
int age_of(const std::string& name, const std::string& checkpoint_path) {
  const std::string prefix = fs::path(older_prefix(checkpoint_path)).filename().string();
  const std::string suffix = older_suffix(checkpoint_path);
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  // Ages are written without leading zeros; nine digits stay far from int's limit.
  if (digits.size() > 9 || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return 0;
  return std::stoi(digits);
}

// The kept checkpoints that exist, by age (0 the newest).
std::map<int, std::string> kept_by_age(const std::string& checkpoint_path) {
  std::map<int, std::string> kept;
  std::error_code code;
  if (fs::is_regular_file(checkpoint_path, code)) kept[0] = checkpoint_path;
  const fs::path parent = fs::path(checkpoint_path).parent_path();
  fs::directory_iterator entry(parent.empty() ? fs::path(".") : parent, code);
  for (; !code && entry != fs::directory_iterator(); entry.increment(code)) {
    const int age = age_of(entry->path().filename().string(), checkpoint_path);
    std::error_code ignored;
    if (age > 0 && entry->is_regular_file(ignored))
      kept[age] = kept_checkpoint_path(checkpoint_path, age);
  }
  return kept;
}

// "'a', 'b' and 'c'"
std::string quoted_list(std::vector<std::string> names) {
  for (auto& name : names) name = "'" + name + "'";
  return word_list(names);
}

}  // namespace

std::string kept_checkpoint_path(const std::string& checkpoint_path, int age) {
  if (age == 0) return checkpoint_path;
  return older_prefix(checkpoint_path) + std::to_string(age) + older_suffix(checkpoint_path);
}

std::vector<std::string> kept_checkpoints(const std::string& checkpoint_path) {
  std::vector<std::string> paths;
  for (const auto& [age, path] : kept_by_age(checkpoint_path)) paths.push_back(path);
  return paths;
}

void commit_kept_checkpoint(const std::string& temporary, const std::string& checkpoint_path,
                            int kept) {
  TESSERA_CHECK(kept >= 1, "commit_kept_checkpoint: keep at least one checkpoint, not " << kept);
  const auto existing = kept_by_age(checkpoint_path);
  // Oldest first, so each rename replaces a file that has already been moved on (or is too old).
  for (auto it = existing.rbegin(); it != existing.rend(); ++it)
    if (it->first > 0 && it->first + 1 < kept)
      fs::rename(it->second, kept_checkpoint_path(checkpoint_path, it->first + 1));
  if (kept > 1 && existing.count(0)) {
    // A second name for the newest while it keeps its own: a run killed here still finds it
    // under checkpoint_path (a linked name goes into place by a rename, replacing any there).
    const std::string previous = kept_checkpoint_path(checkpoint_path, 1);
    const std::string link = unique_temporary_path(previous);
    std::error_code no_link;
    fs::create_hard_link(checkpoint_path, link, no_link);
    fs::rename(no_link ? checkpoint_path : link, previous);
  }
  fs::rename(temporary, checkpoint_path);
  for (const auto& [age, path] : existing)
    if (age >= kept) fs::remove(path);
}

std::string checkpoint_problem(const std::string& path) {
  std::error_code code;
  if (!fs::is_regular_file(path, code)) return "it is not a file";
  if (!is_hdf5_file(path)) return "it is not an HDF5 file";
  silence_hdf5_error_printing();
  // Opened alone and read-only; closing the file closes everything opened in it.
  const H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (access.get() < 0 || H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG) < 0)
    return "HDF5 cannot set up a file access: " + error_stack_text();
  const H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose);
  if (file.get() < 0) return "HDF5 cannot open it: " + error_stack_text();
  if (H5Aexists(file.get(), "tessera_version") <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "it lacks the attribute tessera_version that every complete file has";
  }
  H5G_info_t root{};
  if (H5Gget_info(file.get(), &root) < 0) return "HDF5 cannot list it: " + error_stack_text();
  for (hsize_t i = 0; i < root.nlinks; ++i) {
    const H5Handle object(
        H5Oopen_by_idx(file.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT), H5Oclose);
    if (object.get() < 0)
      return "HDF5 cannot open its object " + std::to_string(i) + ": " + error_stack_text();
    if (H5Iget_type(object.get()) != H5I_DATASET) continue;
    const H5Handle space(H5Dget_space(object.get()), H5Sclose);
    if (space.get() < 0 || H5Sget_simple_extent_npoints(space.get()) < 0)
      return "HDF5 cannot read the shape of its dataset " + std::to_string(i) + ": " +
             error_stack_text();
  }
  return "";
}

std::string resolve_restart(MPI_Comm comm, const std::string& option, const std::string& value,
                            const std::string& checkpoint_path, bool overwrite) {
  // Rank 0 looks at the file system and decides: the same answer, or refusal, on every rank.
  // Its answer: {refusal} or {"", source ("" for a fresh start), the skipped ones' notes...}.
  std::vector<std::string> answer;
  const std::string failure = run_on_root(comm, [&]() -> std::string {
    const std::vector<std::string> kept = kept_checkpoints(checkpoint_path);
    std::string source = value;
    std::vector<std::string> notes;
    if (value == kLatestCheckpoint) {
      source.clear();
      for (const auto& candidate : kept) {
        const std::string problem = checkpoint_problem(candidate);
        if (problem.empty()) {
          source = candidate;
          break;
        }
        notes.push_back("'" + candidate + "' (" + problem + ")");
      }
      if (source.empty() && !kept.empty()) {
        std::string text;
        for (const auto& note : notes) text += (text.empty() ? "" : "; ") + note;
        return "-" + option + " " + kLatestCheckpoint + ": no checkpoint kept at '" +
               checkpoint_path + "' is complete: " + text +
               "; continue from another checkpoint with -" + option +
               " <file>, or move these away to start afresh";
      }
    }
    std::error_code code;
    const bool continues =
        !source.empty() && std::any_of(kept.begin(), kept.end(), [&](const std::string& path) {
          return fs::equivalent(source, path, code);
        });
    if (!kept.empty() && !continues && !overwrite)
      return "the checkpoint '" + kept.front() + "' exists and this run would " +
             (source.empty() ? "start afresh and replace it"
                             : "replace it while continuing from '" + source + "'") +
             (kept.size() > 1 ? " (and the older ones kept beside it, " +
                                    quoted_list({kept.begin() + 1, kept.end()}) + ")"
                              : std::string()) +
             "; continue from it with -" + option + " " + kLatestCheckpoint +
             ", or replace it with -output_overwrite true, or choose another output directory";
    answer = {"", source};
    answer.insert(answer.end(), notes.begin(), notes.end());
    return "";
  });
  if (!failure.empty()) throw InputError(failure, __FILE__, __LINE__);
  answer = broadcast_strings(comm, answer);
  const std::string& source = answer[1];
  for (std::size_t i = 2; i < answer.size(); ++i)
    TESSERA_LOG("-" << option << " " << kLatestCheckpoint << ": skipping the checkpoint "
                    << answer[i] << "; trying the next older one");
  if (value == kLatestCheckpoint && source.empty())
    TESSERA_LOG("-" << option << " " << kLatestCheckpoint << ": no checkpoint '" << checkpoint_path
                    << "' yet, starting afresh");
  return source;
}

void require_run_kind(const std::string& path, const std::string& written_by,
                      const std::string& kind) {
  if (written_by == kind) return;
  throw InputError(
      "'" + path + "' is not a checkpoint of run: " + kind +
          (written_by.empty() ? "" : " (it was written by a run of kind '" + written_by + "')"),
      __FILE__, __LINE__);
}

void require_reproduced(const std::string& checkpoint, const std::string& what, double recorded,
                        double here, const std::string& way_out) {
  const double difference = std::abs(here - recorded);
  const double scale = std::max(std::abs(here), std::abs(recorded));
  const double relative = scale > 0 ? difference / scale : 0.0;
  // Written so that a value that is not finite fails it.
  if (difference <= kRestartTolerance * scale) {
    TESSERA_LOG("restart check: " << what << " at the state of '" << checkpoint << "' is "
                                  << std::setprecision(17) << here << ", recorded " << recorded
                                  << std::setprecision(2) << " (relative difference " << relative
                                  << ")");
    return;
  }
  TESSERA_THROW_AS(InputError, "checkpoint '"
                                   << checkpoint << "' records " << what << " "
                                   << std::setprecision(17) << recorded
                                   << " at its state, but this run computes " << here << " there"
                                   << std::setprecision(2) << " (relative difference " << relative
                                   << ", allowed " << kRestartTolerance << "): " << way_out);
}

}  // namespace tessera::io
