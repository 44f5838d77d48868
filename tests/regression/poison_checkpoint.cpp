// poison_checkpoint SOURCE TARGET DATASET [VALUE | xFACTOR]: copies the HDF5 file SOURCE to TARGET
// and sets the first value of its dataset DATASET (doubles) to VALUE (default nan), or multiplies
// every value by FACTOR (x1000): a corrupt checkpoint for the restart tests, made without Python.
#include <hdf5.h>
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace {

/// What becomes of the dataset's values: the first set to value, or all multiplied by it.
struct Change {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool scale = false;
};

int poison(const char* path, const char* name, const Change& change) {
  const hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return 1;
  const hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) {
    H5Fclose(file);
    return 1;
  }
  const hid_t space = H5Dget_space(set);
  std::vector<double> values(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
  herr_t status = values.empty() ? -1 : 0;
  if (status >= 0)
    status = H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  if (status >= 0) {
    if (change.scale)
      for (double& v : values) v *= change.value;
    else
      values.front() = change.value;
    status = H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  }
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(file);
  return status < 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The HDF5 library is the parallel build Tessera links; initialise MPI as it may expect.
  MPI_Init(&argc, &argv);
  int status = 2;
  if (argc == 4 || argc == 5) {
    Change change;
    if (argc == 5) {
      change.scale = argv[4][0] == 'x';
      change.value = std::strtod(argv[4] + (change.scale ? 1 : 0), nullptr);
    }
    std::error_code error;
    std::filesystem::copy_file(argv[1], argv[2], std::filesystem::copy_options::overwrite_existing,
                               error);
    status = error ? 1 : poison(argv[2], argv[3], change);
    if (status != 0)
      std::cerr << "poison_checkpoint: cannot set " << argv[3] << " of a copy of " << argv[1]
                << " at " << argv[2] << std::endl;
    else
      std::cout << "poison_checkpoint: " << argv[2] << ": " << argv[3]
                << (change.scale ? " *= " : "[0] = ") << change.value << std::endl;
  } else {
    std::cerr << "usage: poison_checkpoint SOURCE TARGET DATASET [VALUE | xFACTOR]" << std::endl;
  }
  MPI_Finalize();
  return status;
}
