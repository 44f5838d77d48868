#pragma once
// Portable pseudo-random numbers for things that must come out the same on every rank and every
// standard library: initial fields, point sets keyed by structured inputs.
#include <cmath>
#include <cstdint>

namespace tessera {

/// SplitMix64: turns structured inputs (a seed, an index) into well-spread generator states.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Advances state and returns a uniform number in [0, 1) from the top 53 bits, written out rather
/// than std::uniform_real_distribution, whose algorithm the standard leaves to the library.
inline double uniform_unit(std::uint64_t& state) {
  state = splitmix64(state);
  return static_cast<double>(state >> 11) * 0x1.0p-53;
}

/// Advances state and returns a standard normal number (Box–Muller on two uniform_unit draws, the
/// second of the pair discarded so that the state alone determines the sequence).
inline double standard_normal(std::uint64_t& state) {
  const double u1 = 1.0 - uniform_unit(state);  // in (0, 1]: log is finite
  const double u2 = uniform_unit(state);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace tessera
