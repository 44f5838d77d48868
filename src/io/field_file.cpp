#include "io/field_file.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/hdf5.hpp"
#include "io/output_directory.hpp"
#include "io/restart.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace {

// Datasets live at the root: a '/' would silently ask for a group instead.
void check_dataset_name(const std::string& name) {
  TESSERA_CHECK(!name.empty() && name.find('/') == std::string::npos,
                "dataset name '" << name << "' must be non-empty and contain no '/'");
}

// chunk, if given, is the chunk shape (one entry per dimension of space); otherwise the layout is
// contiguous.
H5Handle create_dataset(hid_t file, const std::string& name, hid_t space, const std::string& path,
                        const std::vector<hsize_t>& chunk = {}) {
  TESSERA_CHECK(TESSERA_H5_CALL(H5Lexists(file, name.c_str(), H5P_DEFAULT)) == 0,
                "'" << path << "' already has a dataset '" << name << "'");
  H5Handle creation(TESSERA_H5_CALL(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
  // Every element is written right after creation; filling first would write the data twice.
  TESSERA_H5_CALL(H5Pset_fill_time(creation.get(), H5D_FILL_TIME_NEVER));
  if (!chunk.empty())
    TESSERA_H5_CALL(H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data()));
  return H5Handle(TESSERA_H5_CALL(H5Dcreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT,
                                             creation.get(), H5P_DEFAULT)),
                  H5Dclose);
}

// One field of one sample, split along the slowest spatial direction while it exceeds HDF5's
// 4 GiB chunk limit.
std::vector<hsize_t> sample_chunk(const std::vector<hsize_t>& shape) {
  std::vector<hsize_t> chunk = shape;
  chunk[0] = chunk[1] = 1;
  const hsize_t limit = (hsize_t(1) << 32) / sizeof(double) - 1;
  auto elements = [&] {
    hsize_t n = 1;
    for (hsize_t extent : chunk) n *= extent;
    return n;
  };
  while (elements() > limit) chunk[2] = (chunk[2] + 1) / 2;
  return chunk;
}

template <class Value>
std::vector<Value> first_entries(const std::array<Value, 3>& values, int count) {
  return std::vector<Value>(values.begin(), values.begin() + count);
}

void note_independent_writes(MPI_Comm comm) {
  static bool noted = false;
  if (noted) return;
  noted = true;
  print_root(
      "tessera: writing HDF5 fields with independent MPI-IO, since Open MPI's OMPIO loses data "
      "in collective writes with write data sieving on (open-mpi/ompi#12718); set "
      "OMPI_MCA_fbtl_posix_write_datasieving=0 for collective writes",
      comm);
}

}  // namespace

std::string resumable_path(const std::string& path) { return path + ".tmp"; }

bool file_exists(MPI_Comm comm, const std::string& path) {
  const std::string exists = run_on_root(
      comm, [&] { return std::string(std::filesystem::is_regular_file(path) ? "yes" : ""); });
  return !exists.empty();
}

bool unfinished_file_exists(MPI_Comm comm, const std::string& path) {
  return file_exists(comm, resumable_path(path));
}

FieldFile::FieldFile(MPI_Comm comm, const std::string& path, FileMode mode)
    : comm_(comm),
      path_(path),
      keep_unfinished_(mode != FileMode::create),
      exceptions_at_creation_(std::uncaught_exceptions()) {
  silence_hdf5_error_printing();
  TESSERA_MPI_CALL(MPI_Comm_rank(comm_, &rank_));
  TESSERA_MPI_CALL(MPI_Comm_size(comm_, &size_));
  temporary_path_ = keep_unfinished_ ? resumable_path(path)
                                     : broadcast_string(comm_, unique_temporary_path(path));
  // The transfer mode must agree on every rank, or the collective calls would not match.
  int safe = collective_writes_are_safe() ? 1 : 0;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &safe, 1, MPI_INT, MPI_MIN, comm_));
  collective_writes_ = safe == 1;
  if (!collective_writes_) note_independent_writes(comm_);
  if (mode == FileMode::resume) {
    const std::string unusable = run_on_root(comm_, [&] {
      if (!std::filesystem::is_regular_file(temporary_path_))
        return "no unfinished file '" + temporary_path_ + "' to resume";
      if (!is_hdf5_file(temporary_path_))
        return "the unfinished file '" + temporary_path_ + "' is not an HDF5 file";
      return std::string();
    });
    if (!unusable.empty()) throw InputError(unusable, __FILE__, __LINE__);
  }
  const H5Handle access = mpio_file_access(comm_);
  try {
    file_ = mode == FileMode::resume
                ? TESSERA_H5_CALL(H5Fopen(temporary_path_.c_str(), H5F_ACC_RDWR, access.get()))
                : TESSERA_H5_CALL(
                      H5Fcreate(temporary_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()));
  } catch (const Error& e) {
    // The MPI-IO driver's messages do not say which file failed.
    throw Error("cannot " + std::string(mode == FileMode::resume ? "open" : "create") + " '" +
                    temporary_path_ + "': " + e.message(),
                __FILE__, __LINE__);
  }
}

