#pragma once
// One HDF5 output file, written collectively by every rank of a communicator: fields as global
// datasets (each rank writes its Decomposition block as a hyperslab, no gather), small tables that
// rank 0 holds, and attributes on the root group. The file appears under its final name only once
// it is complete.
//
// Until commit() the file is written under a temporary name of the run's own
// (unique_temporary_path: `<path>.<host>.<pid>.tmp`, rank 0's host and PID), so two runs writing
// the same path never share one. A long run that can be resumed (run: dataset with
// -dataset_resume) instead writes `<path>.tmp` (resumable_path), the one name a later run can find:
// FileMode::resumable creates it and keeps it, closed, if the run ends uncommitted, and
// FileMode::resume opens it again to go on writing (the output lock keeps two runs of one name
// from sharing it). The final name still only ever holds a complete file; what in the temporary
// file is complete is for the caller to record (an attribute written after flush(), such as
// "samples_complete").
//
// Raw data goes through collective MPI-IO, except with Open MPI while its OMPIO write data sieving
// is on: that combination loses data in collective writes (see collective_writes_are_safe in
// io/hdf5.hpp), so there each rank writes independently until the environment sets
// OMPI_MCA_fbtl_posix_write_datasieving=0 (or selects ROMIO).
//
// Layout, for readers outside Tessera (h5py, h5dump, ParaView through the XDMF file):
//   /<field>   float64 [nz][ny][nx] in 3D, [ny][nx] in 2D, [nx] in 1D (x fastest), with a string
//              attribute "units" ("nondimensional" where the quantity has none)
//   /<vector>  float64 [nz][ny][nx][3] (fewer grid dimensions in 2D and 1D), components x, y, z
//              fastest, a missing component 0; attribute "units"
//   /<table>   float64 [rows][columns], with a string-array attribute "columns"
//   /<samples> float64 [samples][fields][ny][nx] (and [nz] in 3D), a data set of many samples of
//              the same fields on the same grid, with a string-array attribute "fields"; chunked
//              one field of one sample per chunk (see create_samples)
//   attributes of /: those set by the caller; "grid_points_xyz", "grid_origin_xyz" and
//   "grid_spacing_xyz" (x first) and "grid_units" from set_grid(); "time" from set_time();
//   "tessera_version", "git_revision" (of the source the library was configured from, "-dirty"
//   if it had changes), "written_utc" (ISO 8601) and "ranks" from commit()
#include <hdf5.h>
#include <mpi.h>

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/decomposition.hpp"
#include "io/hdf5.hpp"
#include "io/uniform_grid.hpp"
#include "io/xdmf.hpp"

namespace tessera::io {

/// How FieldFile opens its temporary file: create one of this run's own, removed if the run ends
/// before commit(); create resumable_path(path) afresh, kept if the run ends before commit(); or
/// open the resumable_path(path) an earlier run kept, to go on writing it (and keep it again).
enum class FileMode { create, resumable, resume };

/// The units attribute of a quantity without a unit (every PINN problem is posed on a
/// nondimensional box).
inline constexpr const char* kNondimensional = "nondimensional";

/// Not collective. `<path>.tmp`: where a resumable file is written until it is complete.
std::string resumable_path(const std::string& path);

/// Collective over comm. Whether path is a regular file (rank 0 looks; every rank learns it).
bool file_exists(MPI_Comm comm, const std::string& path);

/// Collective over comm. Whether resumable_path(path), the unfinished file of an earlier run,
/// exists.
bool unfinished_file_exists(MPI_Comm comm, const std::string& path);

class FieldFile {
public:
  /// Collective over comm, which must outlive the file. FileMode::create creates this run's
  /// unique temporary file; FileMode::resumable creates resumable_path(path) (replacing one an
  /// earlier run left); FileMode::resume opens the existing resumable_path(path) for writing (an
  /// InputError if there is none or it is not an HDF5 file). Nothing appears under path until
  /// commit().
  FieldFile(MPI_Comm comm, const std::string& path, FileMode mode = FileMode::create);

