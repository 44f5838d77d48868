// FieldFile, FieldFileReader, XDMF and the output-directory check, at 1, 2 and 4 ranks: what is
// written is read back exactly, a file appears under its final name only when complete, and
// failures are errors that name their cause.
#include "io/field_file.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/version.hpp"
#include "field_file_support.hpp"
#include "io/field_reader.hpp"
#include "io/hdf5.hpp"
#include "io/output_directory.hpp"
#include "io/output_lock.hpp"
#include "io/root_task.hpp"
#include "io/xdmf.hpp"

namespace {

namespace fs = std::filesystem;
using tessera::Decomposition;
using tessera::io::FieldFile;
using tessera::io::FieldFileReader;
using tessera::testing::all_ranks;
using tessera::testing::analytic_block;
using tessera::testing::analytic_u;
using tessera::testing::analytic_v;
using tessera::testing::fresh_directory;
using tessera::testing::mismatches_over_ranks;
using tessera::testing::read_text;
using tessera::testing::test_name;

const MPI_Comm world = MPI_COMM_WORLD;

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  return rank;
}

int world_size() {
  int size = 1;
  MPI_Comm_size(world, &size);
  return size;
}

// The files in dir whose names end in .tmp: what an interrupted or failed write could leave.
std::vector<std::string> temporary_files(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".tmp") found.push_back(entry.path().filename().string());
  return found;
}

// Writes u and v on decomp into a new file at path and commits it.
void write_analytic_file(const std::string& path, const Decomposition& decomp) {
  FieldFile file(decomp.comm(), path);
  file.write_field("u", decomp, analytic_block(decomp, analytic_u).data());
  file.write_field("v", decomp, analytic_block(decomp, analytic_v).data());
  file.commit();
}

void expect_analytic_fields(const std::string& path, const Decomposition& decomp) {
  const FieldFileReader reader(decomp.comm(), path);
  const std::pair<const char*, tessera::testing::PointFunction> fields[] = {{"u", analytic_u},
                                                                            {"v", analytic_v}};
  for (const auto& [name, f] : fields) {
    const auto wrong = mismatches_over_ranks(decomp, reader.read_field(name, decomp), f);
    EXPECT_EQ(wrong.count, 0) << "field " << name << " of " << path << ": " << wrong.first;
  }
}

TEST(FieldFile, RoundTripOfAnalyticFieldsIn2DAnd3D) {
  const std::string dir = fresh_directory(world, test_name());
  const Decomposition plane(world, 2, {13, 11, 1});
  const Decomposition volume(world, 3, {7, 5, 3});
  write_analytic_file(dir + "/plane.h5", plane);
  write_analytic_file(dir + "/volume.h5", volume);

  expect_analytic_fields(dir + "/plane.h5", plane);
  expect_analytic_fields(dir + "/volume.h5", volume);
  // Slowest dimension first and no unit z dimension in 2D: what h5py and XDMF see.
  EXPECT_EQ(FieldFileReader(world, dir + "/plane.h5").dataset_shape("u"),
            (std::vector<hsize_t>{11, 13}));
  EXPECT_EQ(FieldFileReader(world, dir + "/volume.h5").dataset_shape("v"),
            (std::vector<hsize_t>{3, 5, 7}));
}

TEST(FieldFile, ReadsBackOnAnotherProcessGrid) {
  const std::string dir = fresh_directory(world, test_name());
  const int p = world_size();
  const Decomposition plane_x(world, 2, {13, 11, 1}, {p, 1, 0});
  const Decomposition plane_y(world, 2, {13, 11, 1}, {1, p, 0});
  const Decomposition volume_x(world, 3, {7, 6, 5}, {p, 1, 1});
  const Decomposition volume_z(world, 3, {7, 6, 5}, {1, 1, p});
  write_analytic_file(dir + "/plane.h5", plane_x);
  write_analytic_file(dir + "/volume.h5", volume_x);

  expect_analytic_fields(dir + "/plane.h5", plane_y);
  expect_analytic_fields(dir + "/volume.h5", volume_z);
  EXPECT_EQ(tessera::io::read_field(volume_z, dir + "/volume.h5", "u"),
            analytic_block(volume_z, analytic_u));
}