FieldFile::~FieldFile() {
  if (committed_) return;
  const bool unwinding = std::uncaught_exceptions() > exceptions_at_creation_;
  if (keep_unfinished_) {
    // Unwinding, the handle is left to HDF5's shutdown (see abandon), the file to a later run.
    if (!unwinding) close_unfinished();
  } else if (unwinding) {
    abandon();
  } else {
    discard();
  }
}

void FieldFile::flush() {
  require_open("flush");
  TESSERA_H5_CALL(H5Fflush(file_, H5F_SCOPE_GLOBAL));
}

void FieldFile::write_field(const std::string& name, const Decomposition& decomp,
                            const double* local_block, const std::string& units) {
  require_open("write_field");
  TESSERA_CHECK(local_block != nullptr, "write_field('" << name << "'): no local block given");
  write_grid_dataset(name, decomp, 1, local_block, units);
}

void FieldFile::write_vector_field(const std::string& name, const Decomposition& decomp,
                                   const std::vector<const double*>& local_components,
                                   const std::string& units) {
  require_open("write_vector_field");
  TESSERA_CHECK(!local_components.empty() && local_components.size() <= 3,
                "write_vector_field('" << name << "'): " << local_components.size()
                                       << " components given, not 1 to 3");
  const std::size_t points = static_cast<std::size_t>(decomp.local_size());
  std::vector<double> interleaved(3 * points, 0.0);
  for (std::size_t c = 0; c < local_components.size(); ++c) {
    TESSERA_CHECK(local_components[c] != nullptr,
                  "write_vector_field('" << name << "'): no block given for component " << c);
    for (std::size_t p = 0; p < points; ++p) interleaved[3 * p + c] = local_components[c][p];
  }
  write_grid_dataset(name, decomp, 3, interleaved.data(), units);
}

void FieldFile::write_grid_dataset(const std::string& name, const Decomposition& decomp,
                                   int components, const double* values, const std::string& units) {
  check_dataset_name(name);
  require_same_ranks(decomp);
  const GridHyperslab slab = grid_hyperslab(decomp, components);
  write_selection(name, slab.global, slab.start, slab.count, values);
  write_attribute(dataset_of(name).get(), "units", broadcast_string(comm_, units));
  fields_.push_back({name, decomp.dim(), decomp.global_points(), components > 1});
}

void FieldFile::write_selection(const std::string& name, const std::vector<hsize_t>& global,
                                const std::vector<hsize_t>& start,
                                const std::vector<hsize_t>& count, const double* values) {
  const int rank = static_cast<int>(global.size());
  const H5Handle file_space(TESSERA_H5_CALL(H5Screate_simple(rank, global.data(), nullptr)),
                            H5Sclose);
  const H5Handle dataset = create_dataset(file_, name, file_space.get(), path_);
  TESSERA_H5_CALL(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                      count.data(), nullptr));
  const H5Handle memory_space(TESSERA_H5_CALL(H5Screate_simple(rank, count.data(), nullptr)),
                              H5Sclose);
  write_raw(dataset.get(), memory_space.get(), file_space.get(), values);
}

H5Handle FieldFile::dataset_of(const std::string& name) const {
  TESSERA_CHECK(TESSERA_H5_CALL(H5Lexists(file_, name.c_str(), H5P_DEFAULT)) > 0,
                "'" << path_ << "' has no dataset '" << name << "'");
  return H5Handle(TESSERA_H5_CALL(H5Dopen2(file_, name.c_str(), H5P_DEFAULT)), H5Dclose);
}

void FieldFile::set_dataset_attribute(const std::string& dataset, const std::string& name,
                                      const std::string& value) {
  require_open("set_dataset_attribute");
  check_dataset_name(dataset);
  write_attribute(dataset_of(dataset).get(), name, broadcast_string(comm_, value));
}

