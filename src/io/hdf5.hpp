#pragma once
// The checked layer over the HDF5 C API that everything in src/io goes through: one macro for
// return codes, one owner for identifiers, the MPI-IO property lists, the hyperslab of a
// Decomposition's block, and typed attributes.
#include <hdf5.h>
#include <mpi.h>

#include <array>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"

namespace tessera::io {

/// Turns off HDF5's automatic error-stack printing (not collective; idempotent). A failed call then
/// reaches the user once, as the tessera::Error thrown by TESSERA_H5_CALL, whose message carries
/// the stack's descriptions, instead of as a trace printed by every rank.
void silence_hdf5_error_printing();

/// Whether path is a readable HDF5 file (not collective; opens nothing for writing). A file of
/// another format, or one that cannot be read, is not.
bool is_hdf5_file(const std::string& path);

/// Not collective. What HDF5's error stack says of the last failure: its outermost description
/// (what the call was doing) and its innermost one (why it failed); clears the stack.
std::string error_stack_text();

/// Throws tessera::Error naming the failed call and the descriptions on HDF5's error stack.
[[noreturn]] void throw_hdf5_error(const char* call, const char* file, int line);

/// HDF5 reports failure as a negative herr_t, hid_t or htri_t; anything else passes through.
template <class Result>
Result check_hdf5(Result result, const char* call, const char* file, int line) {
  if (result < 0) throw_hdf5_error(call, file, line);
  return result;
}

/// Owns one HDF5 identifier and closes it with the matching H5*close on destruction (a close
/// failure there can only be ignored; files, whose close matters, are closed explicitly).
class H5Handle {
public:
  using Closer = herr_t (*)(hid_t);
  H5Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  ~H5Handle() { reset(); }
  H5Handle(H5Handle&& other) noexcept : id_(other.id_), close_(other.close_) {
    other.id_ = H5I_INVALID_HID;
  }
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;

  hid_t get() const { return id_; }

private:
  void reset() noexcept;
  hid_t id_;
  Closer close_;
};

/// File access through the MPI-IO driver on comm, with collective metadata reads and writes.
H5Handle mpio_file_access(MPI_Comm comm);
/// A transfer property list asking for collective MPI-IO.
H5Handle collective_transfer();
/// A transfer property list asking for independent MPI-IO (each rank on its own).
H5Handle independent_transfer();

/// Whether collective MPI-IO writes keep every rank's data (not collective; pure). Open MPI's
/// OMPIO, with its default write data sieving, loses updates in collective writes: an aggregator
/// writes back a stale read of a region other ranks are writing (open-mpi/ompi#12718; seen here
/// with 4.1.4, reported up to 4.1.6). So with Open MPI they are safe only if the environment
/// turns that sieving off or selects ROMIO. Takes MPI_Get_library_version's text and the values
/// of OMPI_MCA_fbtl_posix_write_datasieving and OMPI_MCA_io (nullptr when unset).
bool collective_writes_are_safe(const std::string& mpi_library, const char* write_datasieving,
                                const char* io_component);
/// collective_writes_are_safe() for this process and its environment (not collective).
bool collective_writes_are_safe();

/// Where one rank's block of a Decomposition lies in the global dataset. HDF5 orders dimensions
/// slowest first, so index 0 is z in 3D (y in 2D) and directions beyond dim() are dropped.
struct BlockSelection {
  int rank = 0;
  std::array<hsize_t, 3> global{}, start{}, count{};
};
BlockSelection block_selection(const Decomposition& decomp);

/// The dataset of a Decomposition's grid with `components` values per point (the fastest
/// dimension; 1: a scalar field, no such dimension): its shape and this rank's hyperslab.
struct GridHyperslab {
  std::vector<hsize_t> global, start, count;
};
GridHyperslab grid_hyperslab(const Decomposition& decomp, int components);

/// "[11][13]": a shape as it is written in messages, slowest dimension first.
std::string shape_text(const std::vector<hsize_t>& shape);

// Attributes on an HDF5 object (a file id means its root group). Writing replaces an attribute of
// the same name. Collective where the object's file was opened with MPI-IO: every rank passes the
// same values. A single number is stored as a scalar, a vector as a 1D array; the overloads take
// exact types, so an int argument is a compile error rather than a silent choice.
void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, long long value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
void write_attribute(hid_t object, const std::string& name, const std::vector<double>& values);
void write_attribute(hid_t object, const std::string& name, const std::vector<long long>& values);

bool has_attribute(hid_t object, const std::string& name);
/// Readers throw tessera::Error if the attribute is missing or holds another kind of value.
std::vector<std::string> read_string_attribute(hid_t object, const std::string& name);
std::vector<double> read_real_attribute(hid_t object, const std::string& name);
std::vector<long long> read_integer_attribute(hid_t object, const std::string& name);

}  // namespace tessera::io

/// Checks an HDF5 return code and passes the value on: hid_t f = TESSERA_H5_CALL(H5Fopen(...)).
#define TESSERA_H5_CALL(call) ::tessera::io::check_hdf5((call), #call, __FILE__, __LINE__)
