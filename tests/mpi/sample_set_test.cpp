// Sample sets in field files (data sets for operator learning): written sample by sample on P
// ranks, each its own block, read back by shards of whole samples, equal to a recomputation, with
// their metadata; a 3D set; shard ranges; bad requests; blocks of a samples x space split, whole
// or of a strided view, equal to the values written.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "field_file_support.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/hdf5.hpp"
#include "physics/darcy.hpp"

namespace {

using tessera::Decomposition;
using tessera::io::FieldFile;
using tessera::io::FieldFileReader;
using tessera::io::sample_selection;
using tessera::io::shard_range;
using tessera::io::strided_points;
using tessera::physics::PermeabilityFieldConfig;
using tessera::physics::PermeabilitySequence;
using namespace tessera::testing;

// A field whose values say which sample they belong to and where.
double tagged(int sample, int i, int j, int k) { return analytic_u(i, j, k) + 1e6 * sample; }

// The chunk shape of a dataset, read by this rank alone through HDF5's default (POSIX) driver;
// empty for a contiguous dataset.
std::vector<hsize_t> sample_chunk(const std::string& path, const std::string& name) {
  using tessera::io::H5Handle;
  const H5Handle file(TESSERA_H5_CALL(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)),
                      H5Fclose);
  const H5Handle dataset(TESSERA_H5_CALL(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT)),
                         H5Dclose);
  const H5Handle creation(TESSERA_H5_CALL(H5Dget_create_plist(dataset.get())), H5Pclose);
  if (TESSERA_H5_CALL(H5Pget_layout(creation.get())) != H5D_CHUNKED) return {};
  std::vector<hsize_t> chunk(8);
  const int rank = TESSERA_H5_CALL(H5Pget_chunk(creation.get(), 8, chunk.data()));
  chunk.resize(rank);
  return chunk;
}

TEST(ShardRange, CoversTheSetOnceInRankOrder) {
  for (long long samples : {0LL, 3LL, 7LL, 64LL})
    for (int ranks : {1, 2, 3, 4}) {
      long long next = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto [first, count] = shard_range(samples, r, ranks);
        EXPECT_EQ(first, next);
        EXPECT_GE(count, samples / ranks);
        EXPECT_LE(count, samples / ranks + 1);
        next = first + count;
      }
      EXPECT_EQ(next, samples);
    }
}

// 7 samples (shards of 1 or 2 on 4 ranks) and 3 (an empty shard on 4 ranks) of a 2D Darcy-like
// set: the permeability of samples of a random sequence, and a tagged field. Every rank then
// recomputes its shard's samples on the whole grid, bit for bit.
TEST(SampleSet, WrittenByBlocksReadByShardsEqualsRecomputation) {
  const int nx = 17, ny = 13;
  const double h = 1.0 / 16;
  for (const int samples : {7, 3}) {
    Decomposition decomp(MPI_COMM_WORLD, 2, {nx, ny, 1});
    const std::string dir = fresh_directory(decomp.comm(), "samples" + std::to_string(samples));
    const std::string path = dir + "/set.h5";
    PermeabilitySequence field(PermeabilityFieldConfig{});
    const auto& start = decomp.local_start();
    const auto& count = decomp.local_count();
    {
      FieldFile file(decomp.comm(), path);
      file.create_samples("samples", decomp, samples, {"permeability", "tag"});
      for (int s = 0; s < samples; ++s) {
        field.advance_to(s);
        const auto a = field.tabulate(start[0], count[0], start[1], count[1], h);
        const auto tag =
            analytic_block(decomp, [&](int i, int j, int k) { return tagged(s, i, j, k); });
        file.write_sample("samples", decomp, s, {a.data(), tag.data()});
      }
      file.write_table("solves", {"sample", "iterations"}, {0, 5, 1, 4});
      file.commit();
    }
    const FieldFileReader reader(decomp.comm(), path);
    const auto shard = reader.read_sample_shard("samples");
    const auto [first, shard_count] = shard_range(samples, decomp.rank(), decomp.size());
    EXPECT_EQ(shard.first, first);
    EXPECT_EQ(shard.count, shard_count);
    EXPECT_EQ(shard.fields, (std::vector<std::string>{"permeability", "tag"}));
    EXPECT_EQ(shard.grid, (std::vector<hsize_t>{ny, nx}));
    EXPECT_EQ(reader.dataset_shape("samples"), (std::vector<hsize_t>{hsize_t(samples), 2, ny, nx}));
    PermeabilitySequence recomputed(PermeabilityFieldConfig{});
    long wrong = 0;
    for (long long local = 0; local < shard.count; ++local) {
      const int s = static_cast<int>(shard.first + local);
      recomputed.advance_to(s);
      const auto a = recomputed.tabulate(0, nx, 0, ny, h);
      const double* stored_a = shard.field(local, 0);
      const double* stored_tag = shard.field(local, 1);
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          wrong += stored_a[j * nx + i] != a[j * nx + i];
          wrong += stored_tag[j * nx + i] != tagged(s, i, j, 0);
        }
    }
    MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_LONG, MPI_SUM, decomp.comm());
    EXPECT_EQ(wrong, 0) << samples << " samples";
    const auto table = reader.read_table("solves");
    EXPECT_EQ(table.rows(), 2u);
    EXPECT_EQ(reader.integer_attribute("ranks"), decomp.size());
    EXPECT_THROW(shard.field(shard.count, 0), tessera::Error);
    EXPECT_EQ(sample_chunk(path, "samples"), (std::vector<hsize_t>{1, 1, ny, nx}));
  }
}

