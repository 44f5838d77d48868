#include "problems/heat3d.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "pinn/collocation.hpp"

namespace tessera::problems {

std::shared_ptr<const ProblemConfig> Heat3DConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<Heat3DConfig>();
  c->heat3d = physics::Heat3D::from_options(options);
  c->final_time = options.real("heat_final_time", c->final_time, 1e-6, 1e6,
                               "T: the 3D heat PINN covers t in [0, T] and is compared at T/2 "
                               "and T");
  c->reference = solvers::HeatReferenceConfig::from_options(options);
  return c;
}

std::array<int, 3> Heat3DConfig::grid_points() const {
  return {reference.points, reference.points, reference.points};
}

void Heat3DConfig::check_network(Options& options, const nn::MlpShape& network) const {
  if (network.hard_dirichlet)
    options.report(
        "-pinn_hard_boundary: its ansatz vanishes on every face of the unit box, t = 0 "
        "and t = 1 included, so it cannot hold the heat equation's initial value");
}

std::unique_ptr<Problem> Heat3DConfig::make(MPI_Comm comm,
                                            const std::array<int, 3>& process_grid) const {
  return std::make_unique<Heat3DProblem>(comm, *this, process_grid);
}

Heat3DProblem::Heat3DProblem(MPI_Comm comm, const Heat3DConfig& config,
                             const std::array<int, 3>& process_grid)
    : Problem(comm, config, process_grid), config_(config) {
  reference_ = std::make_unique<solvers::HeatReference>(decomp_, config.heat3d, config.reference);
}

Heat3DProblem::~Heat3DProblem() = default;

std::vector<double> Heat3DProblem::times() const {
  return {config_.final_time / 2, config_.final_time};
}

TrainingPoints Heat3DProblem::training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const {
  const double final_time = config_.final_time;
  TrainingPoints points{pinn::interior_points(comm, 4, p.interior_points, p.seed),
                        {{"initial", pinn::interior_points(comm, 4, p.boundary_points, p.seed + 1),
                          p.boundary_weight},
                         {"boundary", pinn::face_points(comm, 4, 3, p.boundary_points, p.seed + 2),
                          p.boundary_weight}}};
  pinn::map_to_box(points.interior, {0, 0, 0, 0}, {1, 1, 1, final_time});
  pinn::map_to_box(points.conditions[0].points, {0, 0, 0, 0}, {1, 1, 1, 0});
  pinn::map_to_box(points.conditions[1].points, {0, 0, 0, 0}, {1, 1, 1, final_time});
  return points;
}

Coordinates Heat3DProblem::grid_points() const {
  // i/(n-1) as in the reference, so that the last point is exactly 1.
  return unit_box_points([](int i, int n) { return static_cast<double>(i) / (n - 1); });
}

void Heat3DProblem::solve_reference() {
  solutions_.clear();
  for (double time : times()) {
    reference_->advance_to(time);
    solutions_.push_back(reference_->local_solution());
  }
}

ProblemComparison Heat3DProblem::compare(const Sampler& sample, const std::string& label) {
  TESSERA_CHECK(solutions_.size() == 2, "Heat3DProblem::compare before solve_reference");
  const MPI_Comm comm = decomp_.comm();
  auto xyzt = grid_points();
  const auto& n = decomp_.global_points();
  ProblemComparison c;
  c.spacing = {1.0 / (n[0] - 1), 1.0 / (n[1] - 1), 1.0 / (n[2] - 1)};
  c.summary = "summary (relative L2 on the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) +
              " x " + std::to_string(n[2]) + " grid):\n";
  xyzt.emplace_back(xyzt[0].size());
  const char* suffixes[2] = {"_mid", "_final"};
  for (int r = 0; r < 2; ++r) {
    const double time = times()[r];
    const std::string suffix = suffixes[r];
    std::fill(xyzt[3].begin(), xyzt[3].end(), time);
    const auto pinn = sample(xyzt, 0);
    const auto& reference = solutions_[r];
    std::vector<double> exact;
    const auto problem = config_.heat3d;
    for (size_t k = 0; k < xyzt[0].size(); ++k)
      exact.push_back(problem.exact(xyzt[0][k], xyzt[1][k], xyzt[2][k], time));
    c.pinn_vs_reference = relative_l2(comm, pinn, reference);
    c.pinn_vs_exact = relative_l2(comm, pinn, exact);
    c.reference_vs_exact = relative_l2(comm, reference, exact);
    c.fields.push_back({"pinn" + suffix, pinn});
    c.fields.push_back({"reference" + suffix, reference});
    c.fields.push_back({"exact" + suffix, exact});
    c.fields.push_back({"pinn_error" + suffix, difference(pinn, reference)});
    c.attributes.push_back({"time" + suffix, time});
    c.attributes.push_back({"relative_l2_pinn_vs_reference" + suffix, c.pinn_vs_reference});
    c.attributes.push_back({"relative_l2_pinn_vs_exact" + suffix, c.pinn_vs_exact});
    c.attributes.push_back({"relative_l2_reference_vs_exact" + suffix, c.reference_vs_exact});
    c.summary += "  at t = " + format("%g", time) + ":\n" +
                 summary_row(label + " vs reference", c.pinn_vs_reference) + " (PETSc)\n" +
                 summary_row(label + " vs exact", c.pinn_vs_exact) + "\n" +
                 summary_row("reference vs exact", c.reference_vs_exact) + "\n";
  }
  return c;
}

}  // namespace tessera::problems
