// The antiderivative benchmark of DeepONet (Lu et al. 2021; ANCHORS.md: test MSE 9.27e-7 after
// 50k Adam iterations): u a GRF (RBF, l = 0.2) at 100 sensors, s(y) = int_0^y u, training triples
// (u_i, y_i, s_i(y_i)) as the paper's code draws them, DeepONet branch [100, 40, 40], trunk
// [1, 40, 40], ReLU, Adam lr 1e-3, full batch, mean squared error. The triples are split over the
// ranks (data parallelism: one allreduce of the flat gradient per iteration); the test set too.
// Prints the training time, iterations and train / test MSE.
// Usage: bench_deeponet_antiderivative [iterations [train_triples [test_triples]]]
//        (defaults 5000, 10000, 100000).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/allreduce.hpp"
#include "core/environment.hpp"
#include "core/log.hpp"
#include "core/timer.hpp"
#include "nn/adam.hpp"
#include "nn/deeponet.hpp"
#include "physics/antiderivative.hpp"

namespace {

using namespace tessera;

constexpr std::uint64_t kTrainSeed = 1, kTestSeed = 2, kNetworkSeed = 3;
constexpr long kChunk = 10000;  // test functions per evaluation batch

/// This rank's share [begin, end) of count items over comm.
std::pair<long, long> share(MPI_Comm comm, long count) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  return {long(rank) * count / size, long(rank + 1) * count / size};
}

/// Mean squared error over count test triples drawn from seed, split over comm and evaluated in
/// chunks. Collective over comm.
double test_mse(MPI_Comm comm, const nn::DeepOnet& net, const physics::AntiderivativeData& data,
                std::uint64_t seed, long count) {
  const auto [begin, end] = share(comm, count);
  nn::DeepOnetWorkspace ws;
  double sum = 0;
  for (long first = begin; first < end; first += kChunk) {
    const long n = std::min(kChunk, end - first);
    const auto set = data.triples(seed, first, n);
    net.prepare(ws, nn::DeepOnetForm::Aligned, static_cast<int>(n), 0);
    nn::Matrix scratch("tessera::bench::scratch", n, 1);
    sum += nn::squared_error(net.forward(set.sensors, set.points, ws), set.values, scratch, 1.0);
  }
  return allreduce_sum(comm, sum) / count;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 5000;
  const long train_count = argc > 2 ? std::atol(argv[2]) : 10000;
  const long test_count = argc > 3 ? std::atol(argv[3]) : 100000;
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    const MPI_Comm comm = env.comm();
    Timer setup;
    const physics::AntiderivativeData data;
    const auto [begin, end] = share(comm, train_count);
    const long local = end - begin;
    TESSERA_CHECK(local >= 1, "bench_deeponet_antiderivative: " << train_count << " triples for "
                                                                << env.size() << " ranks");
    const auto train = data.triples(kTrainSeed, begin, local);
    const double setup_seconds = setup.seconds();

    nn::DeepOnet net(nn::DeepOnetShape{});
    net.initialize(kNetworkSeed);
    nn::DeepOnetWorkspace ws;
    net.prepare(ws, nn::DeepOnetForm::Aligned, static_cast<int>(local), 0);
    nn::Matrix adjoint("tessera::bench::adjoint", local, 1);
    nn::Vector gradient("tessera::bench::gradient", net.parameter_count());
    nn::Adam adam({1e-3}, net.parameter_count());
    TESSERA_LOG(net.summary() << "; GRF rank " << data.rank() << "; " << train_count
                              << " training / " << test_count << " test triples; " << env.size()
                              << " rank(s); data in " << setup_seconds << " s");
    // Collectives outside TESSERA_LOG, which evaluates its stream on rank 0 only.
    const double untrained = test_mse(comm, net, data, kTestSeed, test_count);
    TESSERA_LOG("untrained test MSE " << untrained);

    double train_mse = 0;
    Timer timer;
    for (int it = 1; it <= iterations; ++it) {
      net.forward(train.sensors, train.points, ws);
      train_mse = nn::squared_error(ws.output, train.values, adjoint, 1.0 / train_count);
      Kokkos::deep_copy(gradient, 0.0);
      net.backward(ws, adjoint, gradient);
      net.allreduce_gradient(gradient, comm);
      adam.step(net.parameters(), gradient);
      if (it % 1000 == 0 || it == iterations) {
        train_mse = allreduce_sum(comm, train_mse) / train_count;  // before this step
        TESSERA_LOG("iteration " << it << " train MSE " << train_mse << " (" << timer.seconds()
                                 << " s)");
      }
    }
    Kokkos::fence();
    const double seconds = timer.seconds();
    // The final train MSE after the last step, and the test MSE.
    net.forward(train.sensors, train.points, ws);
    train_mse =
        allreduce_sum(comm, nn::squared_error(ws.output, train.values, adjoint, 1.0)) / train_count;
    const double test = test_mse(comm, net, data, kTestSeed, test_count);
    char line[240];
    std::snprintf(line, sizeof line,
                  "deeponet_antiderivative iterations=%d training_seconds=%.4g "
                  "seconds_per_iteration=%.4g train_mse=%.4e test_mse=%.4e (paper: 9.27e-7 "
                  "after 50000)",
                  iterations, seconds, seconds / std::max(iterations, 1), train_mse, test);
    TESSERA_LOG(line);
    return 0;
  });
}
