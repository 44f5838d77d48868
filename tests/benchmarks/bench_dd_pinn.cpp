// Weak scaling of domain-decomposed PINN training (dd/xpinn_loss): one subdomain per rank, fixed
// points and parameters per subdomain, on the first 1, 2, 4, ... ranks of the run (tiling = the
// MPI_Dims_create process grid: 1 x 1, 2 x 1, 2 x 2, ...). Per rank count it times Adam
// iterations (loss, gradient, step) and reports the seconds per iteration (slowest rank), the
// seconds spent waiting in InterfaceExchange::end() per iteration (slowest rank), the bytes all
// ranks send per iteration, and the weak-scaling efficiency t(1) / t(P).
// Ranks not in the current group wait without spinning (MPI_Ibarrier + sleep), so on a machine
// with fewer cores than ranks they do not steal the cores being measured.
// Usage: bench_dd_pinn [iterations [interior_points [face_points [width]]]].
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "dd/xpinn_loss.hpp"
#include "nn/adam.hpp"

namespace {

using namespace tessera;

struct Figures {
  double seconds = 0, communication = 0;
  long bytes = 0;
};

/// Collective over comm: one subdomain per rank, `iterations` timed Adam iterations.
Figures measure(MPI_Comm comm, int iterations, long interior, long face, int width) {
  int size = 1;
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  int dims[2] = {0, 0};
  TESSERA_MPI_CALL(MPI_Dims_create(size, 2, dims));
  dd::SubdomainGrid grid(comm, 2, {0, 0, 0}, {1, 1, 1}, {dims[0], dims[1], 1});
  nn::StackedMlp nets({2, 1, width, 3, nn::Activation::Tanh}, 1);
  nets.initialize_glorot({42u + static_cast<std::uint64_t>(grid.owned()[0])});
  dd::SubdomainPointConfig points;
  points.interior_points = interior;
  points.face_points = face;
  const auto xpinn =
      dd::poisson_xpinn_loss(grid, nets, physics::Poisson2D{1.0}, points, dd::InterfaceWeights{});
  auto& loss = *xpinn;
  nn::Adam adam({1e-3}, nets.parameter_count());
  nn::Vector gradient("tessera::bench::gradient", nets.parameter_count());
  auto step = [&] {
    loss.value_and_gradient(nets.parameters(), gradient);
    adam.step(nets.parameters(), gradient);
  };
  for (int k = 0; k < 5; ++k) step();  // warm-up
  const double waited = loss.communication_seconds();
  TESSERA_MPI_CALL(MPI_Barrier(comm));
  Timer timer;
  for (int k = 0; k < iterations; ++k) step();
  Kokkos::fence();
  double local[2] = {timer.seconds() / iterations,
                     (loss.communication_seconds() - waited) / iterations};
  long bytes = loss.exchange().bytes_per_exchange();
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, local, 2, MPI_DOUBLE, MPI_MAX, comm));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &bytes, 1, MPI_LONG, MPI_SUM, comm));
  return {local[0], local[1], bytes};
}

/// Collective over world: returns when every rank has arrived, sleeping rather than spinning.
void quiet_barrier(MPI_Comm world) {
  MPI_Request request;
  TESSERA_MPI_CALL(MPI_Ibarrier(world, &request));
  int done = 0;
  while (!done) {
    TESSERA_MPI_CALL(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
  const long interior = argc > 2 ? std::atol(argv[2]) : 1024;
  const long face = argc > 3 ? std::atol(argv[3]) : 64;
  const int width = argc > 4 ? std::atoi(argv[4]) : 32;
  return run_main(argc, argv, [&](Environment& env) {
    TESSERA_LOG("XPINN weak scaling, Poisson 2D: one subdomain per rank, MLP 2-"
                << width << "x3-1 tanh, " << interior << " interior + " << face
                << " per face points per subdomain, " << iterations << " Adam iterations");
    TESSERA_LOG(
        "ranks  subdomains  s/iteration  comm s/iteration  comm %  bytes/iteration  "
        "weak efficiency");
    double first = 0;
    for (int ranks = 1; ranks <= env.size(); ranks *= 2) {
      MPI_Comm group;
      const bool member = env.rank() < ranks;
      TESSERA_MPI_CALL(MPI_Comm_split(env.comm(), member ? 0 : MPI_UNDEFINED, env.rank(), &group));
      Figures f;
      if (member) {
        f = measure(group, iterations, interior, face, width);
        TESSERA_MPI_CALL(MPI_Comm_free(&group));
      }
      quiet_barrier(env.comm());
      if (ranks == 1) first = f.seconds;
      char line[200];
      std::snprintf(line, sizeof line, "%5d  %10d  %11.5f  %16.6f  %6.1f  %15ld  %15.2f", ranks,
                    ranks, f.seconds, f.communication, 100.0 * f.communication / f.seconds, f.bytes,
                    first / f.seconds);
      TESSERA_LOG(line);
    }
    return 0;
  });
}