void FieldFile::create_samples(const std::string& name, const Decomposition& decomp,
                               long long samples, const std::vector<std::string>& field_names) {
  require_same_ranks(decomp);
  create_samples(name, block_selection(decomp), samples, field_names);
}

void FieldFile::create_samples(const std::string& name, const BlockSelection& block,
                               long long samples, const std::vector<std::string>& field_names) {
  require_open("create_samples");
  check_dataset_name(name);
  TESSERA_CHECK(samples >= 1, "sample set '" << name << "' needs at least one sample");
  TESSERA_CHECK(!field_names.empty(), "sample set '" << name << "' needs at least one field");
  std::vector<hsize_t> shape{static_cast<hsize_t>(samples), field_names.size()};
  shape.insert(shape.end(), block.global.begin(), block.global.begin() + block.rank);
  const H5Handle file_space(
      TESSERA_H5_CALL(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr)),
      H5Sclose);
  const H5Handle dataset =
      create_dataset(file_, name, file_space.get(), path_, sample_chunk(shape));
  write_attribute(dataset.get(), "fields", broadcast_strings(comm_, field_names));
  write_attribute(dataset.get(), "units", std::string(kNondimensional));
}

void FieldFile::write_sample(const std::string& name, const Decomposition& decomp, long long sample,
                             const std::vector<const double*>& local_blocks) {
  require_same_ranks(decomp);
  write_sample(name, block_selection(decomp), sample, local_blocks);
}

void FieldFile::write_sample(const std::string& name, const BlockSelection& block, long long sample,
                             const std::vector<const double*>& local_blocks) {
  require_open("write_sample");
  check_dataset_name(name);
  TESSERA_CHECK(TESSERA_H5_CALL(H5Lexists(file_, name.c_str(), H5P_DEFAULT)) > 0,
                "write_sample: '" << path_ << "' has no sample set '" << name
                                  << "' (call create_samples first)");
  const H5Handle dataset(TESSERA_H5_CALL(H5Dopen2(file_, name.c_str(), H5P_DEFAULT)), H5Dclose);
  const H5Handle file_space(TESSERA_H5_CALL(H5Dget_space(dataset.get())), H5Sclose);
  const int rank = block.rank + 2;
  TESSERA_CHECK(TESSERA_H5_CALL(H5Sget_simple_extent_ndims(file_space.get())) == rank,
                "write_sample: sample set '" << name << "' is not on a " << block.rank << "D grid");
  std::vector<hsize_t> shape(rank);
  TESSERA_H5_CALL(H5Sget_simple_extent_dims(file_space.get(), shape.data(), nullptr));
  TESSERA_CHECK(std::equal(shape.begin() + 2, shape.end(), block.global.begin()),
                "write_sample: sample set '" << name << "' has shape " << shape_text(shape)
                                             << ", not the writer's grid");
  TESSERA_CHECK(sample >= 0 && static_cast<hsize_t>(sample) < shape[0],
                "write_sample: sample " << sample << " is outside sample set '" << name << "' of "
                                        << shape[0] << " samples");
  TESSERA_CHECK(local_blocks.size() == shape[1], "write_sample: " << local_blocks.size()
                                                                  << " fields given, sample set '"
                                                                  << name << "' has " << shape[1]);
  // This rank's block of every field, one after the other: the memory layout of the hyperslab.
  std::size_t block_size = 1;
  for (int d = 0; d < block.rank; ++d) block_size *= static_cast<std::size_t>(block.count[d]);
  std::vector<double> stacked(std::max<std::size_t>(block_size * local_blocks.size(), 1));
  for (std::size_t f = 0; f < local_blocks.size() && block_size > 0; ++f) {
    TESSERA_CHECK(local_blocks[f] != nullptr, "write_sample: no block given for field " << f);
    std::copy(local_blocks[f], local_blocks[f] + block_size, stacked.begin() + f * block_size);
  }
  std::vector<hsize_t> start{static_cast<hsize_t>(sample), 0}, count{1, shape[1]};
  start.insert(start.end(), block.start.begin(), block.start.begin() + block.rank);
  count.insert(count.end(), block.count.begin(), block.count.begin() + block.rank);
  const H5Handle memory_space(TESSERA_H5_CALL(H5Screate_simple(rank, count.data(), nullptr)),
                              H5Sclose);
  if (block_size == 0) {  // a collective write still needs this rank, selecting nothing
    TESSERA_H5_CALL(H5Sselect_none(file_space.get()));
    TESSERA_H5_CALL(H5Sselect_none(memory_space.get()));
  } else {
    TESSERA_H5_CALL(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                        count.data(), nullptr));
  }
  write_raw(dataset.get(), memory_space.get(), file_space.get(), stacked.data());
}

