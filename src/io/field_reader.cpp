#include "io/field_reader.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <tuple>

#include "core/error.hpp"
#include "io/hdf5.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace {

H5Handle open_dataset(hid_t file, const std::string& name) {
  return H5Handle(TESSERA_H5_CALL(H5Dopen2(file, name.c_str(), H5P_DEFAULT)), H5Dclose);
}

std::vector<hsize_t> shape_of(const H5Handle& dataset) {
  const H5Handle space(TESSERA_H5_CALL(H5Dget_space(dataset.get())), H5Sclose);
  const int rank = TESSERA_H5_CALL(H5Sget_simple_extent_ndims(space.get()));
  std::vector<hsize_t> shape(rank);
  TESSERA_H5_CALL(H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr));
  return shape;
}

template <class Value>
Value single(const std::vector<Value>& values, const std::string& name) {
  TESSERA_CHECK(values.size() == 1, "HDF5 attribute '" << name << "' holds " << values.size()
                                                       << " values where one was expected");
  return values.front();
}

}  // namespace

FieldFileReader::FieldFileReader(MPI_Comm comm, const std::string& path, const std::string& what)
    : comm_(comm), path_(path), exceptions_at_creation_(std::uncaught_exceptions()) {
  silence_hdf5_error_printing();
  // Checked on rank 0 and broadcast, so every rank refuses the same file the same way; opening a
  // file of another format would fail inside HDF5 with a message that names neither.
  const std::string unusable = run_on_root(comm_, [&] {
    const std::string named = what + " '" + path_ + "'";
    if (!std::filesystem::is_regular_file(path_)) return named + " does not exist";
    if (!is_hdf5_file(path_)) return named + " is not an HDF5 file";
    // A file cut short (a copy or a write stopped by a full disk or a lost node) keeps its
    // signature; HDF5 finds the cut when it opens it. Opened here on rank 0 alone, so that every
    // rank refuses it alike instead of failing inside the collective open below.
    const hid_t alone = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (alone < 0) return named + " cannot be opened: the file is cut short or damaged";
    H5Fclose(alone);
    return std::string();
  });
  if (!unusable.empty()) throw InputError(unusable, __FILE__, __LINE__);
  const H5Handle access = mpio_file_access(comm_);
  try {
    file_ = TESSERA_H5_CALL(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, access.get()));
  } catch (const Error& e) {
    // The MPI-IO driver's messages do not say which file failed.
    throw Error("cannot open '" + path_ + "': " + e.message(), __FILE__, __LINE__);
  }
}

FieldFileReader::~FieldFileReader() {
  // See ~FieldFile: a collective close while only this rank unwinds would hang the job.
  if (std::uncaught_exceptions() > exceptions_at_creation_) return;
  H5Fclose(file_);
}

bool FieldFileReader::has_dataset(const std::string& name) const {
  if (name.empty() || name.find('/') != std::string::npos) return false;
  if (TESSERA_H5_CALL(H5Lexists(file_, name.c_str(), H5P_DEFAULT)) <= 0) return false;
  const H5Handle object(TESSERA_H5_CALL(H5Oopen(file_, name.c_str(), H5P_DEFAULT)), H5Oclose);
  return TESSERA_H5_CALL(H5Iget_type(object.get())) == H5I_DATASET;
}

std::vector<hsize_t> FieldFileReader::dataset_shape(const std::string& name) const {
  require_dataset(name);
  return shape_of(open_dataset(file_, name));
}

std::vector<double> FieldFileReader::read_field(const std::string& name,
                                                const Decomposition& decomp) const {
  return read_grid_dataset(name, decomp, 1);
}

std::vector<double> FieldFileReader::read_vector_field(const std::string& name,
                                                       const Decomposition& decomp) const {
  return read_grid_dataset(name, decomp, 3);
}

std::vector<double> FieldFileReader::read_grid_dataset(const std::string& name,
                                                       const Decomposition& decomp,
                                                       int components) const {
  require_same_ranks(decomp);
  require_dataset(name);
  const H5Handle dataset = open_dataset(file_, name);
  const GridHyperslab slab = grid_hyperslab(decomp, components);
  const std::vector<hsize_t> stored = shape_of(dataset);
  if (stored != slab.global) {
    throw InputError("field '" + name + "' in '" + path_ + "' has shape " + shape_text(stored) +
                         " but the decomposition expects " + shape_text(slab.global) +
                         " (slowest dimension first)",
                     __FILE__, __LINE__);
  }
  const H5Handle file_space(TESSERA_H5_CALL(H5Dget_space(dataset.get())), H5Sclose);
  TESSERA_H5_CALL(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, slab.start.data(), nullptr,
                                      slab.count.data(), nullptr));
  const H5Handle memory_space(TESSERA_H5_CALL(H5Screate_simple(static_cast<int>(slab.count.size()),
                                                               slab.count.data(), nullptr)),
                              H5Sclose);
  const H5Handle transfer = collective_transfer();
  std::vector<double> block_values(static_cast<std::size_t>(decomp.local_size()) * components);
  TESSERA_H5_CALL(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                          transfer.get(), block_values.data()));
  return block_values;
}