  /// Collective over comm. Without a successful commit(), closes and removes the temporary file,
  /// so an abandoned file leaves nothing behind (FileMode::resumable and resume: closes and keeps
  /// it); an existing file under path is left as it was.
  /// While an exception propagates the destructor makes no collective call, since the exception
  /// may be this rank's alone: rank 0 unlinks the temporary file and HDF5 closes the handle at
  /// MPI_Finalize.
  ~FieldFile();
  FieldFile(const FieldFile&) = delete;
  FieldFile& operator=(const FieldFile&) = delete;

  /// Not collective. The final name, and the name the file has until commit().
  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_path_; }
  /// Not collective. Whether raw data is written with collective MPI-IO (the same on every rank).
  bool collective_writes() const { return collective_writes_; }

  /// Collective over comm. Writes everything written so far to the file (H5Fflush), so that a run
  /// killed afterwards leaves it readable up to here.
  void flush();

  /// Collective over comm; decomp's communicator must have the same ranks in the same order.
  /// Writes the global dataset /name of decomp's global points, each rank its own block:
  /// local_block holds decomp.local_size() values, x fastest, index (k*ny_loc + j)*nx_loc + i.
  /// units becomes the dataset's "units" attribute.
  void write_field(const std::string& name, const Decomposition& decomp, const double* local_block,
                   const std::string& units = kNondimensional);
  /// Collective over comm, as write_field. Writes the global dataset /name of 3-component vectors
  /// at decomp's global points ([grid, slowest first][3]); local_components holds 1 to 3 blocks
  /// laid out as write_field takes them (x, y, z components; those not given are 0). The XDMF
  /// description shows it as a vector attribute.
  void write_vector_field(const std::string& name, const Decomposition& decomp,
                          const std::vector<const double*>& local_components,
                          const std::string& units);

  /// Collective over comm. Creates /name, a set of `samples` samples, each the fields
  /// field_names on decomp's global grid: float64 [samples][fields][grid, slowest first].
  /// One chunk holds one field of one sample: a training reader takes whole samples, so its reads
  /// touch only its own chunks; the chunk size does not grow with the number of samples; and the
  /// unit of writing (a sample) is a whole number of chunks. (A plane of more than 4 GiB, HDF5's
  /// chunk limit, would be split along its slowest spatial direction.)
  void create_samples(const std::string& name, const Decomposition& decomp, long long samples,
                      const std::vector<std::string>& field_names);
  /// Collective over comm. As above on the grid block.global (slowest first) that need not be a
  /// Decomposition's, e.g. a subsampled view of one (block's start and count are not used).
  void create_samples(const std::string& name, const BlockSelection& block, long long samples,
                      const std::vector<std::string>& field_names);

  /// Collective over comm. Writes sample `sample` of /name (made by create_samples with the same
  /// grid), each rank its own block of every field: local_blocks[f] holds decomp.local_size()
  /// values of field f, x fastest, as write_field takes them.
  void write_sample(const std::string& name, const Decomposition& decomp, long long sample,
                    const std::vector<const double*>& local_blocks);
  /// Collective over comm. As above, each rank writing its block [block.start, block.start +
  /// block.count) of the grid block.global (slowest first; the ranks' blocks disjoint, an empty
  /// one allowed); local_blocks[f] holds the block's values of field f, x fastest. sample may
  /// differ between ranks: with samples split over ranks each writes the whole grid of its own
  /// sample (or an empty block in a round where it has none).
  void write_sample(const std::string& name, const BlockSelection& block, long long sample,
                    const std::vector<const double*>& local_blocks);

