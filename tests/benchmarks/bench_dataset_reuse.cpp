// Reuse across a sequence of Darcy solves (the dataset run's work without the file): the same
// correlated sequence of log-normal permeabilities solved once per reuse strategy, and the
// comparison table of total iterations and solve seconds. Each strategy is run `repeats` times
// and its fastest run is kept (iteration counts do not change between repeats; the time of a
// shared machine does), after one unreported warm-up pass.
// Usage: bench_dataset_reuse [points [samples [correlation [repeats]]]]  (65 32 0.98 3)
#include <algorithm>
#include <cstdlib>

#include "core/decomposition.hpp"
#include "core/environment.hpp"
#include "core/log.hpp"
#include "run/darcy_sequence.hpp"

int main(int argc, char** argv) {
  using namespace tessera;
  const int points = argc > 1 ? std::atoi(argv[1]) : 65;
  const int samples = argc > 2 ? std::atoi(argv[2]) : 32;
  const double correlation = argc > 3 ? std::atof(argv[3]) : 0.98;
  const int repeats = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  return run_main(argc, argv, [&](Environment& env) {
    run::SequenceConfig config;
    config.samples = samples;
    config.solver.points = points;
    config.field.correlation = correlation;
    Decomposition decomp(env.comm(), 2, {points, points, 1});
    run::SequenceConfig warm_up = config;
    warm_up.samples = std::min(samples, 4);
    run::solve_sequence(decomp, warm_up, run::ReuseStrategy::none);

    std::vector<run::SequenceResult> results;
    for (const auto& name : run::reuse_strategy_names()) {
      run::SequenceResult fastest;
      for (int r = 0; r < repeats; ++r) {
        auto result = run::solve_sequence(decomp, config, run::reuse_strategy(name));
        if (r == 0 || result.total_seconds() < fastest.total_seconds()) fastest = result;
      }
      results.push_back(fastest);
    }
    const auto& grid = decomp.process_grid();
    TESSERA_LOG("Darcy sequence, "
                << samples << " samples at " << points << " x " << points << ", correlation "
                << correlation << ", rtol " << config.solver.krylov.rtol << ", " << env.size()
                << " rank(s) (" << grid[0] << " x " << grid[1] << "), fastest of " << repeats
                << ":\n"
                << run::reuse_table(results));
    return 0;
  });
}
