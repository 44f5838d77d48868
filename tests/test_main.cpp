// GoogleTest main for every Tessera test executable: one Environment (MPI, PETSc, Kokkos) around
// all tests; only rank 0 prints the report, every rank's failures count in the exit status.
#include <gtest/gtest.h>

#include "core/environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int status = 0;
  {
    tessera::Environment env(argc, argv);
    if (env.rank() != 0) {
      auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
      delete listeners.Release(listeners.default_result_printer());
    }
    int local = RUN_ALL_TESTS();
    MPI_Allreduce(&local, &status, 1, MPI_INT, MPI_MAX, env.comm());
    if (env.finalize() != 0) status = 1;
  }
  return status;
}
