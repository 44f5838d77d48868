// PINN training throughput for 2D Poisson: MLP width 50, depth 4 (tanh), 4096 interior and 512
// boundary collocation points, float64, Adam. Prints collocation-point-iterations per second.
// The same network and loss in PyTorch: torch_poisson.py; both side by side: compare_torch.sh.
// Usage: bench_pinn_training [iterations [batch_points]].
#include <cstdio>
#include <cstdlib>

#include "core/environment.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "nn/adam.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/point_sets.hpp"

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  const long batch =
      argc > 2 ? std::atol(argv[2]) : tessera::pinn::PointSetConfig::default_batch_points();
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    using namespace tessera;
    const long interior = 4096, boundary = 512;
    nn::Mlp net({2, 1, 50, 4, nn::Activation::Tanh});
    net.initialize_glorot(1234);
    const auto xi = pinn::interior_points_2d(env.comm(), interior, 42);
    const auto xb = pinn::boundary_points_2d(env.comm(), boundary, 42);
    pinn::PdeLoss<pinn::PoissonResidual<2>> loss(env.comm(), net, {physics::Poisson2D{1.0}}, xi,
                                                 1.0, {{"boundary", xb, 1.0}}, {}, batch);
    nn::Adam adam({1e-3}, net.parameter_count());
    nn::Vector gradient("gradient", net.parameter_count());
    auto step = [&] {
      loss.value_and_gradient(net.parameters(), gradient);
      adam.step(net.parameters(), gradient);
    };
    for (int k = 0; k < 20; ++k) step();  // warm-up
    Kokkos::fence();
    Timer timer;
    for (int k = 0; k < iterations; ++k) step();
    Kokkos::fence();
    const double per_iteration = timer.seconds() / iterations;
    TESSERA_LOG("PINN training, Poisson 2D, MLP 2-50x4-1 tanh, "
                << interior << " interior + " << boundary << " boundary points, float64, "
                << env.size() << " rank(s), " << iterations << " Adam iterations, batches of "
                << batch << " points");
    char line[160];
    std::snprintf(line, sizeof line,
                  "tessera_seconds_per_iteration=%.6g tessera_points_per_second=%.6g",
                  per_iteration, interior / per_iteration);
    TESSERA_LOG(line);
    return 0;
  });
}
