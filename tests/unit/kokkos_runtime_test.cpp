// One Kokkos runtime per process. Debian's PETSc loads Trilinos ML, whose Teuchos needs
// libtrilinos_kokkoscore.so.13.2; a Tessera linked to any other Kokkos core library gets a second
// runtime, and the process aborts at exit when one runtime frees the other's globals. The OpenMP
// Kokkos of jobscripts/local/build_kokkos.sh is built as the library Debian's expects; a standalone
// Kokkos 4.x gets a library of that name that defines no runtime and links Tessera's
// (src/kokkos_bridge). A runtime is a mapped Kokkos core library that defines
// Kokkos::is_initialized.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace {

/// The distinct files mapped into this process whose name contains "kokkoscore" (libkokkoscore,
/// libtrilinos_kokkoscore), as /proc/self/maps names them (symbolic links resolved).
std::set<std::string> mapped_kokkos_core_libraries() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> paths;
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.substr(path.rfind('/') + 1).find("kokkoscore") != std::string::npos)
      paths.insert(path);
  }
  return paths;
}

std::string listed(const std::set<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += "\n  " + p;
  return out;
}

/// The files among paths whose library (or, for a bridge, a library it loads) defines the
/// runtime's Kokkos::is_initialized: each names one Kokkos runtime in this process.
std::set<std::string> kokkos_runtimes(const std::set<std::string>& paths) {
  std::set<std::string> runtimes;
  for (const auto& path : paths) {
    void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) continue;
    Dl_info info{};
    if (void* symbol = dlsym(handle, "_ZN6Kokkos14is_initializedEv");
        symbol != nullptr && dladdr(symbol, &info) != 0) {
      char resolved[PATH_MAX];
      if (realpath(info.dli_fname, resolved) != nullptr) runtimes.insert(resolved);
    }
    dlclose(handle);
  }
  return runtimes;
}

TEST(KokkosRuntime, AtMostOneKokkosRuntimeIsMapped) {
  std::ifstream maps("/proc/self/maps");
  ASSERT_TRUE(maps.good()) << "cannot read /proc/self/maps";
  const auto paths = mapped_kokkos_core_libraries();
  const auto runtimes = kokkos_runtimes(paths);
  EXPECT_LE(runtimes.size(), 1u) << "more than one Kokkos runtime in this process:"
                                 << listed(runtimes) << "\nmapped:" << listed(paths);
}

TEST(KokkosRuntime, TesseraCallsTheMappedKokkosRuntime) {
  // Where the Kokkos that Tessera's code calls lives: the one runtime library, or this executable
  // when Kokkos is linked statically (then no Kokkos runtime library may be mapped at all).
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&Kokkos::is_initialized), &info), 0);
  char resolved[PATH_MAX];
  ASSERT_NE(realpath(info.dli_fname, resolved), nullptr) << info.dli_fname;
  const auto paths = mapped_kokkos_core_libraries();
  const auto runtimes = kokkos_runtimes(paths);
  if (std::string(resolved).find("kokkoscore") == std::string::npos) {
    EXPECT_TRUE(runtimes.empty()) << "Tessera's Kokkos is in " << resolved
                                  << ", yet Kokkos runtimes are mapped:" << listed(runtimes);
  } else {
    EXPECT_EQ(runtimes, std::set<std::string>{resolved}) << "mapped:" << listed(paths);
  }
}

}  // namespace
