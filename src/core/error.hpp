#pragma once
// tessera::Error and the one checked-call macro per foreign API (MPI, PETSc; HDF5 lives in src/io).
#include <mpi.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace tessera {

/// A failure a user can act on: what went wrong, and where in Tessera it was detected.
class Error : public std::runtime_error {
public:
  Error(const std::string& message, const char* file, int line);
  const std::string& message() const { return message_; }
  const std::string& where() const { return where_; }

private:
  std::string message_;
  std::string where_;
};

/// Bad input (deck, options, file names). Thrown only by collective validation code that every rank
/// runs on the same data, so every rank throws it together and the run can exit cleanly.
class InputError : public Error {
public:
  using Error::Error;
};

/// A computed quantity left the finite numbers or its stability bound (a training loss that is NaN,
/// an LES step beyond its CFL limit). Thrown only by checks of values every rank shares (reduced
/// over ranks), so every rank throws it together, before anything is written from the bad state;
/// the run exits with status 5 (run_main).
class DivergenceError : public Error {
public:
  using Error::Error;
};

[[noreturn]] void throw_mpi_error(int code, const char* call, const char* file, int line);
[[noreturn]] void throw_petsc_error(int code, const char* call, const char* file, int line);

}  // namespace tessera

/// Throws the tessera::Error (or a subclass of it) Type built from a stream expression:
/// TESSERA_THROW_AS(::tessera::InputError, "width " << w << " < 1").
#define TESSERA_THROW_AS(Type, stream_expr)             \
  do {                                                  \
    std::ostringstream tessera_msg_;                    \
    tessera_msg_ << stream_expr;                        \
    throw Type(tessera_msg_.str(), __FILE__, __LINE__); \
  } while (0)

/// Throws tessera::Error built from a stream expression: TESSERA_THROW("width " << w << " < 1").
#define TESSERA_THROW(stream_expr) TESSERA_THROW_AS(::tessera::Error, stream_expr)

/// Throws tessera::DivergenceError built from a stream expression (see TESSERA_THROW).
#define TESSERA_THROW_DIVERGED(stream_expr) \
  TESSERA_THROW_AS(::tessera::DivergenceError, stream_expr)

/// Throws unless cond holds.
#define TESSERA_CHECK(cond, stream_expr)     \
  do {                                       \
    if (!(cond)) TESSERA_THROW(stream_expr); \
  } while (0)

#define TESSERA_MPI_CALL(call)                                            \
  do {                                                                    \
    int tessera_rc_ = (call);                                             \
    if (tessera_rc_ != MPI_SUCCESS)                                       \
      ::tessera::throw_mpi_error(tessera_rc_, #call, __FILE__, __LINE__); \
  } while (0)

/// For PETSc calls made from C++ code that reports failures by exception. PETSc callbacks
/// (functions that return PetscErrorCode to PETSc) use PetscCall as PETSc intends.
#define TESSERA_PETSC_CALL(call)                                                                \
  do {                                                                                          \
    int tessera_rc_ = static_cast<int>(call);                                                   \
    if (tessera_rc_ != 0) ::tessera::throw_petsc_error(tessera_rc_, #call, __FILE__, __LINE__); \
  } while (0)