TEST(FieldFile, TableAndAttributesRoundTrip) {
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  const bool root = world_rank() == 0;
  const std::string options = tessera::testing::reference::long_options_text();
  {
    FieldFile file(world, path);
    // Only rank 0's table counts; the others pass nothing.
    const std::vector<std::string> columns =
        root ? std::vector<std::string>{"iteration", "loss", "time"} : std::vector<std::string>{};
    const std::vector<double> rows =
        root ? std::vector<double>{0, 1.0, 0.5, 1, 0.25, 1.5, 2, 0.125, 2.5}
             : std::vector<double>{};
    // Written again, a table replaces the first one of its name (a resumable run's progress).
    file.write_table("history", columns, root ? std::vector<double>{9, 9, 9} : rows);
    file.write_table("history", columns, rows);
    file.write_table("empty", {"a", "b"}, {});
    file.set_attribute("options", options);
    file.set_attribute("solver", "cg");
    file.set_attribute("tolerance", 0.1);
    file.set_attribute("parameters", 1LL << 40);
    file.set_attribute("converged", true);
    file.set_attribute("replaced", 1.0);
    file.set_attribute("replaced", "second value");
    // A value that differs between ranks: the stored one is rank 0's, whatever the rank count.
    file.set_attribute("rank_dependent", 10 + world_rank());
    file.commit();
  }
  const FieldFileReader reader(world, path);
  const tessera::io::Table history = reader.read_table("history");
  EXPECT_EQ(history.columns, (std::vector<std::string>{"iteration", "loss", "time"}));
  EXPECT_EQ(history.values, (std::vector<double>{0, 1.0, 0.5, 1, 0.25, 1.5, 2, 0.125, 2.5}));
  EXPECT_EQ(history.rows(), 3u);
  EXPECT_EQ(history.at(2, 1), 0.125);
  EXPECT_EQ(reader.dataset_shape("history"), (std::vector<hsize_t>{3, 3}));
  const tessera::io::Table empty = reader.read_table("empty");
  EXPECT_EQ(empty.rows(), 0u);
  EXPECT_EQ(empty.columns, (std::vector<std::string>{"a", "b"}));

  EXPECT_EQ(reader.string_attribute("options"), options);
  EXPECT_EQ(reader.string_attribute("solver"), "cg");
  EXPECT_EQ(reader.real_attribute("tolerance"), 0.1);
  EXPECT_EQ(reader.integer_attribute("parameters"), 1LL << 40);
  EXPECT_EQ(reader.integer_attribute("converged"), 1);
  EXPECT_EQ(reader.string_attribute("replaced"), "second value");
  EXPECT_EQ(reader.integer_attribute("rank_dependent"), 10);
  EXPECT_EQ(reader.string_attribute("tessera_version"), tessera::version);
  EXPECT_EQ(reader.string_attribute("git_revision"), tessera::git_revision);
  // Written at commit, in ISO 8601 UTC: 2026-12-03T05:41:07Z.
  const std::string written = reader.string_attribute("written_utc");
  EXPECT_EQ(written.size(), 20u) << written;
  EXPECT_TRUE(written.size() == 20 && written[4] == '-' && written[10] == 'T' && written[19] == 'Z')
      << written;
  EXPECT_EQ(reader.integer_attribute("ranks"), world_size());
  EXPECT_FALSE(reader.has_attribute("missing"));
  EXPECT_THROW(reader.real_attribute("solver"), tessera::Error);
  EXPECT_THROW(reader.string_attribute("missing"), tessera::Error);
}

TEST(FieldFile, TableThatIsNotWholeRowsIsRejectedOnEveryRank) {
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  FieldFile file(world, path);
  EXPECT_THROW(file.write_table("history", {"a", "b"}, {1.0, 2.0, 3.0}), tessera::Error);
  EXPECT_THROW(file.write_table("history", {}, {}), tessera::Error);
}

TEST(FieldFile, UncommittedFileLeavesNothingBehind) {
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  const Decomposition decomp(world, 2, {13, 11, 1});
  {
    FieldFile file(world, path);
    file.write_field("u", decomp, analytic_block(decomp, analytic_u).data());
    EXPECT_TRUE(all_ranks(world, fs::exists(file.temporary_path())));
    // Rank 0's unique name on every rank, not a name another run writing path would share.
    EXPECT_EQ(file.temporary_path(),
              tessera::io::broadcast_string(world, tessera::io::unique_temporary_path(path)));
    EXPECT_NE(file.temporary_path(), tessera::io::resumable_path(path));
    EXPECT_FALSE(fs::exists(path));
  }
  EXPECT_TRUE(all_ranks(world, !fs::exists(path)));
  EXPECT_TRUE(all_ranks(world, temporary_files(fs::path(path).parent_path()).empty()));
}

TEST(FieldFile, ExceptionDuringWritingLeavesNoFileUnderEitherName) {
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  const Decomposition decomp(world, 2, {13, 11, 1});
  try {
    FieldFile file(world, path);
    file.write_field("u", decomp, analytic_block(decomp, analytic_u).data());
    throw std::runtime_error("training diverged");
  } catch (const std::runtime_error&) {
  }
  MPI_Barrier(world);
  EXPECT_TRUE(all_ranks(world, !fs::exists(path)));
  EXPECT_TRUE(all_ranks(world, temporary_files(fs::path(path).parent_path()).empty()));
}

