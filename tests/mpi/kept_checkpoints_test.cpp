// Issue 13: a run keeps its last K checkpoints (io/restart.hpp). FieldFile::commit_checkpoint
// moves the earlier ones to older names and removes those beyond K; `latest` takes the newest
// complete one, skipping truncated or foreign files, and refuses when none is complete; a run
// that does not continue from the kept checkpoints is refused, whichever of them exist.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "field_file_support.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/restart.hpp"

namespace {

namespace fs = std::filesystem;
using tessera::io::checkpoint_problem;
using tessera::io::kept_checkpoint_path;
using tessera::io::kept_checkpoints;
using tessera::io::resolve_restart;
using tessera::testing::fresh_directory;
using tessera::testing::rank_of;
using tessera::testing::test_name;
const MPI_Comm world = MPI_COMM_WORLD;

// Collective: a checkpoint of one attribute, committed keeping `kept`.
void write_checkpoint(const std::string& path, int iteration, int kept) {
  tessera::io::FieldFile file(world, path);
  file.set_attribute("iteration", iteration);
  file.commit_checkpoint(kept);
}

// Collective: the iteration of each kept checkpoint, newest first.
std::vector<long long> kept_iterations(const std::string& path) {
  std::vector<long long> iterations;
  for (const auto& kept : kept_checkpoints(path))
    iterations.push_back(
        tessera::io::FieldFileReader(world, kept, "checkpoint").integer_attribute("iteration"));
  return iterations;
}

// Rank 0 alone, then every rank waits (also when the task fails, so no rank hangs).
template <class Task>
void on_rank_zero(Task task) {
  if (rank_of(world) == 0) {
    try {
      task();
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  MPI_Barrier(world);
}

TEST(KeptCheckpoints, OlderOnesCarryTheirAgeBeforeTheExtension) {
  EXPECT_EQ(kept_checkpoint_path("out/run_checkpoint.h5", 0), "out/run_checkpoint.h5");
  EXPECT_EQ(kept_checkpoint_path("out/run_checkpoint.h5", 1), "out/run_checkpoint.1.h5");
  EXPECT_EQ(kept_checkpoint_path("out/run_checkpoint.h5", 12), "out/run_checkpoint.12.h5");
}

TEST(KeptCheckpoints, TheLastKAreKeptNewestFirst) {
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  for (int iteration = 10; iteration <= 50; iteration += 10) write_checkpoint(path, iteration, 3);
  EXPECT_EQ(kept_checkpoints(path), (std::vector<std::string>{path, dir + "/run_checkpoint.1.h5",
                                                              dir + "/run_checkpoint.2.h5"}));
  EXPECT_EQ(kept_iterations(path), (std::vector<long long>{50, 40, 30}));
  // Names that only look alike are no kept checkpoints, and are left alone.
  on_rank_zero([&] {
    for (const char* other : {"/run_checkpoint.01.h5", "/run_checkpoint.x.h5", "/run_checkpoint.2"})
      std::ofstream(dir + other) << "another file";
  });
  EXPECT_EQ(kept_checkpoints(path).size(), 3u);
  // Keeping fewer removes the older ones beyond; nothing of the commits' own is left behind.
  write_checkpoint(path, 60, 2);
  EXPECT_EQ(kept_iterations(path), (std::vector<long long>{60, 50}));
  write_checkpoint(path, 70, 1);
  EXPECT_EQ(kept_iterations(path), (std::vector<long long>{70}));
  if (rank_of(world) == 0) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"run_checkpoint.01.h5", "run_checkpoint.2",
                                               "run_checkpoint.h5", "run_checkpoint.x.h5"}));
  }
}

TEST(KeptCheckpoints, AnIncompleteFileIsNamedWithTheReason) {
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  write_checkpoint(path, 10, 1);
  if (rank_of(world) != 0) return;  // checkpoint_problem is not collective
  EXPECT_EQ(checkpoint_problem(path), "");
  EXPECT_EQ(checkpoint_problem(dir + "/none.h5"), "it is not a file");
  std::ofstream(dir + "/text.h5") << "not HDF5";
  EXPECT_EQ(checkpoint_problem(dir + "/text.h5"), "it is not an HDF5 file");
  fs::copy_file(path, dir + "/truncated.h5");
  fs::resize_file(dir + "/truncated.h5", 100);
  const std::string truncated = checkpoint_problem(dir + "/truncated.h5");
  EXPECT_NE(truncated.find("HDF5 cannot open it"), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;
  // An HDF5 file that no commit finished (or another program wrote).
  const hid_t file = H5Fcreate((dir + "/bare.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Fclose(file);
  EXPECT_EQ(checkpoint_problem(dir + "/bare.h5"),
            "it lacks the attribute tessera_version that every complete file has");
}

TEST(KeptCheckpoints, LatestSkipsIncompleteOnesAndRefusesWhenNoneIsComplete) {
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  for (int iteration = 10; iteration <= 30; iteration += 10) write_checkpoint(path, iteration, 3);
  const std::string older = kept_checkpoint_path(path, 1), oldest = kept_checkpoint_path(path, 2);
  EXPECT_EQ(resolve_restart(world, "dd_restart", "latest", path, false), path);
  on_rank_zero([&] { fs::resize_file(path, 100); });
  EXPECT_EQ(resolve_restart(world, "dd_restart", "latest", path, false), older);
  on_rank_zero([&] { std::ofstream(older) << "overwritten"; });
  EXPECT_EQ(resolve_restart(world, "les_restart", "latest", path, false), oldest);
  on_rank_zero([&] { fs::resize_file(oldest, fs::file_size(oldest) / 2); });
  for (const bool overwrite : {false, true}) {
    try {
      resolve_restart(world, "les_restart", "latest", path, overwrite);
      ADD_FAILURE() << "latest accepted with every kept checkpoint incomplete";
    } catch (const tessera::InputError& e) {
      EXPECT_NE(e.message().find("-les_restart latest: no checkpoint kept at '" + path +
                                 "' is complete: '" + path + "' (HDF5 cannot open it"),
                std::string::npos)
          << e.message();
      EXPECT_NE(e.message().find("'" + older + "' (it is not an HDF5 file)"), std::string::npos)
          << e.message();
      EXPECT_NE(e.message().find("'" + oldest + "' (HDF5 cannot open it"), std::string::npos)
          << e.message();
    }
  }
}

TEST(KeptCheckpoints, AFreshRunReplacesNoneOfThem) {
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  for (int iteration = 10; iteration <= 20; iteration += 10) write_checkpoint(path, iteration, 2);
  const std::string older = kept_checkpoint_path(path, 1);
  try {
    resolve_restart(world, "dd_restart", "", path, false);
    ADD_FAILURE() << "a fresh run would replace " << path;
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("the checkpoint '" + path +
                               "' exists and this run would start afresh and replace it (and "
                               "the older ones kept beside it, '" +
                               older + "'); continue from it with -dd_restart latest"),
              std::string::npos)
        << e.message();
  }
  // Continuing from an older one is continuing the run that wrote them.
  EXPECT_EQ(resolve_restart(world, "dd_restart", older, path, false), older);
  // Only an older one left (the newest moved away): still protected.
  on_rank_zero([&] { fs::remove(path); });
  tessera::testing::expect_fresh_run_refused(world, "operator_restart", path, older,
                                             "elsewhere_checkpoint.h5");
  EXPECT_EQ(resolve_restart(world, "dd_restart", "latest", path, false), older);
}

}  // namespace