void FieldFile::write_table(const std::string& name, const std::vector<std::string>& column_names,
                            const std::vector<double>& rows) {
  require_open("write_table");
  check_dataset_name(name);
  // Every rank must create the dataset with the same shape; only rank 0 knows it.
  const std::vector<std::string> columns = broadcast_strings(comm_, column_names);
  unsigned long long value_count = rows.size();
  TESSERA_MPI_CALL(MPI_Bcast(&value_count, 1, MPI_UNSIGNED_LONG_LONG, 0, comm_));
  TESSERA_CHECK(!columns.empty(), "table '" << name << "' has no columns");
  TESSERA_CHECK(value_count % columns.size() == 0,
                "table '" << name << "': rank 0 holds " << value_count
                          << " values, which is not a whole number of rows of " << columns.size()
                          << " columns");
  const hsize_t shape[2] = {value_count / columns.size(), columns.size()};
  const H5Handle file_space(TESSERA_H5_CALL(H5Screate_simple(2, shape, nullptr)), H5Sclose);
  // A table recorded as a run goes (a resumable run's progress) is replaced by its newer rows.
  if (TESSERA_H5_CALL(H5Lexists(file_, name.c_str(), H5P_DEFAULT)) > 0)
    TESSERA_H5_CALL(H5Ldelete(file_, name.c_str(), H5P_DEFAULT));
  const H5Handle dataset = create_dataset(file_, name, file_space.get(), path_);
  write_attribute(dataset.get(), "columns", columns);
  if (value_count == 0) return;

  const H5Handle memory_space(TESSERA_H5_CALL(H5Screate_simple(2, shape, nullptr)), H5Sclose);
  const double* values = rows.data();
  const double placeholder = 0.0;  // HDF5 wants a buffer even where nothing is selected
  if (rank_ != 0) {
    TESSERA_H5_CALL(H5Sselect_none(file_space.get()));
    TESSERA_H5_CALL(H5Sselect_none(memory_space.get()));
    values = &placeholder;
  }
  write_raw(dataset.get(), memory_space.get(), file_space.get(), values);
}

void FieldFile::set_attribute(const std::string& name, const std::string& value) {
  require_open("set_attribute");
  write_attribute(file_, name, broadcast_string(comm_, value));
}

void FieldFile::set_attribute(const std::string& name, const char* value) {
  set_attribute(name, std::string(value ? value : ""));
}

void FieldFile::set_attribute(const std::string& name, double value) {
  require_open("set_attribute");
  TESSERA_MPI_CALL(MPI_Bcast(&value, 1, MPI_DOUBLE, 0, comm_));
  write_attribute(file_, name, value);
}

void FieldFile::set_integer_attribute(const std::string& name, long long value) {
  require_open("set_attribute");
  TESSERA_MPI_CALL(MPI_Bcast(&value, 1, MPI_LONG_LONG, 0, comm_));
  write_attribute(file_, name, value);
}

void FieldFile::set_time(double time) {
  set_attribute("time", time);
  TESSERA_MPI_CALL(MPI_Bcast(&time, 1, MPI_DOUBLE, 0, comm_));
  time_ = time;
}

void FieldFile::set_grid(const UniformGrid& grid, const std::string& units) {
  require_open("set_grid");
  UniformGrid shared = grid;
  TESSERA_MPI_CALL(MPI_Bcast(&shared.dim, 1, MPI_INT, 0, comm_));
  TESSERA_MPI_CALL(MPI_Bcast(shared.points.data(), 3, MPI_INT, 0, comm_));
  TESSERA_MPI_CALL(MPI_Bcast(shared.origin.data(), 3, MPI_DOUBLE, 0, comm_));
  TESSERA_MPI_CALL(MPI_Bcast(shared.spacing.data(), 3, MPI_DOUBLE, 0, comm_));
  const std::string problem = grid_problem(shared);
  TESSERA_CHECK(problem.empty(), "set_grid for '" << path_ << "': " << problem);
  const std::vector<int> points = first_entries(shared.points, shared.dim);
  write_attribute(file_, "grid_points_xyz", std::vector<long long>(points.begin(), points.end()));
  write_attribute(file_, "grid_origin_xyz", first_entries(shared.origin, shared.dim));
  write_attribute(file_, "grid_spacing_xyz", first_entries(shared.spacing, shared.dim));
  write_attribute(file_, "grid_units", broadcast_string(comm_, units));
  grid_ = shared;
}