TEST(FieldFile, CommitReplacesAnExistingFileOnlyWhenComplete) {
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  if (world_rank() == 0) std::ofstream(path) << "previous result";
  MPI_Barrier(world);
  const Decomposition decomp(world, 3, {7, 5, 3});
  {
    FieldFile file(world, path);
    file.write_field("u", decomp, analytic_block(decomp, analytic_u).data());
    EXPECT_EQ(read_text(path), "previous result");
    file.commit();
    EXPECT_TRUE(temporary_files(fs::path(path).parent_path()).empty());
  }
  const auto wrong =
      mismatches_over_ranks(decomp, tessera::io::read_field(decomp, path, "u"), analytic_u);
  EXPECT_EQ(wrong.count, 0) << wrong.first;
}

TEST(FieldFile, CheckedHDF5CallThrowsNamingTheCallAndPassesResultsOn) {
  tessera::io::silence_hdf5_error_printing();
  try {
    TESSERA_H5_CALL(H5Dopen2(H5I_INVALID_HID, "u", H5P_DEFAULT));
    ADD_FAILURE() << "a failed HDF5 call went unnoticed";
  } catch (const tessera::Error& e) {
    EXPECT_NE(e.message().find("HDF5 call failed: H5Dopen2(H5I_INVALID_HID, \"u\", H5P_DEFAULT)"),
              std::string::npos)
        << e.message();
    EXPECT_NE(e.where().find("field_file_test.cpp"), std::string::npos) << e.where();
  }
  const hid_t space = TESSERA_H5_CALL(H5Screate(H5S_SCALAR));
  EXPECT_GE(space, 0);
  EXPECT_EQ(TESSERA_H5_CALL(H5Sclose(space)), 0);
}

TEST(FieldFile, CollectiveWritesOnlyWhereTheMPILibraryKeepsTheData) {
  using tessera::io::collective_writes_are_safe;
  const std::string open_mpi = "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4";
  EXPECT_TRUE(collective_writes_are_safe("MPICH Version: 4.0.2", nullptr, nullptr));
  EXPECT_FALSE(collective_writes_are_safe(open_mpi, nullptr, nullptr));
  EXPECT_FALSE(collective_writes_are_safe(open_mpi, "1", "ompio"));
  EXPECT_TRUE(collective_writes_are_safe(open_mpi, "0", nullptr));
  EXPECT_TRUE(collective_writes_are_safe(open_mpi, "False", nullptr));
  EXPECT_TRUE(collective_writes_are_safe(open_mpi, nullptr, "romio321"));
  EXPECT_TRUE(collective_writes_are_safe(open_mpi, nullptr, "^ompio"));
  // Whatever the mode, every rank of a file uses the same one.
  const FieldFile file(world, fresh_directory(world, test_name()) + "/run.h5");
  EXPECT_TRUE(all_ranks(world, file.collective_writes()) ||
              all_ranks(world, !file.collective_writes()));
}

TEST(FieldFile, FailuresAreErrorsNamingTheFile) {
  const std::string dir = fresh_directory(world, test_name());
  try {
    FieldFile file(world, dir + "/missing/run.h5");
    ADD_FAILURE() << "created a file in a folder that does not exist";
  } catch (const tessera::Error& e) {
    EXPECT_NE(e.message().find("cannot create '" + dir + "/missing/run.h5."), std::string::npos)
        << e.message();
    EXPECT_NE(e.message().find("H5Fcreate"), std::string::npos) << e.message();
  }

  const Decomposition decomp(world, 2, {13, 11, 1});
  const std::vector<double> block = analytic_block(decomp, analytic_u);
  FieldFile file(world, dir + "/run.h5");
  file.write_field("u", decomp, block.data());
  try {
    file.write_field("u", decomp, block.data());
    ADD_FAILURE() << "wrote field u twice";
  } catch (const tessera::Error& e) {
    EXPECT_NE(e.message().find("run.h5' already has a dataset 'u'"), std::string::npos)
        << e.message();
  }
  EXPECT_THROW(file.write_field("a/b", decomp, block.data()), tessera::Error);
  // A failed call leaves the file usable.
  file.commit();
  EXPECT_THROW(file.set_attribute("late", 1.0), tessera::Error);
  const auto wrong = mismatches_over_ranks(
      decomp, tessera::io::read_field(decomp, dir + "/run.h5", "u"), analytic_u);
  EXPECT_EQ(wrong.count, 0) << wrong.first;
}

TEST(FieldFile, ReadingWhatIsNotThereIsAnInputError) {
  const std::string dir = fresh_directory(world, test_name());
  const Decomposition plane(world, 2, {13, 11, 1});
  write_analytic_file(dir + "/plane.h5", plane);

  try {
    FieldFileReader reader(world, dir + "/absent.h5");
    ADD_FAILURE() << "opened a file that does not exist";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find(dir + "/absent.h5"), std::string::npos) << e.message();
  }
  const FieldFileReader reader(world, dir + "/plane.h5");
  EXPECT_THROW(reader.read_field("w", plane), tessera::InputError);
  const Decomposition other(world, 2, {11, 13, 1});
  try {
    reader.read_field("u", other);
    ADD_FAILURE() << "read a field into a decomposition of another shape";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("[11][13] but the decomposition expects [13][11]"),
              std::string::npos)
        << e.message();
  }
  EXPECT_THROW(reader.grid(), tessera::Error);
}

