// Reads the reference data set that field_file_write_reference wrote on 4 ranks, on this run's
// rank count (1 or 2): every value of every block, the table, the attributes and the grid.
#include <gtest/gtest.h>

#include "core/decomposition.hpp"
#include "core/version.hpp"
#include "field_file_support.hpp"
#include "io/field_reader.hpp"
#include "io/output_directory.hpp"

namespace {

using tessera::Decomposition;
using namespace tessera::testing;

void expect_reference(const std::string& stem, const Decomposition& decomp) {
  const std::string path = tessera::io::result_path(reference::directory(), stem);
  const tessera::io::FieldFileReader reader(decomp.comm(), path);

  const auto wrong_u = mismatches_over_ranks(decomp, reader.read_field("u", decomp), analytic_u);
  EXPECT_EQ(wrong_u.count, 0) << path << " u: " << wrong_u.first;
  const auto wrong_v = mismatches_over_ranks(decomp, reader.read_field("v", decomp), analytic_v);
  EXPECT_EQ(wrong_v.count, 0) << path << " v: " << wrong_v.first;

  const tessera::io::Table history = reader.read_table("history");
  EXPECT_EQ(history.columns, reference::history_columns());
  EXPECT_EQ(history.values, reference::history_rows());

  EXPECT_EQ(reader.string_attribute("options"), reference::long_options_text());
  EXPECT_EQ(reader.real_attribute("final_loss"), 0.03125);
  EXPECT_EQ(reader.integer_attribute("iterations"), 6);
  EXPECT_EQ(reader.integer_attribute("ranks"), reference::writer_ranks);
  EXPECT_EQ(reader.string_attribute("tessera_version"), tessera::version);

  const tessera::io::UniformGrid grid = reader.grid();
  EXPECT_EQ(grid.dim, decomp.dim());
  EXPECT_EQ(grid.points, decomp.global_points());
  for (int d = 0; d < grid.dim; ++d) {
    EXPECT_EQ(grid.origin[d], reference::origin[d]);
    EXPECT_EQ(grid.spacing[d], reference::spacing[d]);
  }
}

TEST(FieldFileReference, ReadsWhatFourRanksWrote) {
  const Decomposition plane(MPI_COMM_WORLD, 2, reference::plane_points);
  const Decomposition volume(MPI_COMM_WORLD, 3, reference::volume_points);
  ASSERT_LT(plane.size(), reference::writer_ranks) << "this test is for other rank counts";
  expect_reference("plane", plane);
  expect_reference("volume", volume);
}

}  // namespace