TEST(SampleSet, VolumeSamplesRoundTrip) {
  Decomposition decomp(MPI_COMM_WORLD, 3, {7, 5, 3});
  const std::string dir = fresh_directory(decomp.comm(), "volume_samples");
  const std::string path = dir + "/set.h5";
  const int samples = 5;
  {
    FieldFile file(decomp.comm(), path);
    file.create_samples("v", decomp, samples, {"tag"});
    for (int s = 0; s < samples; ++s) {
      const auto tag =
          analytic_block(decomp, [&](int i, int j, int k) { return tagged(s, i, j, k); });
      file.write_sample("v", decomp, s, {tag.data()});
    }
    file.commit();
  }
  const FieldFileReader reader(decomp.comm(), path);
  const auto shard = reader.read_sample_shard("v");
  EXPECT_EQ(shard.grid, (std::vector<hsize_t>{3, 5, 7}));
  long wrong = 0;
  for (long long local = 0; local < shard.count; ++local) {
    const double* v = shard.field(local, 0);
    for (int k = 0; k < 3; ++k)
      for (int j = 0; j < 5; ++j)
        for (int i = 0; i < 7; ++i)
          wrong += v[(k * 5 + j) * 7 + i] != tagged(static_cast<int>(shard.first + local), i, j, k);
  }
  MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_LONG, MPI_SUM, decomp.comm());
  EXPECT_EQ(wrong, 0);
}