TEST(Xdmf, Describes3DGridFieldsAndFile) {
  const std::string dir = fresh_directory(world, test_name());
  const Decomposition volume(world, 3, {7, 5, 3});
  const Decomposition coarse(world, 3, {4, 4, 4});
  FieldFile file(world, dir + "/volume.h5");
  file.set_grid(tessera::io::uniform_grid(volume, {2.0, -1.0, 0.5}, {0.125, 0.25, 0.5}), "m");
  file.write_field("u", volume, analytic_block(volume, analytic_u).data(), "m/s");
  file.write_field("coarse", coarse, analytic_block(coarse, analytic_u).data());
  file.write_field("v", volume, analytic_block(volume, analytic_v).data());
  const auto u = analytic_block(volume, analytic_u), v = analytic_block(volume, analytic_v);
  file.write_vector_field("uv", volume, {u.data(), v.data()}, "m/s");
  file.set_dataset_attribute("v", "v_meaning", "a test field");
  file.set_time(0.75);
  file.write_table("history", {"a"}, {1.0});
  const tessera::io::XdmfDescription description = file.xdmf_description();
  file.commit();
  EXPECT_EQ(description.h5_file, "volume.h5");
  EXPECT_EQ(description.fields, (std::vector<std::string>{"u", "v"}));
  EXPECT_EQ(description.vectors, (std::vector<std::string>{"uv"}));
  EXPECT_EQ(description.time, 0.75);
  tessera::io::write_xdmf(world, dir + "/volume.xmf", description);

  EXPECT_TRUE(temporary_files(dir).empty());
  const std::string xml = read_text(dir + "/volume.xmf");
  for (const char* expected :
       {"<Xdmf Version=\"2.0\">", "<Time Value=\"0.75\"/>",
        "TopologyType=\"3DCoRectMesh\" Dimensions=\"3 5 7\"", "GeometryType=\"ORIGIN_DXDYDZ\"",
        "Format=\"XML\">0.5 -1 2</DataItem>", "Format=\"XML\">0.5 0.25 0.125</DataItem>",
        "<Attribute Name=\"u\"", "<Attribute Name=\"v\"", "Center=\"Node\"",
        "<DataItem Dimensions=\"3 5 7\" NumberType=\"Float\" Precision=\"8\" "
        "Format=\"HDF\">volume.h5:/u</DataItem>",
        "Format=\"HDF\">volume.h5:/v</DataItem>",
        "<Attribute Name=\"uv\" AttributeType=\"Vector\" Center=\"Node\">",
        "<DataItem Dimensions=\"3 5 7 3\" NumberType=\"Float\" Precision=\"8\" "
        "Format=\"HDF\">volume.h5:/uv</DataItem>",
        "</Xdmf>"})
    EXPECT_NE(xml.find(expected), std::string::npos) << expected << " not in\n" << xml;
  EXPECT_EQ(xml.find("coarse"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("history"), std::string::npos) << xml;

  // The grid attributes in the HDF5 file agree with the XDMF description.
  const tessera::io::UniformGrid grid = FieldFileReader(world, dir + "/volume.h5").grid();
  EXPECT_EQ(grid.dim, 3);
  EXPECT_EQ(grid.points, (std::array<int, 3>{7, 5, 3}));
  EXPECT_EQ(grid.origin, (std::array<double, 3>{2.0, -1.0, 0.5}));
  EXPECT_EQ(grid.spacing, (std::array<double, 3>{0.125, 0.25, 0.5}));

  // Units, the meaning of a dataset's values, the time; the vector's components fastest, a
  // missing one 0.
  const FieldFileReader reader(world, dir + "/volume.h5");
  EXPECT_EQ(reader.string_attribute("grid_units"), "m");
  EXPECT_EQ(reader.dataset_string_attribute("u", "units"), "m/s");
  EXPECT_EQ(reader.dataset_string_attribute("coarse", "units"), "nondimensional");
  EXPECT_EQ(reader.dataset_string_attribute("uv", "units"), "m/s");
  EXPECT_EQ(reader.dataset_string_attribute("v", "v_meaning"), "a test field");
  EXPECT_EQ(reader.real_attribute("time"), 0.75);
  EXPECT_EQ(reader.dataset_shape("uv"), (std::vector<hsize_t>{3, 5, 7, 3}));
  const std::vector<double> uv = reader.read_vector_field("uv", volume);
  ASSERT_EQ(uv.size(), 3u * volume.local_size());
  const auto& start = volume.local_start();
  const auto& count = volume.local_count();
  std::size_t p = 0;
  for (int k = start[2]; k < start[2] + count[2]; ++k)
    for (int j = start[1]; j < start[1] + count[1]; ++j)
      for (int i = start[0]; i < start[0] + count[0]; ++i, ++p) {
        EXPECT_EQ(uv[3 * p], analytic_u(i, j, k)) << i << " " << j << " " << k;
        EXPECT_EQ(uv[3 * p + 1], analytic_v(i, j, k)) << i << " " << j << " " << k;
        EXPECT_EQ(uv[3 * p + 2], 0.0) << i << " " << j << " " << k;
      }
  EXPECT_THROW(reader.read_vector_field("u", volume), tessera::InputError);
}

TEST(Xdmf, Describes2DGridAsAPlaneAtZZero) {
  tessera::io::XdmfDescription description;
  description.h5_file = "plane.h5";
  description.grid.dim = 2;
  description.grid.points = {13, 11, 1};
  description.grid.origin = {-1.0, 0.5, 99.0};
  description.grid.spacing = {0.1, 0.25, 99.0};
  description.fields = {"u"};
  const std::string xml = tessera::io::xdmf_text(description);
  // The 3D form, z first with one point at 0: ParaView's x-y plane; the dataset [11][13] is
  // described as [1][11][13].
  for (const char* expected :
       {"TopologyType=\"3DCoRectMesh\" Dimensions=\"1 11 13\"", "GeometryType=\"ORIGIN_DXDYDZ\"",
        "Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">0 0.5 -1</DataItem>",
        "Format=\"XML\">1 0.25 0.1</DataItem>",
        "<DataItem Dimensions=\"1 11 13\" NumberType=\"Float\" Precision=\"8\" "
        "Format=\"HDF\">plane.h5:/u</DataItem>"})
    EXPECT_NE(xml.find(expected), std::string::npos) << expected << " not in\n" << xml;
  EXPECT_EQ(xml.find("99"), std::string::npos) << "unused z entries leaked into\n" << xml;
  EXPECT_EQ(xml.find("<Time"), std::string::npos) << "a steady result has no time\n" << xml;
}

TEST(Xdmf, Describes1DGridAsALineAlongX) {
  tessera::io::XdmfDescription description;
  description.h5_file = "line.h5";
  description.grid.dim = 1;
  description.grid.points = {65, 99, 99};
  description.grid.origin = {0.25, 99.0, 99.0};
  description.grid.spacing = {0.015625, 99.0, 99.0};
  description.fields = {"pinn"};
  const std::string xml = tessera::io::xdmf_text(description);
  // 1 x 1 x 65 points at y = z = 0, x from 0.25 in steps of 1/64; the dataset [65] is described
  // as [1][1][65].
  for (const char* expected :
       {"TopologyType=\"3DCoRectMesh\" Dimensions=\"1 1 65\"", "GeometryType=\"ORIGIN_DXDYDZ\"",
        "Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">0 0 0.25</DataItem>",
        "Format=\"XML\">1 1 0.015625</DataItem>",
        "<DataItem Dimensions=\"1 1 65\" NumberType=\"Float\" Precision=\"8\" "
        "Format=\"HDF\">line.h5:/pinn</DataItem>"})
    EXPECT_NE(xml.find(expected), std::string::npos) << expected << " not in\n" << xml;
  EXPECT_EQ(xml.find("99"), std::string::npos) << "unused y and z entries leaked into\n" << xml;
}

TEST(Xdmf, TemporalCollectionListsEveryStepWithItsTime) {
  tessera::io::XdmfDescription step;
  step.grid.dim = 2;
  step.grid.points = {4, 3, 1};
  step.fields = {"pressure"};
  step.vectors = {"velocity"};
  std::vector<tessera::io::XdmfDescription> steps;
  const std::pair<const char*, double> snapshots[] = {{"run_snapshot_0000.h5", 0.0},
                                                      {"run_snapshot_0001.h5", 0.25}};
  for (const auto& [file, time] : snapshots) {
    steps.push_back(step);
    steps.back().h5_file = file;
    steps.back().time = time;
  }
  const std::string xml = tessera::io::xdmf_collection_text(steps);
  const std::size_t collection =
      xml.find("<Grid Name=\"time series\" GridType=\"Collection\" CollectionType=\"Temporal\">");
  const std::size_t first = xml.find("<Grid Name=\"run_snapshot_0000\" GridType=\"Uniform\">");
  const std::size_t first_time = xml.find("<Time Value=\"0\"/>");
  const std::size_t second = xml.find("<Grid Name=\"run_snapshot_0001\" GridType=\"Uniform\">");
  const std::size_t second_time = xml.find("<Time Value=\"0.25\"/>");
  const std::size_t second_data = xml.find(">run_snapshot_0001.h5:/velocity</DataItem>");
  EXPECT_NE(collection, std::string::npos) << xml;
  EXPECT_TRUE(collection < first && first < first_time && first_time < second &&
              second < second_time && second_time < second_data && second_data != std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<DataItem Dimensions=\"1 3 4 3\" NumberType=\"Float\" Precision=\"8\" "
                     "Format=\"HDF\">run_snapshot_0000.h5:/velocity</DataItem>"),
            std::string::npos)
      << xml;
  // A step without a time has no place in a time series.
  steps.back().time.reset();
  EXPECT_THROW(tessera::io::xdmf_collection_text(steps), tessera::Error);
}