std::size_t SampleShard::points() const {
  std::size_t n = 1;
  for (const hsize_t extent : grid) n *= static_cast<std::size_t>(extent);
  return n;
}

const double* SampleShard::field(long long local, std::size_t f) const {
  TESSERA_CHECK(local >= 0 && local < count && f < fields.size(),
                "SampleShard: no field " << f << " of local sample " << local << " (shard of "
                                         << count << " samples, " << fields.size() << " fields)");
  return values.data() + (static_cast<std::size_t>(local) * fields.size() + f) * points();
}

std::pair<long long, long long> shard_range(long long samples, int rank, int ranks) {
  const long long first = samples * rank / ranks, end = samples * (rank + 1) / ranks;
  return {first, end - first};
}

hsize_t strided_points(hsize_t points, int stride) {
  TESSERA_CHECK(stride >= 1 && points >= 1,
                "strided_points: stride " << stride << " of " << points << " points");
  return (points - 1) / static_cast<hsize_t>(stride) + 1;
}

SampleSelection sample_selection(long long samples, int group, int groups,
                                 const Decomposition& space, int stride) {
  SampleSelection selection;
  std::tie(selection.first, selection.count) = shard_range(samples, group, groups);
  const BlockSelection block = block_selection(space);
  selection.start.assign(block.start.begin(), block.start.begin() + block.rank);
  selection.extent.assign(block.count.begin(), block.count.begin() + block.rank);
  selection.stride.assign(block.rank, static_cast<hsize_t>(stride));
  return selection;
}

SampleShard FieldFileReader::read_sample_shard(const std::string& name) const {
  int rank = 0, ranks = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm_, &ranks));
  SampleSelection whole;
  std::tie(whole.first, whole.count) =
      shard_range(static_cast<long long>(dataset_shape(name).at(0)), rank, ranks);
  return read_sample_block(name, whole);
}

SampleShard FieldFileReader::read_sample_block(const std::string& name,
                                               const SampleSelection& selection) const {
  require_dataset(name);
  const H5Handle dataset = open_dataset(file_, name);
  const std::vector<hsize_t> shape = shape_of(dataset);
  if (shape.size() < 3 || !io::has_attribute(dataset.get(), "fields"))
    throw InputError("dataset '" + name + "' in '" + path_ + "' of shape " + shape_text(shape) +
                         " is not a sample set [samples][fields][grid] with a 'fields' attribute",
                     __FILE__, __LINE__);
  const std::size_t dim = shape.size() - 2;
  auto per_direction = [&](const std::vector<hsize_t>& given, hsize_t fallback, size_t d) {
    return given.empty() ? fallback : given.at(d);
  };
  SampleShard shard;
  shard.first = selection.first;
  shard.count = selection.count;
  std::vector<hsize_t> stride(dim);
  bool inside = selection.first >= 0 && selection.count >= 0 &&
                selection.first + selection.count <= static_cast<long long>(shape[0]);
  for (const auto* given : {&selection.start, &selection.extent, &selection.stride})
    inside = inside && (given->empty() || given->size() == dim);
  for (std::size_t d = 0; inside && d < dim; ++d) {
    stride[d] = per_direction(selection.stride, 1, d);
    inside = stride[d] >= 1;
    if (!inside) break;
    shard.view.push_back(strided_points(shape[2 + d], static_cast<int>(stride[d])));
    shard.block_start.push_back(per_direction(selection.start, 0, d));
    shard.grid.push_back(per_direction(selection.extent, shard.view[d], d));
    inside = shard.block_start[d] + shard.grid[d] <= shard.view[d];
  }
  if (!inside)
    throw InputError("sample set '" + name + "' in '" + path_ + "' of shape " + shape_text(shape) +
                         " has no samples [" + std::to_string(selection.first) + ", " +
                         std::to_string(selection.first + selection.count) + ") x block start " +
                         shape_text(selection.start) + " extent " + shape_text(selection.extent) +
                         " stride " + shape_text(selection.stride),
                     __FILE__, __LINE__);
  shard.fields = read_string_attribute(dataset.get(), "fields");
  TESSERA_CHECK(shard.fields.size() == shape[1], "sample set '"
                                                     << name << "' names " << shard.fields.size()
                                                     << " fields but holds " << shape[1]);
  shard.values.resize(static_cast<std::size_t>(shard.count) * shard.fields.size() * shard.points());

  // Collective transfer: every rank takes part, a rank with an empty selection selecting nothing.
  std::vector<hsize_t> start{static_cast<hsize_t>(shard.first), 0},
      count{static_cast<hsize_t>(shard.count), shape[1]}, step{1, 1};
  for (std::size_t d = 0; d < dim; ++d) {
    start.push_back(shard.block_start[d] * stride[d]);
    count.push_back(shard.grid[d]);
    step.push_back(stride[d]);
  }
  const H5Handle file_space(TESSERA_H5_CALL(H5Dget_space(dataset.get())), H5Sclose);
  const H5Handle memory_space(
      TESSERA_H5_CALL(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr)),
      H5Sclose);
  double placeholder = 0.0;  // HDF5 wants a buffer even where nothing is selected
  double* buffer = shard.values.empty() ? &placeholder : shard.values.data();
  if (shard.values.empty()) {
    TESSERA_H5_CALL(H5Sselect_none(file_space.get()));
    TESSERA_H5_CALL(H5Sselect_none(memory_space.get()));
  } else {
    TESSERA_H5_CALL(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), step.data(),
                                        count.data(), nullptr));
  }
  const H5Handle transfer = collective_transfer();
  TESSERA_H5_CALL(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                          transfer.get(), buffer));
  return shard;
}