  /// Collective over comm. Writes /name as a [rows][columns] table from rank 0's column_names and
  /// rows (row-major, rows.size() a multiple of the column count), replacing a table written
  /// before under that name; other ranks' arguments are ignored, so they may pass empty vectors.
  /// Zero rows is a valid table.
  void write_table(const std::string& name, const std::vector<std::string>& column_names,
                   const std::vector<double>& rows);

  /// Collective over comm. Sets attribute name on the root group, replacing one of the same name.
  /// Rank 0's value is stored: HDF5 needs identical metadata from every rank, and a value such as
  /// a timing may differ between ranks.
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value);
  void set_attribute(const std::string& name, double value);
  /// Integers (and bool, as 0 or 1) are stored as 64-bit integers.
  template <class Integer, std::enable_if_t<std::is_integral_v<Integer>, int> = 0>
  void set_attribute(const std::string& name, Integer value) {
    set_integer_attribute(name, static_cast<long long>(value));
  }

  /// Collective over comm. Sets attribute name of the dataset /dataset (written before),
  /// replacing one of the same name; rank 0's value is stored. For what a dataset's values mean
  /// (units, the meaning of coded values).
  void set_dataset_attribute(const std::string& dataset, const std::string& name,
                             const std::string& value);

  /// Collective over comm. Records where the grid's points lie, as root attributes (rank 0's
  /// grid is stored), for viewers and for xdmf_description(); units is the unit of the
  /// coordinates ("grid_units").
  void set_grid(const UniformGrid& grid, const std::string& units = kNondimensional);

  /// Collective over comm. The physical time of the fields: root attribute "time" and the
  /// <Time> of the XDMF description (rank 0's value is stored).
  void set_time(double time);

  /// Not collective. The XDMF description of this file: the grid from set_grid() (which must
  /// have been called), the fields and vector fields written so far whose shape is that grid's,
  /// and the time from set_time(), if any.
  XdmfDescription xdmf_description() const;

  /// Collective over comm. Adds the provenance attributes, closes the file and, once every rank
  /// has finished writing, renames temporary_path() to path (replacing an existing file in one
  /// step). Nothing can be written afterwards.
  void commit();
  /// Collective over comm. As commit(), for a checkpoint of which the last `kept` (>= 1) are kept:
  /// the file becomes the newest at path and the earlier ones move to older names
  /// (io::commit_kept_checkpoint, io/restart.hpp), those beyond `kept` removed.
  void commit_checkpoint(int kept);
  /// Collective over comm. commit(), then the file's XDMF description (xdmf_description())
  /// beside it, the same path with the extension .xmf, so viewers open the finished file.
  void commit_with_xdmf();

private:
  struct WrittenField {
    std::string name;
    int dim;
    std::array<int, 3> points;
    bool vector;
  };
  void set_integer_attribute(const std::string& name, long long value);
  // Writes the global dataset /name of decomp's points with `components` values per point
  // (fastest), with its units attribute, and records it for xdmf_description().
  void write_grid_dataset(const std::string& name, const Decomposition& decomp, int components,
                          const double* values, const std::string& units);
  // Creates /name of shape global and writes this rank's hyperslab [start, start + count).
  void write_selection(const std::string& name, const std::vector<hsize_t>& global,
                       const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                       const double* values);
  H5Handle dataset_of(const std::string& name) const;
  void publish(int kept);
  void require_open(const char* operation) const;
  void require_same_ranks(const Decomposition& decomp) const;
  void write_raw(hid_t dataset, hid_t memory_space, hid_t file_space, const double* values);
  void discard() noexcept;
  void close_unfinished() noexcept;
  void abandon() noexcept;

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::string path_, temporary_path_;
  hid_t file_ = H5I_INVALID_HID;
  bool committed_ = false;
  bool keep_unfinished_ = false;
  int exceptions_at_creation_ = 0;
  bool collective_writes_ = true;
  std::vector<WrittenField> fields_;
  std::optional<UniformGrid> grid_;
  std::optional<double> time_;
};

}  // namespace tessera::io
