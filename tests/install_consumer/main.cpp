// Initialises Tessera's runtime (MPI, PETSc, Kokkos) from an installed Tessera, sets the
// parameters of a 2-3-1 tanh MLP by hand and prints its value at one point, which the test
// compares with the same network evaluated independently.
#include <cstdio>
#include <iterator>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/version.hpp"
#include "nn/mlp.hpp"

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, [](tessera::Environment& env) {
    using namespace tessera::nn;
    MlpShape shape;
    shape.inputs = 2;
    shape.outputs = 1;
    shape.width = 3;
    shape.depth = 1;
    shape.activation = Activation::Tanh;
    Mlp net(shape);

    // The flat layout of mlp.hpp, per layer: W (fan_out x fan_in) column-major, then b.
    // W0 = [[0.5, -0.3], [0.2, 0.8], [-0.7, 0.1]], b0 = [0.1, -0.2, 0.05];
    // W1 = [1.5, -0.4, 0.9], b1 = 0.25.
    const double values[] = {0.5, 0.2, -0.7, -0.3, 0.8, 0.1, 0.1, -0.2, 0.05, 1.5, -0.4, 0.9, 0.25};
    TESSERA_CHECK(net.parameter_count() == long(std::size(values)),
                  "a 2-3-1 MLP has 13 parameters, not " << net.parameter_count());
    auto parameters = Kokkos::create_mirror_view(net.parameters());
    for (long k = 0; k < net.parameter_count(); ++k) parameters(k) = values[k];
    Kokkos::deep_copy(net.parameters(), parameters);

    Matrix point("point", 2, 1);
    auto host_point = Kokkos::create_mirror_view(point);
    host_point(0, 0) = 0.3;
    host_point(1, 0) = -0.6;
    Kokkos::deep_copy(point, host_point);

    MlpWorkspace ws;
    net.prepare(ws, JetOrder::Value, 1);
    net.forward(point, ws);
    auto output = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    if (env.rank() == 0) {
      std::printf("Tessera %s on %d ranks\n", tessera::version, env.size());
      std::printf("MLP value %.16e\n", output(0, 0));
    }
    return 0;
  });
}
