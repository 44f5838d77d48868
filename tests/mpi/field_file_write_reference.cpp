// Fixture for field_file_read_reference: writes the reference data set on 4 ranks (a 2 x 2
// process grid in 2D, 2 x 2 x 1 in 3D), so that reading it on 1 and 2 ranks reads blocks that
// no writer held.
#include <gtest/gtest.h>

#include "core/decomposition.hpp"
#include "field_file_support.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "io/xdmf.hpp"

namespace {

using tessera::Decomposition;
using namespace tessera::testing;

void write_reference(const std::string& stem, const Decomposition& decomp) {
  const std::string dir = reference::directory();
  const auto lock = tessera::io::prepare_output_directory(decomp.comm(), dir, stem, true);
  tessera::io::FieldFile file(decomp.comm(), tessera::io::result_path(dir, stem));
  // CMake turns Open MPI's write data sieving off for this test, so the collective path is the
  // one that the readers check.
  EXPECT_TRUE(file.collective_writes());
  file.set_grid(tessera::io::uniform_grid(decomp, reference::origin, reference::spacing));
  file.write_field("u", decomp, analytic_block(decomp, analytic_u).data());
  file.write_field("v", decomp, analytic_block(decomp, analytic_v).data());
  file.write_table("history", reference::history_columns(),
                   decomp.rank() == 0 ? reference::history_rows() : std::vector<double>{});
  file.set_attribute("options", reference::long_options_text());
  file.set_attribute("final_loss", 0.03125);
  file.set_attribute("iterations", 6);
  const tessera::io::XdmfDescription description = file.xdmf_description();
  file.commit();
  tessera::io::write_xdmf(decomp.comm(), dir + "/" + stem + ".xmf", description);
}

TEST(FieldFileReference, WriteOnFourRanks) {
  const Decomposition plane(MPI_COMM_WORLD, 2, reference::plane_points);
  const Decomposition volume(MPI_COMM_WORLD, 3, reference::volume_points);
  ASSERT_EQ(plane.size(), reference::writer_ranks);
  // Uneven blocks are the point: 13 = 7 + 6, 11 = 6 + 5, 7 = 4 + 3, 5 = 3 + 2.
  ASSERT_EQ(plane.process_grid(), (std::array<int, 3>{2, 2, 1}));
  ASSERT_EQ(volume.process_grid(), (std::array<int, 3>{2, 2, 1}));
  write_reference("plane", plane);
  write_reference("volume", volume);
}

}  // namespace
