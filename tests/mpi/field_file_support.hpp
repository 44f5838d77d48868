#pragma once
// What the field-file tests share: analytic fields whose every value says where it belongs, the
// reference data set that field_file_write_reference writes on 4 ranks and
// field_file_read_reference reads on 1 and 2, and per-test scratch folders in the build tree.
#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "io/restart.hpp"

namespace tessera::testing {

/// Distinct and exact in double for every global index, so a value in the wrong place, field or
/// orientation cannot go unnoticed.
inline double analytic_u(int i, int j, int k) { return 1000.0 * i + j + 0.5 * k; }
inline double analytic_v(int i, int j, int k) { return -2.0 * analytic_u(i, j, k) + 0.25; }

using PointFunction = std::function<double(int, int, int)>;

/// This rank's block of f, x fastest, as FieldFile::write_field takes it.
inline std::vector<double> analytic_block(const Decomposition& decomp, const PointFunction& f) {
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  std::vector<double> block;
  block.reserve(static_cast<std::size_t>(decomp.local_size()));
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i)
        block.push_back(f(start[0] + i, start[1] + j, start[2] + k));
  return block;
}

/// Values of block that differ from f, summed over decomp's ranks, and a description of the
/// first one on the lowest rank that has one (on every rank, so that rank 0 can report it).
struct Mismatches {
  long count = 0;
  std::string first;
};

inline Mismatches mismatches_over_ranks(const Decomposition& decomp,
                                        const std::vector<double>& block, const PointFunction& f) {
  const std::vector<double> expected = analytic_block(decomp, f);
  long local = 0;
  std::string first;
  if (block.size() != expected.size()) {
    local = 1;
    first = "rank " + std::to_string(decomp.rank()) + ": block of " + std::to_string(block.size()) +
            " values, expected " + std::to_string(expected.size());
  } else {
    for (std::size_t n = 0; n < block.size(); ++n) {
      if (block[n] == expected[n]) continue;
      if (local++ == 0) {
        std::ostringstream text;
        text << "rank " << decomp.rank() << " local index " << n << ": " << block[n]
             << " != " << expected[n];
        first = text.str();
      }
    }
  }
  Mismatches result;
  MPI_Allreduce(&local, &result.count, 1, MPI_LONG, MPI_SUM, decomp.comm());
  int reporter = local > 0 ? decomp.rank() : decomp.size();
  MPI_Allreduce(MPI_IN_PLACE, &reporter, 1, MPI_INT, MPI_MIN, decomp.comm());
  if (reporter < decomp.size()) {
    int length = static_cast<int>(first.size());
    MPI_Bcast(&length, 1, MPI_INT, reporter, decomp.comm());
    first.resize(length);
    MPI_Bcast(first.data(), length, MPI_CHAR, reporter, decomp.comm());
  }
  result.first = first;
  return result;
}

inline bool all_ranks(MPI_Comm comm, bool value) {
  int local = value ? 1 : 0, all = 0;
  MPI_Allreduce(&local, &all, 1, MPI_INT, MPI_MIN, comm);
  return all == 1;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// This process's rank in comm.
inline int rank_of(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

/// The name of the GoogleTest test running, for its scratch folder.
inline std::string test_name() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

/// Collective over comm. A run whose checkpoint is path, started afresh or from the file other,
/// must be refused (InputError) naming the checkpoint `existing` and `-<option> latest`. Returns
/// the refusals' messages for further checks.
inline std::vector<std::string> expect_fresh_run_refused(MPI_Comm comm, const std::string& option,
                                                         const std::string& path,
                                                         const std::string& existing,
                                                         const std::string& other) {
  std::vector<std::string> messages;
  for (const std::string& value : {std::string(), other}) {
    try {
      io::resolve_restart(comm, option, value, path, false);
      ADD_FAILURE() << "a run with restart '" << value << "' would replace " << existing;
    } catch (const InputError& e) {
      EXPECT_NE(e.message().find("the checkpoint '" + existing + "' exists"), std::string::npos)
          << e.message();
      EXPECT_NE(e.message().find("-" + option + " latest"), std::string::npos) << e.message();
      messages.push_back(e.message());
    }
  }
  return messages;
}

/// An empty folder for one test, separate per rank count so that the np1, np2 and np4 runs of a
/// test may run at the same time. Collective over comm.
inline std::string fresh_directory(MPI_Comm comm, const std::string& name) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const std::string dir = std::string(TESSERA_BINARY_DIR) + "/tests/mpi/field_file_output/np" +
                          std::to_string(size) + "/" + name;
  if (rank == 0) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  MPI_Barrier(comm);
  return dir;
}

// The reference data set: grids whose point counts the 4-rank process grids (2 x 2 in 2D,
// 2 x 2 x 1 in 3D) do not divide evenly.
namespace reference {
inline std::string directory() {
  return std::string(TESSERA_BINARY_DIR) + "/tests/mpi/field_file_reference";
}
constexpr std::array<int, 3> plane_points{13, 11, 1};
constexpr std::array<int, 3> volume_points{7, 5, 3};
constexpr std::array<double, 3> origin{-1.0, 0.5, 2.0};
constexpr std::array<double, 3> spacing{0.125, 0.25, 0.5};
constexpr int writer_ranks = 4;
inline const std::vector<std::string>& history_columns() {
  static const std::vector<std::string> columns{"iteration", "loss", "time"};
  return columns;
}
/// Row r: iteration r, loss 2^-r, time r/4: all exact in double.
inline std::vector<double> history_rows() {
  std::vector<double> rows;
  double loss = 1.0;
  for (int r = 0; r < 6; ++r, loss *= 0.5) rows.insert(rows.end(), {double(r), loss, 0.25 * r});
  return rows;
}
/// Longer than HDF5's 64 KiB object-header limit, to prove a whole options database fits.
inline std::string long_options_text() {
  std::string text;
  for (int n = 0; text.size() < 100000; ++n) text += "-option_" + std::to_string(n) + " value\n";
  return text;
}
}  // namespace reference

}  // namespace tessera::testing
