#include "io/hdf5.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace tessera::io {

namespace {

// The outermost description says what the API call was doing, the innermost one why it failed
// ("unable to create file" ... "No such file or directory"); the levels between add little.
struct StackDescriptions {
  std::string outermost, innermost;
};

herr_t collect_description(unsigned, const H5E_error2_t* entry, void* data) {
  auto* found = static_cast<StackDescriptions*>(data);
  const std::string description = entry->desc ? entry->desc : "";
  if (found->outermost.empty()) found->outermost = description;
  found->innermost = description;
  return 0;
}

// Variable-length strings: h5py and HDF5 tools read them as plain strings of any length, so the
// options of a run fit in one attribute.
H5Handle variable_string_type() {
  H5Handle type(TESSERA_H5_CALL(H5Tcopy(H5T_C_S1)), H5Tclose);
  TESSERA_H5_CALL(H5Tset_size(type.get(), H5T_VARIABLE));
  TESSERA_H5_CALL(H5Tset_cset(type.get(), H5T_CSET_UTF8));
  return type;
}

// A scalar dataspace for one value (what h5py shows as a plain number), a 1D one otherwise.
H5Handle attribute_space(std::size_t count, bool scalar) {
  if (scalar) return H5Handle(TESSERA_H5_CALL(H5Screate(H5S_SCALAR)), H5Sclose);
  const hsize_t dims[1] = {static_cast<hsize_t>(count)};
  return H5Handle(TESSERA_H5_CALL(H5Screate_simple(1, dims, nullptr)), H5Sclose);
}

H5Handle create_attribute(hid_t object, const std::string& name, hid_t type, hid_t space) {
  if (TESSERA_H5_CALL(H5Aexists(object, name.c_str())) > 0)
    TESSERA_H5_CALL(H5Adelete(object, name.c_str()));
  return H5Handle(
      TESSERA_H5_CALL(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT)),
      H5Aclose);
}

void write_strings(hid_t object, const std::string& name, const std::vector<std::string>& values,
                   bool scalar) {
  const H5Handle type = variable_string_type();
  const H5Handle space = attribute_space(values.size(), scalar);
  const H5Handle attribute = create_attribute(object, name, type.get(), space.get());
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  TESSERA_H5_CALL(H5Awrite(attribute.get(), type.get(), pointers.data()));
}

template <class Value>
void write_numbers(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                   const std::vector<Value>& values, bool scalar) {
  const H5Handle space = attribute_space(values.size(), scalar);
  const H5Handle attribute = create_attribute(object, name, file_type, space.get());
  TESSERA_H5_CALL(H5Awrite(attribute.get(), memory_type, values.data()));
}

H5Handle open_attribute(hid_t object, const std::string& name) {
  TESSERA_CHECK(has_attribute(object, name), "HDF5 attribute '" << name << "' does not exist");
  return H5Handle(TESSERA_H5_CALL(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
}

std::size_t element_count(const H5Handle& attribute) {
  const H5Handle space(TESSERA_H5_CALL(H5Aget_space(attribute.get())), H5Sclose);
  return static_cast<std::size_t>(TESSERA_H5_CALL(H5Sget_simple_extent_npoints(space.get())));
}

void check_class(const H5Handle& attribute, const std::string& name, H5T_class_t expected,
                 const char* kind) {
  const H5Handle type(TESSERA_H5_CALL(H5Aget_type(attribute.get())), H5Tclose);
  TESSERA_CHECK(TESSERA_H5_CALL(H5Tget_class(type.get())) == expected,
                "HDF5 attribute '" << name << "' does not hold " << kind);
}

template <class Value>
std::vector<Value> read_numbers(hid_t object, const std::string& name, H5T_class_t expected,
                                const char* kind, hid_t memory_type) {
  const H5Handle attribute = open_attribute(object, name);
  check_class(attribute, name, expected, kind);
  std::vector<Value> values(element_count(attribute));
  TESSERA_H5_CALL(H5Aread(attribute.get(), memory_type, values.data()));
  return values;
}

}  // namespace

std::string error_stack_text() {
  StackDescriptions found;
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_description, &found) < 0) return "";
  H5Eclear2(H5E_DEFAULT);
  if (found.outermost.empty()) return "";
  if (found.innermost == found.outermost) return found.outermost;
  return found.outermost + ": " + found.innermost;
}

void silence_hdf5_error_printing() {
  static const bool silenced = [] {
    TESSERA_H5_CALL(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr));
    return true;
  }();
  (void)silenced;
}

bool is_hdf5_file(const std::string& path) {
#if H5_VERSION_GE(1, 12, 0)
  const htri_t answer = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
  const htri_t answer = H5Fis_hdf5(path.c_str());
#endif
  H5Eclear2(H5E_DEFAULT);  // a negative answer leaves a stack nobody will read
  return answer > 0;
}

void throw_hdf5_error(const char* call, const char* file, int line) {
  std::string message = std::string("HDF5 call failed: ") + call;
  const std::string stack = error_stack_text();
  if (!stack.empty()) message += ": " + stack;
  throw Error(message, file, line);
}

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void H5Handle::reset() noexcept {
  if (id_ >= 0) close_(id_);
  id_ = H5I_INVALID_HID;
}

H5Handle mpio_file_access(MPI_Comm comm) {
  H5Handle fapl(TESSERA_H5_CALL(H5Pcreate(H5P_FILE_ACCESS)), H5Pclose);
  TESSERA_H5_CALL(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL));
  // Every rank calls every metadata operation anyway (the API is collective); saying so lets
  // HDF5 read metadata once and broadcast it instead of every rank hitting the file system.
  TESSERA_H5_CALL(H5Pset_all_coll_metadata_ops(fapl.get(), true));
  TESSERA_H5_CALL(H5Pset_coll_metadata_write(fapl.get(), true));
  // The 1.8 format keeps many or large attributes in dense storage instead of failing at the
  // 64 KiB object-header limit.
  TESSERA_H5_CALL(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  return fapl;
}

