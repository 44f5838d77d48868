#pragma once
// The process-wide runtime: MPI, Kokkos and PETSc, initialised in that order and finalised in
// reverse. Construct exactly one, first thing in main.
#include <mpi.h>

#include <functional>

namespace tessera {

class Environment {
public:
  Environment(int& argc, char**& argv);
  /// Ends the runtime (PETSc, which prints what -log_view asks for, then Kokkos, then MPI); 1 if
  /// PetscFinalize failed (after printing why), else 0. Collective over MPI_COMM_WORLD. The
  /// destructor calls it if nobody did; later calls return 0.
  int finalize();
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  MPI_Comm comm() const { return MPI_COMM_WORLD; }
  int rank() const { return rank_; }
  int size() const { return size_; }

private:
  int rank_ = 0;
  int size_ = 1;
  bool finalized_ = false;
};

/// Runs body inside an Environment and turns exceptions into the exit protocol every Tessera
/// executable follows: an InputError (raised identically on every rank) is printed on rank 0 and
/// the run exits with status 2; a Stopped run (core/stop_request.hpp) prints why on rank 0 and
/// exits with status 3 (checkpoint written) or 4 (none kept); a DivergenceError (a non-finite or
/// unstable value, detected on every rank together) is printed on rank 0, with status 5; any other
/// error is printed by the rank that saw it and the job is aborted with status 1. A run whose
/// body succeeded but whose PetscFinalize failed exits with status 1.
int run_main(int argc, char** argv, const std::function<int(Environment&)>& body);

}  // namespace tessera
