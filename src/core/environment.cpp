#include "core/environment.hpp"

#include <petscsys.h>
#include <Kokkos_Core.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <thread>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/stop_request.hpp"

namespace tessera {

Environment::Environment(int& argc, char**& argv) {
  // Open MPI 4.1's OMPIO write data sieving loses data in collective HDF5 writes
  // (open-mpi/ompi#12718). It must be off before MPI starts; a value the user set is kept.
  setenv("OMPI_MCA_fbtl_posix_write_datasieving", "0", 0);
  // MPI first and last: PETSc and Kokkos both live inside it, and PETSc, which may hold Kokkos
  // views (a Kokkos-enabled PETSc), starts after Kokkos and ends before it. The thread level is
  // the one PETSc would ask for.
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::cerr << "tessera: MPI initialisation failed\n";
    std::exit(1);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  try {
    Kokkos::initialize(argc, argv);
  } catch (const std::exception& e) {
    // A GPU build on a node without a usable device throws here: say so on every rank, rather
    // than abort through std::terminate.
    std::cerr << "tessera: error on rank " << rank_ << ": Kokkos could not start (" << e.what()
              << ")\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (PetscInitialize(&argc, &argv, nullptr, nullptr) != 0) {
    std::cerr << "tessera: PETSc initialisation failed on rank " << rank_ << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  // PETSc errors become tessera::Error exceptions carrying PETSc's message (see
  // TESSERA_PETSC_CALL); the default handler would print a traceback on every rank.
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  // After PETSc's own handlers, which would abort on SIGTERM and SIGUSR1: those two now ask the
  // run to stop at its next safe point with a checkpoint.
  install_stop_handlers();
  register_profiling();
}

Environment::~Environment() { finalize(); }

int Environment::finalize() {
  if (finalized_) return 0;
  finalized_ = true;
  // PetscFinalize prints what -log_view and the like ask for; its failure (a log file that cannot
  // be written, say) is a failed run, not a silent one.
  const PetscErrorCode code = PetscFinalize();
  int status = 0;
  if (code != 0) {
    const char* text = nullptr;
    char* specific = nullptr;
    PetscErrorMessage(code, &text, &specific);
    std::cerr << "tessera: error on rank " << rank_
              << ": PetscFinalize failed: " << (text ? text : "unknown error");
    if (specific && *specific) std::cerr << " (" << specific << ")";
    std::cerr << std::endl;
    status = 1;
  }
  Kokkos::finalize();
  MPI_Finalize();
  return status;
}

int run_main(int argc, char** argv, const std::function<int(Environment&)>& body) {
  Environment env(argc, argv);
  try {
    const int status = body(env);
    return env.finalize() != 0 ? 1 : status;
  } catch (const Stopped& e) {
    // Thrown on every rank together, after the checkpoint is complete: a clean exit.
    if (env.rank() == 0) std::cerr << "tessera: " << e.what() << std::endl;
    return e.saved() ? kExitStopped : kExitStoppedUnsaved;
  } catch (const InputError& e) {
    if (env.rank() == 0) std::cerr << "tessera: error: " << e.message() << std::endl;
    return 2;
  } catch (const DivergenceError& e) {
    if (env.rank() == 0) std::cerr << "tessera: error: " << e.message() << std::endl;
    return 5;
  } catch (const Error& e) {
    // Rank 0 reports first; another rank that failed alone still gets its message out.
    if (env.rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    std::cerr << "tessera: error on rank " << env.rank() << ": " << e.message() << " [" << e.where()
              << "]" << std::endl;
  } catch (const std::exception& e) {
    if (env.rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    std::cerr << "tessera: error on rank " << env.rank() << ": " << e.what() << std::endl;
  }
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

}  // namespace tessera