void FieldFileReader::require_finite(const std::string& what,
                                     const std::vector<double>& values) const {
  int rank = 0, size = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm_, &size));
  const auto bad =
      std::find_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); });
  int first_rank = bad == values.end() ? size : rank;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &first_rank, 1, MPI_INT, MPI_MIN, comm_));
  if (first_rank < size)
    throw InputError("'" + path_ + "': " + what + " holds a value that is not finite (NaN or " +
                         "Inf; first seen on rank " + std::to_string(first_rank) +
                         "), so there is no state to continue from",
                     __FILE__, __LINE__);
}

Table FieldFileReader::read_table(const std::string& name) const {
  require_dataset(name);
  const H5Handle dataset = open_dataset(file_, name);
  const std::vector<hsize_t> shape = shape_of(dataset);
  Table table;
  table.columns = read_string_attribute(dataset.get(), "columns");
  TESSERA_CHECK(shape.size() == 2 && shape[1] == table.columns.size(),
                "dataset '" << name << "' in '" << path_ << "' of shape " << shape_text(shape)
                            << " is not a table of " << table.columns.size() << " columns");
  table.values.resize(static_cast<std::size_t>(shape[0] * shape[1]));
  if (table.values.empty()) return table;
  const H5Handle transfer = collective_transfer();
  TESSERA_H5_CALL(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, transfer.get(),
                          table.values.data()));
  return table;
}

bool FieldFileReader::has_attribute(const std::string& name) const {
  return io::has_attribute(file_, name);
}

std::string FieldFileReader::string_attribute(const std::string& name) const {
  return single(read_string_attribute(file_, name), name);
}

std::string FieldFileReader::dataset_string_attribute(const std::string& dataset,
                                                      const std::string& name) const {
  require_dataset(dataset);
  return single(read_string_attribute(open_dataset(file_, dataset).get(), name),
                dataset + ":" + name);
}

double FieldFileReader::real_attribute(const std::string& name) const {
  return single(read_real_attribute(file_, name), name);
}

long long FieldFileReader::integer_attribute(const std::string& name) const {
  return single(read_integer_attribute(file_, name), name);
}

UniformGrid FieldFileReader::grid() const {
  TESSERA_CHECK(has_attribute("grid_points_xyz"),
                "'" << path_ << "' records no grid (FieldFile::set_grid was not called)");
  const std::vector<long long> points = read_integer_attribute(file_, "grid_points_xyz");
  const std::vector<double> origin = read_real_attribute(file_, "grid_origin_xyz");
  const std::vector<double> spacing = read_real_attribute(file_, "grid_spacing_xyz");
  TESSERA_CHECK(points.size() >= 1 && points.size() <= 3 && origin.size() == points.size() &&
                    spacing.size() == points.size(),
                "the grid attributes of '" << path_ << "' disagree on the grid's dimension");
  UniformGrid grid;
  grid.dim = static_cast<int>(points.size());
  for (int d = 0; d < grid.dim; ++d) {
    grid.points[d] = static_cast<int>(points[d]);
    grid.origin[d] = origin[d];
    grid.spacing[d] = spacing[d];
  }
  return grid;
}

void FieldFileReader::require_same_ranks(const Decomposition& decomp) const {
  int comparison = MPI_UNEQUAL;
  TESSERA_MPI_CALL(MPI_Comm_compare(comm_, decomp.comm(), &comparison));
  TESSERA_CHECK(comparison == MPI_IDENT || comparison == MPI_CONGRUENT,
                "the decomposition's communicator is not the one '" << path_ << "' is read on");
}

void FieldFileReader::require_dataset(const std::string& name) const {
  if (!has_dataset(name))
    throw InputError("'" + path_ + "' has no dataset '" + name + "'", __FILE__, __LINE__);
}

std::vector<double> read_field(const Decomposition& decomp, const std::string& path,
                               const std::string& name) {
  const FieldFileReader reader(decomp.comm(), path);
  return reader.read_field(name, decomp);
}

}  // namespace tessera::io