TEST(Xdmf, EscapesNamesAndRejectsGridsItCannotDescribe) {
  tessera::io::XdmfDescription description;
  description.h5_file = "a&b.h5";
  description.grid.dim = 2;
  description.grid.points = {3, 3, 1};
  description.fields = {"|u - u_ref| <max>"};
  const std::string xml = tessera::io::xdmf_text(description);
  EXPECT_NE(xml.find("Name=\"|u - u_ref| &lt;max&gt;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find(">a&amp;b.h5:/|u - u_ref| &lt;max&gt;</DataItem>"), std::string::npos) << xml;

  description.grid.spacing = {0.0, 1.0, 1.0};
  EXPECT_THROW(tessera::io::xdmf_text(description), tessera::Error);
  // Every rank learns of rank 0's failure, and no file is left.
  const std::string dir = fresh_directory(world, test_name());
  EXPECT_THROW(tessera::io::write_xdmf(world, dir + "/bad.xmf", description), tessera::Error);
  EXPECT_TRUE(all_ranks(world, !fs::exists(dir + "/bad.xmf") && temporary_files(dir).empty()));
}

TEST(PrepareOutputDirectory, CreatesAMissingDirectory) {
  const std::string dir = fresh_directory(world, test_name()) + "/results/run_1";
  const auto lock = tessera::io::prepare_output_directory(world, dir, "run", false);
  EXPECT_TRUE(all_ranks(world, fs::is_directory(dir)));
  EXPECT_EQ(tessera::io::result_path(dir, "run"), dir + "/run.h5");
}

TEST(PrepareOutputDirectory, RefusesAnExistingResultWithoutOverwrite) {
  const std::string dir = fresh_directory(world, test_name());
  if (world_rank() == 0) std::ofstream(dir + "/run.h5") << "previous result";
  MPI_Barrier(world);
  // Another stem in the same folder is no conflict.
  EXPECT_NO_THROW(
      static_cast<void>(tessera::io::prepare_output_directory(world, dir, "other", false)));
  try {
    static_cast<void>(tessera::io::prepare_output_directory(world, dir, "run", false));
    ADD_FAILURE() << "accepted an existing result without overwrite";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("'" + dir + "/run.h5' already exists"), std::string::npos)
        << e.message();
    EXPECT_NE(e.message().find("output_overwrite: true"), std::string::npos) << e.message();
  }
  EXPECT_EQ(read_text(dir + "/run.h5"), "previous result");
}

TEST(PrepareOutputDirectory, AcceptsAnExistingResultWithOverwrite) {
  const std::string dir = fresh_directory(world, test_name());
  if (world_rank() == 0) std::ofstream(dir + "/run.h5") << "previous result";
  MPI_Barrier(world);
  EXPECT_NO_THROW(
      static_cast<void>(tessera::io::prepare_output_directory(world, dir, "run", true)));
  // Still there: a new result replaces it only when complete.
  EXPECT_EQ(read_text(dir + "/run.h5"), "previous result");
}

TEST(PrepareOutputDirectory, AFileInPlaceOfTheDirectoryIsAnInputError) {
  const std::string dir = fresh_directory(world, test_name());
  if (world_rank() == 0) std::ofstream(dir + "/results") << "not a folder";
  MPI_Barrier(world);
  try {
    static_cast<void>(tessera::io::prepare_output_directory(world, dir + "/results", "run", true));
    ADD_FAILURE() << "accepted a plain file as output directory";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find(dir + "/results"), std::string::npos) << e.message();
  }
  EXPECT_THROW(static_cast<void>(tessera::io::prepare_output_directory(world, dir, "", true)),
               tessera::InputError);
}

