#include "core/error.hpp"

#include <petscsys.h>

namespace tessera {

namespace {
std::string strip_source_dir(const char* file) {
  std::string path(file);
  const auto pos = path.rfind("/src/");
  return pos == std::string::npos ? path : path.substr(pos + 1);
}
}  // namespace

Error::Error(const std::string& message, const char* file, int line)
    : std::runtime_error(message),
      message_(message),
      where_(strip_source_dir(file) + ":" + std::to_string(line)) {}

void throw_mpi_error(int code, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string("MPI call failed: ") + call + ": " + std::string(text, length), file,
              line);
}

void throw_petsc_error(int code, const char* call, const char* file, int line) {
  const char* text = nullptr;
  char* specific = nullptr;
  PetscErrorMessage(static_cast<PetscErrorCode>(code), &text, &specific);
  std::string message =
      std::string("PETSc call failed: ") + call + ": " + (text ? text : "unknown");
  if (specific && *specific) message += std::string(" (") + specific + ")";
  throw Error(message, file, line);
}

}  // namespace tessera
