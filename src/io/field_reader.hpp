#pragma once
// Reading back what FieldFile wrote, on any number of ranks: each rank reads its own block of a
// field for its own Decomposition, which need not be the writer's.
#include <hdf5.h>
#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"
#include "io/uniform_grid.hpp"

namespace tessera::io {

/// A small table as FieldFile::write_table stores it: named columns, values row-major.
struct Table {
  std::vector<std::string> columns;
  std::vector<double> values;
  std::size_t rows() const { return columns.empty() ? 0 : values.size() / columns.size(); }
  double at(std::size_t row, std::size_t column) const {
    return values.at(row * columns.size() + column);
  }
};

/// A shard of a sample set as FieldFile::create_samples stores it: samples [first, first + count),
/// every field on a block of the grid (the whole grid for read_sample_shard). values is
/// [count][fields][grid], grid slowest first.
struct SampleShard {
  long long first = 0, count = 0;
  std::vector<std::string> fields;
  std::vector<hsize_t> grid;         // the block's extent, slowest first, e.g. {ny, nx}
  std::vector<hsize_t> block_start;  // where the block starts in the view, slowest first
  std::vector<hsize_t> view;         // the points of the (strided) view of the stored grid
  std::vector<double> values;

  std::size_t points() const;
  /// Field `field` of the shard's sample `local` (global sample first + local), x fastest.
  const double* field(long long local, std::size_t field) const;
};

/// Not collective; pure. The samples rank r of `ranks` reads of a set of `samples`:
/// [r S / P, (r + 1) S / P), as {first, count}. Shards cover the set once, in rank order, and
/// differ in size by at most one.
std::pair<long long, long long> shard_range(long long samples, int rank, int ranks);

/// What one rank reads of a sample set for training on a samples x space split: samples
/// [first, first + count), and, of the view of the stored grid that keeps every stride-th point
/// along each direction from the first (so a 421² set read with stride 5 is the 85² set), the
/// block [start, start + extent), slowest first. Empty start, extent or stride: the whole view,
/// stride 1.
struct SampleSelection {
  long long first = 0, count = 0;
  std::vector<hsize_t> start, extent, stride;
};

/// Not collective; pure. The points along a direction of `points` that a view of stride keeps:
/// (points - 1) / stride + 1.
hsize_t strided_points(hsize_t points, int stride);

/// Not collective. The selection of one rank of a samples x space split: the samples of sample
/// group `group` of `groups` (shard_range), on the block of space's rank, where space is a
/// decomposition of the view (strided_points of the stored grid) over the group's ranks.
SampleSelection sample_selection(long long samples, int group, int groups,
                                 const Decomposition& space, int stride = 1);

class FieldFileReader {
public:
  /// Collective over comm, which must outlive the reader. Opens path read-only; a missing file,
  /// or one that is not an HDF5 file, is an InputError naming it as `what` ("checkpoint
  /// 'run.txt' is not an HDF5 file"), raised on every rank.
  FieldFileReader(MPI_Comm comm, const std::string& path, const std::string& what = "field file");
  /// Collective over comm (closes the file); while an exception propagates it makes no
  /// collective call and leaves the handle to HDF5's shutdown, as ~FieldFile does.
  ~FieldFileReader();
  FieldFileReader(const FieldFileReader&) = delete;
  FieldFileReader& operator=(const FieldFileReader&) = delete;

  /// Not collective.
  const std::string& path() const { return path_; }

  /// Collective over comm. Whether the root group holds a dataset (field or table) called name.
  bool has_dataset(const std::string& name) const;
  /// Collective over comm. The shape of dataset name, slowest dimension first.
  std::vector<hsize_t> dataset_shape(const std::string& name) const;

  /// Collective over comm; decomp's communicator must have the same ranks in the same order.
  /// This rank's block of field name, x fastest (as FieldFile::write_field takes it), for any
  /// process grid. A missing field, or one whose shape is not decomp's global points, is an
  /// InputError naming both shapes.
  std::vector<double> read_field(const std::string& name, const Decomposition& decomp) const;
  /// Collective over comm, as read_field. This rank's block of the vector field name
  /// (FieldFile::write_vector_field): 3 values per point, the components fastest.
  std::vector<double> read_vector_field(const std::string& name, const Decomposition& decomp) const;

  /// Collective over comm. This rank's shard (shard_range over comm's ranks) of the sample set
  /// name, for training: whole samples, every field on the whole grid. A missing dataset, or one
  /// without the "fields" attribute or of fewer than three dimensions, is an InputError.
  SampleShard read_sample_shard(const std::string& name) const;

  /// Collective over comm (every rank takes part, with its own selection, which may be empty).
  /// The samples and the block of the strided view that `selection` names, as one hyperslab
  /// [first:first+count][fields][y0:y0+ny:stride][x0:x0+nx:stride] of the stored set: no rank
  /// reads more than its own part. A selection outside the set is an InputError naming both.
  SampleShard read_sample_block(const std::string& name, const SampleSelection& selection) const;

  /// Collective over comm. The whole table name, on every rank.
  Table read_table(const std::string& name) const;

  /// Collective over comm. An InputError on every rank, naming the file, what and the first rank
  /// that holds one, if values (this rank's part of what the file holds as what) has a NaN or an
  /// Inf: a checkpoint to continue from must hold a state that can be continued.
  void require_finite(const std::string& what, const std::vector<double>& values) const;

  /// Collective over comm. Attributes of the root group. Reading one that is missing, or that
  /// holds another kind of value or more than one value, throws tessera::Error.
  bool has_attribute(const std::string& name) const;
  std::string string_attribute(const std::string& name) const;
  double real_attribute(const std::string& name) const;
  long long integer_attribute(const std::string& name) const;
  /// Collective over comm. The string attribute name of the dataset /dataset (its "units", the
  /// meaning of its codes); a missing dataset is an InputError, a missing attribute an Error.
  std::string dataset_string_attribute(const std::string& dataset, const std::string& name) const;

  /// Collective over comm. The grid recorded by FieldFile::set_grid.
  UniformGrid grid() const;

private:
  void require_same_ranks(const Decomposition& decomp) const;
  std::vector<double> read_grid_dataset(const std::string& name, const Decomposition& decomp,
                                        int components) const;
  void require_dataset(const std::string& name) const;

  MPI_Comm comm_;
  std::string path_;
  hid_t file_ = H5I_INVALID_HID;
  int exceptions_at_creation_ = 0;
};

/// Collective over decomp's communicator. This rank's block of field name in the file at path.
std::vector<double> read_field(const Decomposition& decomp, const std::string& path,
                               const std::string& name);

}  // namespace tessera::io
