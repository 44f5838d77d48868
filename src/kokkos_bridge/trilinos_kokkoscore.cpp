// Built as libtrilinos_kokkoscore.so.<Debian's version> when Tessera uses a Kokkos other than
// Debian's (a standalone Kokkos 4.x). Debian's PETSc loads Trilinos ML, whose Teuchos needs
// Debian's Kokkos core library by that name: loaded, it is a second Kokkos runtime in the process,
// whose state Tessera's does not share (with an OpenMP Kokkos 3.4.1 under other names, every run
// aborted at exit). Tessera's programs load this library first; the loader then takes it for
// Debian's, and the three functions Teuchos 13.2 calls (nm -D --undefined-only
// libtrilinos_teuchoscore.so.13.2) forward to Tessera's Kokkos, which this library links. Kokkos 4
// no longer defines them under these names (finalize_all is gone; Profiling's pushRegion and
// popRegion are Tools's, brought in by a using-declaration), so this file declares what it calls
// instead of including Kokkos, whose using-declarations would clash. cmake/TesseraKokkos.cmake
// decides whether it is built.
#include <string>

namespace Kokkos {

bool is_initialized() noexcept;
void finalize();

namespace Tools {
void pushRegion(const std::string& name);
void popRegion();
}  // namespace Tools

void finalize_all();
void finalize_all() {
  if (is_initialized()) finalize();
}

namespace Profiling {
void pushRegion(const std::string& name);
void popRegion();
void pushRegion(const std::string& name) { Tools::pushRegion(name); }
void popRegion() { Tools::popRegion(); }
}  // namespace Profiling

}  // namespace Kokkos