XdmfDescription FieldFile::xdmf_description() const {
  TESSERA_CHECK(grid_.has_value(),
                "xdmf_description of '" << path_ << "' needs the grid: call set_grid() first");
  XdmfDescription description;
  description.h5_file = std::filesystem::path(path_).filename().string();
  description.grid = *grid_;
  description.time = time_;
  for (const auto& field : fields_) {
    bool same_shape = field.dim == grid_->dim;
    for (int d = 0; same_shape && d < field.dim; ++d)
      same_shape = field.points[d] == grid_->points[d];
    if (same_shape) (field.vector ? description.vectors : description.fields).push_back(field.name);
  }
  return description;
}

void FieldFile::commit() { publish(0); }

void FieldFile::commit_checkpoint(int kept) {
  TESSERA_CHECK(kept >= 1, "commit_checkpoint of '" << path_ << "': keep at least 1, not " << kept);
  publish(kept);
}

// kept: how many checkpoints to keep, 0 for a file that simply replaces its predecessor.
void FieldFile::publish(int kept) {
  require_open("commit");
  set_attribute("tessera_version", std::string(tessera::version));
  set_attribute("git_revision", std::string(tessera::git_revision));
  set_attribute("written_utc", utc_now());
  set_attribute("ranks", size_);
  const hid_t file = file_;
  file_ = H5I_INVALID_HID;
  TESSERA_H5_CALL(H5Fclose(file));
  // The rename publishes the file: every rank's data must be on disk before it.
  TESSERA_MPI_CALL(MPI_Barrier(comm_));
  const std::string failure = run_on_root(comm_, [&] {
    if (kept > 0)
      commit_kept_checkpoint(temporary_path_, path_, kept);
    else
      std::filesystem::rename(temporary_path_, path_);
    return std::string();
  });
  TESSERA_CHECK(failure.empty(), "could not move the finished file '" << temporary_path_ << "' to '"
                                                                      << path_ << "': " << failure);
  committed_ = true;
}

void FieldFile::commit_with_xdmf() {
  const auto description = xdmf_description();
  commit();
  write_xdmf(comm_, std::filesystem::path(path_).replace_extension(".xmf").string(), description);
}

void FieldFile::write_raw(hid_t dataset, hid_t memory_space, hid_t file_space,
                          const double* values) {
  const H5Handle transfer = collective_writes_ ? collective_transfer() : independent_transfer();
  TESSERA_H5_CALL(
      H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space, file_space, transfer.get(), values));
}

void FieldFile::require_open(const char* operation) const {
  TESSERA_CHECK(file_ >= 0, operation << " on '" << path_ << "': the file is already committed");
}

void FieldFile::require_same_ranks(const Decomposition& decomp) const {
  int comparison = MPI_UNEQUAL;
  TESSERA_MPI_CALL(MPI_Comm_compare(comm_, decomp.comm(), &comparison));
  TESSERA_CHECK(comparison == MPI_IDENT || comparison == MPI_CONGRUENT,
                "the decomposition's communicator is not the one '" << path_ << "' is written on");
}

void FieldFile::discard() noexcept {
  if (file_ >= 0) H5Fclose(file_);
  file_ = H5I_INVALID_HID;
  MPI_Barrier(comm_);  // no rank may still write when the file goes
  std::error_code ignored;
  if (rank_ == 0) std::filesystem::remove(temporary_path_, ignored);
  MPI_Barrier(comm_);  // and none may find it afterwards
}

void FieldFile::close_unfinished() noexcept {
  if (file_ >= 0) H5Fclose(file_);
  file_ = H5I_INVALID_HID;
  MPI_Barrier(comm_);  // the file is complete on disk up to here for whoever opens it next
}

void FieldFile::abandon() noexcept {
  std::error_code ignored;
  if (rank_ == 0) std::filesystem::remove(temporary_path_, ignored);
}

}  // namespace tessera::io
