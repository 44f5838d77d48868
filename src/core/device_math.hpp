#pragma once
// The math functions device code calls: Kokkos's, which compile for every backend (std:: and the
// C library's do not under CUDA or SYCL). Kokkos 3.4 to 3.6 has them in Kokkos::Experimental,
// Kokkos 3.7 and 4.x in Kokkos (4.x deprecates the Experimental names, which fail a -Werror
// build); tessera::math names whichever this Kokkos has. On the host both are the std:: functions,
// so results are bit for bit those of plain calls.
#include <Kokkos_Core.hpp>

namespace tessera::math {

#if KOKKOS_VERSION >= 30700
using Kokkos::cos;
using Kokkos::erf;
using Kokkos::exp;
using Kokkos::fabs;
using Kokkos::fmax;
using Kokkos::fmin;
using Kokkos::log;
using Kokkos::pow;
using Kokkos::sin;
using Kokkos::sqrt;
using Kokkos::tanh;
#else
using Kokkos::Experimental::cos;
using Kokkos::Experimental::erf;
using Kokkos::Experimental::exp;
using Kokkos::Experimental::fabs;
using Kokkos::Experimental::fmax;
using Kokkos::Experimental::fmin;
using Kokkos::Experimental::log;
using Kokkos::Experimental::pow;
using Kokkos::Experimental::sin;
using Kokkos::Experimental::sqrt;
using Kokkos::Experimental::tanh;
#endif

}  // namespace tessera::math
