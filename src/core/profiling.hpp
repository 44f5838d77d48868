#pragma once
// Kokkos profiling regions that cost nothing measurable when no tool listens: the label string is
// built, and the region pushed, only while a Kokkos tool (a KOKKOS_PROFILE_LIBRARY, or callbacks a
// benchmark sets through Kokkos::Tools::Experimental) is loaded. Regions may nest.
#include <Kokkos_Core.hpp>

namespace tessera {

/// Pushes the region labelled label (a literal: "tessera::<module>::<what>") for the scope.
class ProfilingRegion {
public:
  explicit ProfilingRegion(const char* label) : active_(Kokkos::Profiling::profileLibraryLoaded()) {
    if (active_) Kokkos::Profiling::pushRegion(label);
  }
  ~ProfilingRegion() {
    if (active_) Kokkos::Profiling::popRegion();
  }
  ProfilingRegion(const ProfilingRegion&) = delete;
  ProfilingRegion& operator=(const ProfilingRegion&) = delete;

private:
  bool active_;
};

}  // namespace tessera
