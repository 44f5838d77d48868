// checkpoint_attribute FILE NAME: prints the root attribute NAME of the HDF5 file FILE (an integer,
// or a real as %g), for the kept-checkpoint tests to tell which checkpoint a file holds; exit 1
// if the file or the attribute cannot be read.
#include <hdf5.h>
#include <mpi.h>

#include <cstdio>

namespace {

int print_attribute(const char* path, const char* name) {
  const hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return 1;
  const hid_t attribute = H5Aopen(file, name, H5P_DEFAULT);
  int status = 1;
  if (attribute >= 0) {
    const hid_t type = H5Aget_type(attribute);
    if (H5Tget_class(type) == H5T_INTEGER) {
      long long value = 0;
      if (H5Aread(attribute, H5T_NATIVE_LLONG, &value) >= 0) {
        std::printf("%lld\n", value);
        status = 0;
      }
    } else if (H5Tget_class(type) == H5T_FLOAT) {
      double value = 0;
      if (H5Aread(attribute, H5T_NATIVE_DOUBLE, &value) >= 0) {
        std::printf("%g\n", value);
        status = 0;
      }
    }
    H5Tclose(type);
    H5Aclose(attribute);
  }
  H5Fclose(file);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // The HDF5 library is the parallel build Tessera links; initialise MPI as it may expect.
  MPI_Init(&argc, &argv);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  int status = 2;
  if (argc == 3) {
    status = print_attribute(argv[1], argv[2]);
    if (status != 0)
      std::fprintf(stderr, "checkpoint_attribute: cannot read %s of %s\n", argv[2], argv[1]);
  } else {
    std::fprintf(stderr, "usage: checkpoint_attribute FILE NAME\n");
  }
  MPI_Finalize();
  return status;
}
