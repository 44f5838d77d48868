#include "problems/box_problem.hpp"

#include "core/log.hpp"
#include "core/options.hpp"
#include "pinn/collocation.hpp"

namespace tessera::problems {

std::vector<double> BoxConfig::lower() const {
  const auto b = box();
  return {b.x0, b.t0};
}

std::vector<double> BoxConfig::upper() const {
  const auto b = box();
  return {b.x1, b.t1};
}

void SpaceTimeConfig::read_grid(Options& options) {
  grid_x = options.integer("pde_grid_x", grid_x, 2, 1 << 16,
                           "Burgers / Allen-Cahn comparison grid points in x");
  grid_t =
      options.integer("pde_grid_t", grid_t, 2, 1 << 16,
                      "Burgers / Allen-Cahn comparison grid points in t, t = 0 and 1 included");
}

TrainingPoints BoxProblem::training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const {
  const std::vector<double> lower{box_.x0, box_.t0}, upper{box_.x1, box_.t1};
  if (!time_dependent()) {
    TrainingPoints points{pinn::interior_points_2d(comm, p.interior_points, p.seed),
                          {{"boundary", pinn::boundary_points_2d(comm, p.boundary_points, p.seed),
                            p.boundary_weight}}};
    pinn::map_to_box(points.interior, lower, upper);
    pinn::map_to_box(points.conditions[0].points, lower, upper);
    return points;
  }
  // (x, t) on the unit square: interior, t = 0, and x in {0, 1}; then onto the box.
  const auto drawn = pinn::space_time_points(comm, p.interior_points, p.boundary_points,
                                             p.boundary_points, p.seed);
  for (const auto* set : {&drawn.interior, &drawn.initial, &drawn.boundary})
    pinn::map_to_box(*set, lower, upper);
  // The condition on x = x0 and x1 is the one the subdomain learners hold there.
  const dd::BoundaryCondition side = domain_conditions(name())[0].front();
  return {drawn.interior,
          {{"initial", drawn.initial, p.boundary_weight},
           {"boundary", drawn.boundary, p.boundary_weight, side.derivative}}};
}

Coordinates BoxProblem::grid_points() const {
  return {solvers::sample_space_time_block(decomp_, box_, [](double x, double) { return x; }),
          solvers::sample_space_time_block(decomp_, box_, [](double, double y) { return y; })};
}

ProblemComparison BoxProblem::compare(const Sampler& sample, const std::string& label) {
  const MPI_Comm comm = decomp_.comm();
  const auto points = grid_points();
  const auto pinn = sample(points, 0);
  const auto exact = this->exact();
  ProblemComparison c;
  const auto& n = decomp_.global_points();
  c.origin = {box_.x0, box_.t0, 0.0};
  c.spacing = {(box_.x1 - box_.x0) / (n[0] - 1), (box_.t1 - box_.t0) / (n[1] - 1), 1.0};
  c.pinn_vs_reference = relative_l2(comm, pinn, reference_);
  if (!exact.empty()) {
    c.pinn_vs_exact = relative_l2(comm, pinn, exact);
    c.reference_vs_exact = relative_l2(comm, reference_, exact);
  }
  c.fields = {{"x", points[0]},
              {time_dependent() ? "t" : "y", points[1]},
              {"pinn", pinn},
              {"reference", reference_}};
  if (!exact.empty()) c.fields.push_back({"exact", exact});
  c.fields.push_back({"pinn_error", difference(pinn, reference_)});
  c.attributes.push_back({"relative_l2_pinn_vs_reference", c.pinn_vs_reference});
  if (!exact.empty()) {
    c.attributes.push_back({"relative_l2_pinn_vs_exact", c.pinn_vs_exact});
    c.attributes.push_back({"relative_l2_reference_vs_exact", c.reference_vs_exact});
  }
  c.summary = "summary (relative L2 on the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) +
              " grid):\n" + summary_row(label + " vs reference", c.pinn_vs_reference) + " (" +
              reference_source() + ")\n";
  if (!exact.empty())
    c.summary += summary_row(label + " vs exact", c.pinn_vs_exact) + "\n" +
                 summary_row("reference vs exact", c.reference_vs_exact) + "\n";
  return c;
}

}  // namespace tessera::problems
