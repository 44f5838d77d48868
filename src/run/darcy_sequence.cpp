#include "run/darcy_sequence.hpp"

#include <cstdio>
#include <sstream>

#include "core/bandit.hpp"
#include "core/error.hpp"

namespace tessera::run {

namespace {

solvers::InitialGuess guess_of(ReuseStrategy strategy) {
  switch (strategy) {
    case ReuseStrategy::none:
      return solvers::InitialGuess::zero;
    case ReuseStrategy::previous:
      return solvers::InitialGuess::previous;
    case ReuseStrategy::fischer:
      return solvers::InitialGuess::fischer;
    case ReuseStrategy::projection:
    case ReuseStrategy::bandit:
    case ReuseStrategy::multigrid:
      return solvers::InitialGuess::projection;
  }
  return solvers::InitialGuess::zero;
}

}  // namespace

const std::vector<std::string>& reuse_strategy_names() {
  static const std::vector<std::string> names{"none",       "previous", "fischer",
                                              "projection", "bandit",   "multigrid"};
  return names;
}

const char* reuse_strategy_name(ReuseStrategy strategy) {
  return reuse_strategy_names().at(static_cast<size_t>(strategy)).c_str();
}

ReuseStrategy reuse_strategy(const std::string& name) {
  const auto& names = reuse_strategy_names();
  for (size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return static_cast<ReuseStrategy>(k);
  TESSERA_THROW("unknown reuse strategy '" << name << "'");
}

const std::vector<double>& bandit_omegas() {
  static const std::vector<double> omegas{1.0, 1.2, 1.4, 1.6, 1.8};
  return omegas;
}

int SequenceResult::total_iterations() const {
  int total = 0;
  for (const auto& s : solves) total += s.iterations;
  return total;
}

int SequenceResult::preconditioner_builds() const {
  int builds = 0;
  for (const auto& s : solves) builds += s.preconditioner_built;
  return builds;
}

double SequenceResult::total_seconds() const {
  double total = 0;
  for (const auto& s : solves) total += s.seconds;
  return total;
}

SequenceResult solve_sequence(const Decomposition& decomp, const SequenceConfig& config,
                              ReuseStrategy strategy, const SolveObserver& observe, int first,
                              int end) {
  SequenceResult result;
  result.strategy = strategy;
  physics::PermeabilitySequence field(config.field);
  solvers::DarcyReference solver(decomp, config.solver, guess_of(strategy));
  solver.set_source([](double, double) { return 1.0; });
  const auto box = solver.coefficient_box();
  const bool tuned = strategy == ReuseStrategy::bandit;
  Ucb1Bandit bandit(static_cast<int>(bandit_omegas().size()), config.bandit_exploration);
  const bool keeps_multigrid = strategy == ReuseStrategy::multigrid;
  int iterations_after_build = 0, last_iterations = 0;
  if (end < 0) end = config.samples;
  for (int s = first; s < end; ++s) {
    field.advance_to(s);
    solver.set_coefficient(field.tabulate(box.i0, box.ni, box.j0, box.nj, solver.h()));
    SolveRecord record;
    record.sample = s;
    const int arm = tuned ? bandit.choose() : 0;
    if (tuned) {
      record.omega = bandit_omegas()[arm];
      solver.set_smoother_omega(record.omega);
    }
    if (keeps_multigrid) {
      record.preconditioner_built = s == first || 2 * last_iterations >= 3 * iterations_after_build;
      solver.set_reuse_preconditioner(!record.preconditioner_built);
    }
    solver.solve("the Darcy solve of sample " + std::to_string(s));
    record.iterations = solver.iterations();
    last_iterations = record.iterations;
    if (record.preconditioner_built) iterations_after_build = record.iterations;
    // Rank 0's time, as every report of the run: ranks' clocks differ, the solve is collective.
    record.seconds = solver.seconds();
    TESSERA_MPI_CALL(MPI_Bcast(&record.seconds, 1, MPI_DOUBLE, 0, decomp.comm()));
    record.residual_norm = solver.residual_norm();
    if (tuned) bandit.record(arm, record.iterations);
    result.solves.push_back(record);
    if (observe) observe(record, solver, field);
  }
  if (tuned) result.arm_pulls = bandit.pulls();
  result.solver = solver.solver_name();
  return result;
}

std::string reuse_table(const std::vector<SequenceResult>& results) {
  const SequenceResult* baseline = nullptr;
  for (const auto& r : results)
    if (r.strategy == ReuseStrategy::none) baseline = &r;
  std::ostringstream table;
  char line[160];
  std::snprintf(line, sizeof line, "  %-11s %10s %12s %14s %14s\n", "strategy", "iterations",
                "solve [s]", "its vs none", "time vs none");
  table << line;
  for (const auto& r : results) {
    const int its = r.total_iterations();
    const double seconds = r.total_seconds();
    if (baseline && its > 0 && seconds > 0) {
      std::snprintf(line, sizeof line, "  %-11s %10d %12.3f %13.2fx %13.2fx\n",
                    reuse_strategy_name(r.strategy), its, seconds,
                    double(baseline->total_iterations()) / its,
                    baseline->total_seconds() / seconds);
    } else {
      std::snprintf(line, sizeof line, "  %-11s %10d %12.3f %14s %14s\n",
                    reuse_strategy_name(r.strategy), its, seconds, "-", "-");
    }
    table << line;
  }
  for (const auto& r : results)
    if (r.strategy == ReuseStrategy::multigrid)
      table << "  multigrid built for " << r.preconditioner_builds() << " of " << r.solves.size()
            << " operators\n";
  for (const auto& r : results) {
    if (r.arm_pulls.empty()) continue;
    table << "  bandit choices (SOR omega: solves):";
    for (size_t a = 0; a < r.arm_pulls.size(); ++a) {
      std::snprintf(line, sizeof line, " %.1f: %d", bandit_omegas()[a], r.arm_pulls[a]);
      table << line;
    }
    table << "\n";
  }
  return table.str();
}

}  // namespace tessera::run