// A samples x space split of the ranks, as domain-parallel training reads a set: every group of
// ranks a shard of the samples (shard_range), every rank of a group its own block of each of them,
// on slab (P x 1, 1 x P) and pencil (MPI_Dims_create) process grids, of the stored grid and of
// strided views (stride 2 and 4: 11 x 9 and 6 x 5 of 21 x 17). Bit for bit what was written.
TEST(SampleSet, BlocksOfASamplesBySpaceSplitEqualTheValuesWritten) {
  const int nx = 21, ny = 17, samples = 7;
  Decomposition writer(MPI_COMM_WORLD, 2, {nx, ny, 1});
  const std::string dir = fresh_directory(writer.comm(), "sample_blocks");
  const std::string path = dir + "/set.h5";
  {
    FieldFile file(writer.comm(), path);
    file.create_samples("samples", writer, samples, {"a", "u"});
    for (int s = 0; s < samples; ++s) {
      const auto a =
          analytic_block(writer, [&](int i, int j, int k) { return tagged(s, i, j, k); });
      const auto u =
          analytic_block(writer, [&](int i, int j, int k) { return -tagged(s, i, j, k) - 0.5; });
      file.write_sample("samples", writer, s, {a.data(), u.data()});
    }
    file.commit();
  }
  const FieldFileReader reader(writer.comm(), path);
  const int size = writer.size(), rank = writer.rank();
  long checked = 0;
  for (int groups = 1; groups <= size; groups *= 2) {
    if (size % groups != 0) continue;
    const int per_group = size / groups, group = rank / per_group;
    MPI_Comm space_comm;
    MPI_Comm_split(MPI_COMM_WORLD, group, rank, &space_comm);
    const std::vector<std::array<int, 3>> layouts{
        {per_group, 1, 1}, {1, per_group, 1}, {0, 0, 0}};  // slabs along x and y; MPI_Dims_create
    for (const auto& layout : layouts)
      for (const int stride : {1, 2, 4}) {
        const int vx = static_cast<int>(strided_points(nx, stride)),
                  vy = static_cast<int>(strided_points(ny, stride));
        Decomposition space(space_comm, 2, {vx, vy, 1}, layout);
        const auto selection = sample_selection(samples, group, groups, space, stride);
        const auto shard = reader.read_sample_block("samples", selection);
        const auto& start = space.local_start();
        const auto& count = space.local_count();
        ASSERT_EQ(shard.grid, (std::vector<hsize_t>{hsize_t(count[1]), hsize_t(count[0])}));
        ASSERT_EQ(shard.view, (std::vector<hsize_t>{hsize_t(vy), hsize_t(vx)}));
        EXPECT_EQ(shard.first, shard_range(samples, group, groups).first);
        long wrong = 0;
        for (long long local = 0; local < shard.count; ++local) {
          const int s = static_cast<int>(shard.first + local);
          const double *a = shard.field(local, 0), *u = shard.field(local, 1);
          for (int j = 0; j < count[1]; ++j)
            for (int i = 0; i < count[0]; ++i) {
              const double expected =
                  tagged(s, (start[0] + i) * stride, (start[1] + j) * stride, 0);
              wrong += a[j * count[0] + i] != expected;
              wrong += u[j * count[0] + i] != -expected - 0.5;
              checked += 2;
            }
        }
        MPI_Allreduce(MPI_IN_PLACE, &wrong, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
        EXPECT_EQ(wrong, 0) << groups << " sample groups, process grid " << layout[0] << " x "
                            << layout[1] << ", stride " << stride;
      }
    MPI_Comm_free(&space_comm);
  }
  MPI_Allreduce(MPI_IN_PLACE, &checked, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_GT(checked, 0);
  // Outside the set: more samples, a block beyond the view.
  tessera::io::SampleSelection beyond;
  beyond.first = 5;
  beyond.count = 3;
  EXPECT_THROW(reader.read_sample_block("samples", beyond), tessera::InputError);
  beyond.first = 0;
  beyond.count = 1;
  beyond.start = {0, 0};
  beyond.extent = {6, 6};
  beyond.stride = {4, 4};  // the stride-4 view is 5 x 6 points (y slowest)
  EXPECT_THROW(reader.read_sample_block("samples", beyond), tessera::InputError);
}

TEST(SampleSet, BadRequestsAreErrors) {
  Decomposition decomp(MPI_COMM_WORLD, 2, {9, 9, 1});
  const std::string dir = fresh_directory(decomp.comm(), "bad_samples");
  FieldFile file(decomp.comm(), dir + "/set.h5");
  const std::vector<double> block(static_cast<size_t>(decomp.local_size()), 1.0);
  EXPECT_THROW(file.write_sample("none", decomp, 0, {block.data()}), tessera::Error);
  file.create_samples("s", decomp, 2, {"a"});
  EXPECT_THROW(file.write_sample("s", decomp, 2, {block.data()}), tessera::Error);
  EXPECT_THROW(file.write_sample("s", decomp, 0, {block.data(), block.data()}), tessera::Error);
  EXPECT_THROW(file.create_samples("s", decomp, 2, {"a"}), tessera::Error);
  file.write_field("plain", decomp, block.data());
  file.commit();
  const FieldFileReader reader(decomp.comm(), dir + "/set.h5");
  EXPECT_THROW(reader.read_sample_shard("plain"), tessera::InputError);
  EXPECT_THROW(reader.read_sample_shard("missing"), tessera::InputError);
}

}  // namespace