// Issue 13 pre-flight checks: the output lock, the writability probe, name lengths, and
// temporary names that two writers of one path do not share.

// Writes a lock file at path as a run on host with pid would, on rank 0.
void write_lock(const std::string& path, const std::string& host, long pid) {
  if (world_rank() == 0)
    std::ofstream(path) << "host " << host << "\npid " << pid << "\nstarted 2026-01-01T00:00:00Z\n";
  MPI_Barrier(world);
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// What prepare_output_directory(dir, stem) refuses with, or "" if it accepts (and releases).
std::string refusal(const std::string& dir, const std::string& stem, bool overwrite = false) {
  try {
    static_cast<void>(tessera::io::prepare_output_directory(world, dir, stem, overwrite));
    return "";
  } catch (const tessera::InputError& e) {
    return e.message();
  }
}

TEST(OutputLock, ASecondRunOfTheSameNameIsRefusedUntilTheFirstEnds) {
  const std::string dir = fresh_directory(world, test_name());
  {
    const auto lock = tessera::io::prepare_output_directory(world, dir, "run", false);
    EXPECT_EQ(lock.path(), dir + "/run.lock");
    EXPECT_TRUE(all_ranks(world, read_text(dir + "/run.lock") == lock.holder()));
    if (world_rank() == 0) {
      EXPECT_NE(lock.holder().find("\npid " + std::to_string(getpid()) + "\n"), std::string::npos);
    }
    const std::string refused = refusal(dir, "run", true);
    EXPECT_NE(refused.find("in use by another run (host " + host_name() + ", PID "),
              std::string::npos)
        << refused;
    EXPECT_NE(refused.find(dir + "/run.lock"), std::string::npos) << refused;
    // The refused run leaves the holder's lock alone; another name may share the directory.
    EXPECT_TRUE(all_ranks(world, read_text(dir + "/run.lock") == lock.holder()));
    EXPECT_EQ(refusal(dir, "other"), "");
  }
  MPI_Barrier(world);  // releasing is rank 0's alone, not collective
  EXPECT_TRUE(all_ranks(world, !fs::exists(dir + "/run.lock")));
  EXPECT_EQ(refusal(dir, "run"), "");
}

TEST(OutputLock, IsReleasedWhenTheRunIsRefusedAfterTakingIt) {
  const std::string dir = fresh_directory(world, test_name());
  if (world_rank() == 0) std::ofstream(dir + "/run.h5") << "previous result";
  MPI_Barrier(world);
  EXPECT_NE(refusal(dir, "run").find("already exists"), std::string::npos);
  MPI_Barrier(world);
  EXPECT_TRUE(all_ranks(world, !fs::exists(dir + "/run.lock")));
  EXPECT_EQ(read_text(dir + "/run.h5"), "previous result");
}

TEST(OutputLock, ARankThatFailsAloneRemovesItBeforeTheJobIsAborted) {
  if (world_size() < 2) GTEST_SKIP() << "needs a rank other than 0";
  const std::string dir = fresh_directory(world, test_name());
  std::optional<tessera::io::OutputLock> lock;
  lock.emplace(world, dir, "run");
  if (world_rank() == 1) {
    try {
      // As in run_main: the exception unwinds the run (and its lock) before MPI_Abort, which
      // would kill rank 0 before it could remove the file itself.
      const tessera::io::OutputLock run_lock = std::move(*lock);
      throw std::runtime_error("a failure on rank 1 alone");
    } catch (const std::runtime_error&) {
    }
  }
  MPI_Barrier(world);
  EXPECT_TRUE(all_ranks(world, !fs::exists(dir + "/run.lock")));
  // A lock another run took meanwhile is not rank 0's to remove.
  write_lock(dir + "/run.lock", "elsewhere.example", 1);
  lock.reset();
  MPI_Barrier(world);
  EXPECT_TRUE(all_ranks(world, fs::exists(dir + "/run.lock")));
}

TEST(OutputLock, ALockOfALiveRunOnThisHostIsHeld) {
  const std::string dir = fresh_directory(world, test_name());
  write_lock(dir + "/run.lock", host_name(), 1);  // PID 1 always runs
  const std::string refused = refusal(dir, "run");
  EXPECT_NE(refused.find("in use by another run (host " + host_name() + ", PID 1, started "),
            std::string::npos)
      << refused;
  EXPECT_EQ(refused.find("stale"), std::string::npos) << refused;
  EXPECT_TRUE(all_ranks(world, fs::exists(dir + "/run.lock")));
}

TEST(OutputLock, AStaleLockIsReportedWithHowToClearIt) {
  const std::string dir = fresh_directory(world, test_name());
  // Above Linux's largest possible PID (PID_MAX_LIMIT, 2^22), so no process has it.
  write_lock(dir + "/run.lock", host_name(), 4194305);
  const std::string refused = refusal(dir, "run");
  EXPECT_NE(refused.find("stale lock file '" + dir + "/run.lock'"), std::string::npos) << refused;
  EXPECT_NE(refused.find("PID 4194305"), std::string::npos) << refused;
  EXPECT_NE(refused.find("remove '" + dir + "/run.lock' and rerun"), std::string::npos) << refused;
  // Reported, not cleared: the dead run may have left files someone should look at.
  EXPECT_TRUE(all_ranks(world, fs::exists(dir + "/run.lock")));
}

TEST(OutputLock, AZombieRunHasEndedAndALiveOneHasNot) {
  // A rank killed outright whose new parent never reaps it (an init that does not reap, as in
  // some containers) stays a zombie: kill(pid, 0) still succeeds, yet it writes nothing more.
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  bool zombie = false;
  for (int i = 0; i < 2000 && !zombie; ++i) {  // until the child has exited (at most 2 s)
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    zombie = text.find(") Z ") != std::string::npos;
    if (!zombie) usleep(1000);
  }
  ASSERT_TRUE(zombie);
  EXPECT_TRUE(tessera::io::process_ended(child));
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_TRUE(tessera::io::process_ended(child));
  EXPECT_FALSE(tessera::io::process_ended(getpid()));
  EXPECT_FALSE(tessera::io::process_ended(1));       // PID 1 always runs
  EXPECT_TRUE(tessera::io::process_ended(4194305));  // above PID_MAX_LIMIT
}

TEST(OutputLock, ALockOfAnotherHostNamesItAndHowToClearIt) {
  const std::string dir = fresh_directory(world, test_name());
  write_lock(dir + "/run.lock", "elsewhere.example", 4194305);
  const std::string refused = refusal(dir, "run");
  EXPECT_NE(refused.find("in use by another run (host elsewhere.example, PID 4194305"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.find("no longer runs on elsewhere.example, remove"), std::string::npos)
      << refused;
}

TEST(PrepareOutputDirectory, AnUnwritableDirectoryIsRefused) {
  // Root writes anywhere chmod allows nothing, so as root a directory of sysfs stands in for a
  // read-only file system.
  const std::string dir = geteuid() == 0 ? "/sys/kernel" : fresh_directory(world, test_name());
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is not a directory here";
  if (geteuid() != 0 && world_rank() == 0) fs::permissions(dir, fs::perms::owner_exec);
  MPI_Barrier(world);
  const std::string refused = refusal(dir, "run");
  if (geteuid() != 0 && world_rank() == 0) fs::permissions(dir, fs::perms::owner_all);
  EXPECT_NE(refused.find("cannot write in the output directory '" + dir + "'"), std::string::npos)
      << refused;
}

TEST(PrepareOutputDirectory, NamesThatDoNotFitTheFileSystemAreRefused) {
  const std::string dir = fresh_directory(world, test_name());
  const std::string longest(160, 'n');
  EXPECT_EQ(tessera::io::output_name_problem("out", longest), "");
  const std::string problem = tessera::io::output_name_problem("out", longest + "n");
  EXPECT_NE(problem.find("-output_name is 161 characters long; at most 160 fit"), std::string::npos)
      << problem;
  // Open MPI's limit on the path: 238 characters for
  // "<dir>/<stem>_snapshot_NNNN.h5.<host>.<pid>.tmp".
  const std::string deep(238 - 1 - 3 - 17 - 48 + 1, 'd');
  EXPECT_EQ(tessera::io::output_name_problem(deep.substr(1), "run"), "");
  const std::string too_deep = tessera::io::output_name_problem(deep, "run");
  EXPECT_NE(too_deep.find("Open MPI aborts on paths of more than 238, so at most 2 characters of "
                          "-output_name fit in this directory"),
            std::string::npos)
      << too_deep;
  const std::string refused = refusal(dir, longest + "n");
  EXPECT_NE(refused.find("-output_name is 161 characters long"), std::string::npos) << refused;
  EXPECT_TRUE(all_ranks(world, fs::is_empty(dir)));
}

TEST(FieldFile, TwoWritersOfOnePathDoNotShareATemporaryFile) {
  if (world_size() < 2) GTEST_SKIP() << "needs two processes";
  // Ranks 0 and 1 stand for two runs writing the same path, each on its own communicator.
  const std::string path = fresh_directory(world, test_name()) + "/run.h5";
  MPI_Comm run = MPI_COMM_NULL;
  MPI_Comm_split(world, world_rank() < 2 ? world_rank() : MPI_UNDEFINED, 0, &run);
  // Four steps, each followed by a barrier on every rank, so that a failing step cannot hang
  // the others: the second writer starts while the first is writing; the first finishes first.
  std::optional<Decomposition> decomp;
  if (run != MPI_COMM_NULL) decomp.emplace(run, 2, std::array<int, 3>{13, 11, 1});
  std::optional<FieldFile> file;
  std::string failure;
  auto step = [&](int writer, const std::function<void()>& work) {
    if (world_rank() == writer && failure.empty()) {
      try {
        work();
      } catch (const tessera::Error& e) {
        failure = e.message();
      }
    }
    MPI_Barrier(world);
  };
  auto start = [&] {
    file.emplace(run, path);
    file->write_field("u", *decomp, analytic_block(*decomp, analytic_u).data());
    file->set_attribute("writer", world_rank());
  };
  step(0, start);
  step(1, start);
  step(0, [&] { file->commit(); });
  step(1, [&] { file->commit(); });
  file.reset();
  decomp.reset();
  if (run != MPI_COMM_NULL) MPI_Comm_free(&run);
  if (!failure.empty()) std::cerr << "rank " << world_rank() << ": " << failure << std::endl;
  EXPECT_TRUE(all_ranks(world, failure.empty()));
  // The last to commit owns the path, complete.
  if (world_rank() == 0) {
    const FieldFileReader reader(MPI_COMM_SELF, path);
    EXPECT_EQ(reader.integer_attribute("writer"), 1);
    EXPECT_TRUE(temporary_files(fs::path(path).parent_path()).empty());
  }
}

}  // namespace
