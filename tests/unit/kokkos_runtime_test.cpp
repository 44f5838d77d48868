// One Kokkos runtime per process. Debian's PETSc loads Trilinos ML, whose Teuchos needs
// libtrilinos_kokkoscore.so.13.2; a Tessera linked to any other Kokkos core library gets a second
// runtime, and the process aborts at exit when one runtime frees the other's globals
// (jobscripts/local/build_kokkos.sh builds the OpenMP Kokkos as the library Debian's expects).
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

TEST(KokkosRuntime, AtMostOneKokkosCoreLibraryIsMapped) {
  std::ifstream maps("/proc/self/maps");
  ASSERT_TRUE(maps.good()) << "cannot read /proc/self/maps";
  const auto paths = mapped_kokkos_core_libraries();
  EXPECT_LE(paths.size(), 1u) << "more than one Kokkos core library in this process:"
                              << listed(paths);
}

TEST(KokkosRuntime, TesseraCallsTheMappedKokkosCore) {
  // Where the Kokkos that Tessera's code calls lives: the one mapped library, or this executable
  // when Kokkos is linked statically (then no Kokkos core library may be mapped at all).
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&Kokkos::is_initialized), &info), 0);
  char resolved[PATH_MAX];
  ASSERT_NE(realpath(info.dli_fname, resolved), nullptr) << info.dli_fname;
  const auto paths = mapped_kokkos_core_libraries();
  if (std::string(resolved).find("kokkoscore") == std::string::npos) {
    EXPECT_TRUE(paths.empty()) << "Tessera's Kokkos is in " << resolved
                               << ", yet Kokkos core libraries are mapped:" << listed(paths);
  } else {
    EXPECT_EQ(paths, std::set<std::string>{resolved}) << "mapped:" << listed(paths);
  }
}

}  // namespace
