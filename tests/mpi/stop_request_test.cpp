// Issue 13: the stop request every run kind polls (core/stop_request.hpp) and the restart rule
// every restart option follows (io/restart.hpp). A signal seen by one rank stops every rank at the
// same poll; the wall-clock interval, timed on rank 0, makes every rank checkpoint at once;
// `latest` and the refusal to replace a checkpoint. The signal test is the last in this file:
// the flag it sets stays set for the process.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "core/stop_request.hpp"
#include "field_file_support.hpp"
#include "io/field_file.hpp"
#include "io/restart.hpp"

namespace {

using tessera::testing::fresh_directory;
using tessera::testing::rank_of;
using tessera::testing::test_name;
const MPI_Comm world = MPI_COMM_WORLD;

TEST(StopRequest, NothingAskedNothingAgreed) {
  const tessera::SafePoint point = tessera::poll_safe_point(world);
  EXPECT_FALSE(point.stop);
  EXPECT_FALSE(point.checkpoint);
}

TEST(StopRequest, WallClockIntervalOfRankZeroReachesEveryRank) {
  tessera::set_checkpoint_interval(0.05);
  // Only rank 0's clock counts: the others poll at once, rank 0 after the interval.
  if (rank_of(world) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_TRUE(tessera::poll_safe_point(world).checkpoint);
  // The clock restarted at that checkpoint.
  EXPECT_FALSE(tessera::poll_safe_point(world).checkpoint);
  tessera::set_checkpoint_interval(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_FALSE(tessera::poll_safe_point(world).checkpoint);
}

TEST(ResolveRestart, LatestIsTheRunsOwnCheckpointOrAFreshStart) {
  using tessera::io::resolve_restart;
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  EXPECT_EQ(resolve_restart(world, "dd_restart", "", path, false), "");
  EXPECT_EQ(resolve_restart(world, "dd_restart", "latest", path, false), "");
  {
    tessera::io::FieldFile file(world, path);  // `latest` takes only a complete file
    file.commit_checkpoint(1);
  }
  EXPECT_EQ(resolve_restart(world, "dd_restart", "latest", path, false), path);
  EXPECT_EQ(resolve_restart(world, "dd_restart", path, path, false), path);
  EXPECT_EQ(resolve_restart(world, "dd_restart", dir + "/../" + test_name() + "/run_checkpoint.h5",
                            path, false),
            dir + "/../" + test_name() + "/run_checkpoint.h5");
  // With -output_overwrite a fresh run, or one continuing another checkpoint, may replace it.
  EXPECT_EQ(resolve_restart(world, "dd_restart", "", path, true), "");
  EXPECT_EQ(resolve_restart(world, "dd_restart", "other.h5", path, true), "other.h5");
}

TEST(ResolveRestart, ACheckpointTheRunDoesNotContinueIsNotReplaced) {
  using tessera::io::resolve_restart;
  const std::string dir = fresh_directory(world, test_name());
  const std::string path = dir + "/run_checkpoint.h5";
  if (rank_of(world) == 0) std::ofstream(path) << "a checkpoint";
  MPI_Barrier(world);
  const auto messages = tessera::testing::expect_fresh_run_refused(world, "les_restart", path, path,
                                                                   "other_checkpoint.h5");
  EXPECT_EQ(messages.size(), 2u);
  for (const auto& m : messages)
    EXPECT_NE(m.find("-output_overwrite true"), std::string::npos) << m;
}

TEST(StopRequest, ASignalOnOneRankStopsEveryRankAtTheSamePoll) {
  int size = 1;
  MPI_Comm_size(world, &size);
  const bool signalled = rank_of(world) == size - 1;
  if (signalled) std::raise(SIGUSR1);  // the handler only sets the flag: the process goes on
  EXPECT_EQ(tessera::stop_signal(), signalled ? SIGUSR1 : 0);
  EXPECT_TRUE(tessera::poll_safe_point(world).stop);
  const tessera::Stopped saved("Adam iteration 7", tessera::resume_text("c.h5", "dd_restart"));
  EXPECT_TRUE(saved.saved());
  EXPECT_NE(std::string(saved.what())
                .find("at Adam iteration 7; checkpoint c.h5; continue with "
                      "-dd_restart latest"),
            std::string::npos)
      << saved.what();
  if (signalled) {
    EXPECT_NE(std::string(saved.what()).find("SIGUSR1"), std::string::npos);
  }
  EXPECT_FALSE(tessera::Stopped("epoch 2", "").saved());
}

}  // namespace