H5Handle collective_transfer() {
  H5Handle dxpl(TESSERA_H5_CALL(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
  TESSERA_H5_CALL(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE));
  return dxpl;
}

H5Handle independent_transfer() {
  H5Handle dxpl(TESSERA_H5_CALL(H5Pcreate(H5P_DATASET_XFER)), H5Pclose);
  TESSERA_H5_CALL(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_INDEPENDENT));
  return dxpl;
}

bool collective_writes_are_safe(const std::string& mpi_library, const char* write_datasieving,
                                const char* io_component) {
  if (mpi_library.find("Open MPI") == std::string::npos) return true;
  const auto lower = [](const char* text) {
    std::string value = text ? text : "";
    for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return value;
  };
  const std::string sieving = lower(write_datasieving);
  if (sieving == "0" || sieving == "false" || sieving == "no") return true;
  const std::string io = lower(io_component);
  return io.rfind("romio", 0) == 0 || io == "^ompio";
}

bool collective_writes_are_safe() {
  char library[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  TESSERA_MPI_CALL(MPI_Get_library_version(library, &length));
  return collective_writes_are_safe(std::string(library, length),
                                    std::getenv("OMPI_MCA_fbtl_posix_write_datasieving"),
                                    std::getenv("OMPI_MCA_io"));
}

BlockSelection block_selection(const Decomposition& decomp) {
  BlockSelection selection;
  selection.rank = decomp.dim();
  for (int axis = 0; axis < selection.rank; ++axis) {
    const int d = selection.rank - 1 - axis;
    selection.global[axis] = static_cast<hsize_t>(decomp.global_points()[d]);
    selection.start[axis] = static_cast<hsize_t>(decomp.local_start()[d]);
    selection.count[axis] = static_cast<hsize_t>(decomp.local_count()[d]);
  }
  return selection;
}

GridHyperslab grid_hyperslab(const Decomposition& decomp, int components) {
  const BlockSelection block = block_selection(decomp);
  GridHyperslab slab{{block.global.begin(), block.global.begin() + block.rank},
                     {block.start.begin(), block.start.begin() + block.rank},
                     {block.count.begin(), block.count.begin() + block.rank}};
  if (components > 1) {
    slab.global.push_back(hsize_t(components));
    slab.start.push_back(0);
    slab.count.push_back(hsize_t(components));
  }
  return slab;
}

std::string shape_text(const std::vector<hsize_t>& shape) {
  std::ostringstream text;
  for (const hsize_t extent : shape) text << '[' << extent << ']';
  return shape.empty() ? "[] (scalar)" : text.str();
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  write_strings(object, name, {value}, true);
}

void write_attribute(hid_t object, const std::string& name,
                     const std::vector<std::string>& values) {
  write_strings(object, name, values, false);
}

void write_attribute(hid_t object, const std::string& name, const std::vector<double>& values) {
  write_numbers(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, false);
}

void write_attribute(hid_t object, const std::string& name, const std::vector<long long>& values) {
  write_numbers(object, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, values, false);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_numbers(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double>{value}, true);
}

void write_attribute(hid_t object, const std::string& name, long long value) {
  write_numbers(object, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, std::vector<long long>{value}, true);
}

bool has_attribute(hid_t object, const std::string& name) {
  return TESSERA_H5_CALL(H5Aexists(object, name.c_str())) > 0;
}

std::vector<std::string> read_string_attribute(hid_t object, const std::string& name) {
  const H5Handle attribute = open_attribute(object, name);
  const H5Handle file_type(TESSERA_H5_CALL(H5Aget_type(attribute.get())), H5Tclose);
  TESSERA_CHECK(TESSERA_H5_CALL(H5Tget_class(file_type.get())) == H5T_STRING &&
                    TESSERA_H5_CALL(H5Tis_variable_str(file_type.get())) > 0,
                "HDF5 attribute '" << name << "' does not hold variable-length strings");
  // Reading in the stored character set: HDF5 does not convert between ASCII and UTF-8.
  const H5Handle memory_type = variable_string_type();
  TESSERA_H5_CALL(H5Tset_cset(memory_type.get(), TESSERA_H5_CALL(H5Tget_cset(file_type.get()))));
  const H5Handle space(TESSERA_H5_CALL(H5Aget_space(attribute.get())), H5Sclose);
  std::vector<char*> pointers(element_count(attribute), nullptr);
  TESSERA_H5_CALL(H5Aread(attribute.get(), memory_type.get(), pointers.data()));
  std::vector<std::string> values;
  for (const char* pointer : pointers) values.emplace_back(pointer ? pointer : "");
#if H5_VERSION_GE(1, 12, 0)
  TESSERA_H5_CALL(H5Treclaim(memory_type.get(), space.get(), H5P_DEFAULT, pointers.data()));
#else
  TESSERA_H5_CALL(H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, pointers.data()));
#endif
  return values;
}

std::vector<double> read_real_attribute(hid_t object, const std::string& name) {
  return read_numbers<double>(object, name, H5T_FLOAT, "real numbers", H5T_NATIVE_DOUBLE);
}

std::vector<long long> read_integer_attribute(hid_t object, const std::string& name) {
  return read_numbers<long long>(object, name, H5T_INTEGER, "integers", H5T_NATIVE_LLONG);
}

}  // namespace tessera::io
