#include "problems/navier_stokes.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "pinn/collocation.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera::problems {

namespace {

// Mean over every rank's entries of v. Collective.
double global_mean(MPI_Comm comm, const std::vector<double>& v) {
  double sums[2] = {0, static_cast<double>(v.size())};
  for (double x : v) sums[0] += x;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm));
  return sums[0] / sums[1];
}

std::vector<double> minus_mean(MPI_Comm comm, std::vector<double> v) {
  const double mean = global_mean(comm, v);
  for (double& x : v) x -= mean;
  return v;
}

std::vector<double> concatenated(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> ab(a);
  ab.insert(ab.end(), b.begin(), b.end());
  return ab;
}

/// Sets coordinate d of every point to value (points on a line of the box). Not collective.
void pin_coordinate(const nn::Matrix& points, int d, double value) {
  Kokkos::parallel_for(
      "tessera::problems::pin_coordinate", Kokkos::RangePolicy<>(0, points.extent(1)),
      KOKKOS_LAMBDA(const int k) { points(d, k) = value; });
}

solvers::SpaceTimeBox kovasznay_box() {
  using K = physics::Kovasznay;
  return {K::x_min, K::x_max, K::y_min, K::y_max, false};
}

}  // namespace

FlowErrors flow_errors(MPI_Comm comm, const FlowField& flow, const FlowField& reference) {
  FlowErrors e;
  e.u = relative_l2(comm, flow.u, reference.u);
  e.v = relative_l2(comm, flow.v, reference.v);
  e.velocity =
      relative_l2(comm, concatenated(flow.u, flow.v), concatenated(reference.u, reference.v));
  e.pressure = relative_l2(comm, minus_mean(comm, flow.p), minus_mean(comm, reference.p));
  return e;
}

std::array<std::vector<double>, 2> cavity_points(const Decomposition& decomp, int output) {
  const double ox = output == 0 ? 0.0 : 0.5, oy = output == 1 ? 0.0 : 0.5;  // in cells
  const auto& s = decomp.local_start();
  const auto& c = decomp.local_count();
  const double h = 1.0 / decomp.global_points()[0];
  std::array<std::vector<double>, 2> xy;
  for (int j = 0; j < c[1]; ++j)
    for (int i = 0; i < c[0]; ++i) {
      xy[0].push_back((s[0] + i + ox) * h);
      xy[1].push_back((s[1] + j + oy) * h);
    }
  return xy;
}

TrainingPoints NavierStokesProblem::training_points(MPI_Comm comm,
                                                    const pinn::PointSetConfig& p) const {
  const auto& lower = lower_;
  const auto& upper = upper_;
  const auto interior = pinn::interior_points_2d(comm, p.interior_points, p.seed);
  const auto boundary = pinn::boundary_points_2d(comm, p.boundary_points, p.seed);
  pinn::map_to_box(interior, lower, upper);
  pinn::map_to_box(boundary, lower, upper);
  TrainingPoints points{interior,
                        {{"boundary_u", boundary, p.boundary_weight, -1, 0},
                         {"boundary_v", boundary, p.boundary_weight, -1, 1}}};
  const auto pressure = pressure_points(comm, p);
  if (pressure.is_allocated())
    points.conditions.push_back({"pressure", pressure, p.boundary_weight, -1, 2});
  return points;
}

std::vector<Coordinates> NavierStokesProblem::comparison_points() const {
  const auto centres = grid_points();
  return {centres, centres, centres};
}

ProblemComparison NavierStokesProblem::compare(const Sampler& sample, const std::string&) {
  const MPI_Comm comm = decomp_.comm();
  const auto points = comparison_points();
  const auto centres = grid_points();
  const FlowField pinn{sample(points[0], 0), sample(points[1], 1), sample(points[2], 2)};
  // (u, v) at the grid's points for the vector fields: the cavity's u and v lie on the cells'
  // faces, half a cell off the points (the reference's face means, the network sampled there).
  const std::array<std::vector<double>, 2> pinn_velocity{sample(centres, 0), sample(centres, 1)};
  const auto errors = flow_errors(comm, pinn, reference_);
  ProblemComparison c;
  c.origin = origin_;
  c.spacing = spacing_;
  c.pinn_vs_reference = errors.velocity;
  if (reference_name_ == "exact") c.pinn_vs_exact = errors.velocity;
  const std::string ref = "_" + reference_name_;
  c.fields = {{"x", centres[0]}, {"y", centres[1]}};
  const char* names[3] = {"u", "v", "p"};
  const std::vector<double>* fields[3][2] = {
      {&pinn.u, &reference_.u}, {&pinn.v, &reference_.v}, {&pinn.p, &reference_.p}};
  for (int k = 0; k < 3; ++k) {
    const std::string name = names[k];
    c.fields.push_back({name, *fields[k][0]});
    c.fields.push_back({name + ref, *fields[k][1]});
    c.fields.push_back({name + "_error", k == 2 ? difference(minus_mean(comm, pinn.p),
                                                             minus_mean(comm, reference_.p))
                                                : difference(*fields[k][0], *fields[k][1])});
  }
  c.vectors = {{"velocity", pinn_velocity},
               {"velocity" + ref, reference_velocity_},
               {"velocity_error",
                {difference(pinn_velocity[0], reference_velocity_[0]),
                 difference(pinn_velocity[1], reference_velocity_[1])}}};
  if (!staggering_.empty()) c.attributes.push_back({"staggering", staggering_});
  c.attributes.push_back({"relative_l2_u", errors.u});
  c.attributes.push_back({"relative_l2_v", errors.v});
  c.attributes.push_back({"relative_l2_velocity", errors.velocity});
  c.attributes.push_back({"relative_l2_pressure", errors.pressure});
  const auto& n = decomp_.global_points();
  c.summary = "summary (relative L2 on the " + std::to_string(n[0]) + " x " + std::to_string(n[1]) +
              " grid, vs " + versus_ + "):\n" + "  u                   " +
              format("%.3e", errors.u) + "\n" + "  v                   " +
              format("%.3e", errors.v) + "\n" + "  velocity            " +
              format("%.3e", errors.velocity) + "\n" + "  p (mean removed)    " +
              format("%.3e", errors.pressure) + "\n";
  return c;
}

std::shared_ptr<const ProblemConfig> KovasznayConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<KovasznayConfig>();
  c->kovasznay.reynolds = options.real("kovasznay_reynolds", c->kovasznay.reynolds, 1e-3, 1e4,
                                       "Kovasznay flow: Reynolds number (20 and 40 are usual)");
  c->grid_x = options.integer("kovasznay_grid_x", c->grid_x, 2, 1 << 16,
                              "Kovasznay: comparison grid points in x over [-0.5, 1]");
  c->grid_y = options.integer("kovasznay_grid_y", c->grid_y, 2, 1 << 16,
                              "Kovasznay: comparison grid points in y over [-0.5, 1.5]");
  return c;
}

std::vector<double> KovasznayConfig::lower() const {
  return {physics::Kovasznay::x_min, physics::Kovasznay::y_min};
}

std::vector<double> KovasznayConfig::upper() const {
  return {physics::Kovasznay::x_max, physics::Kovasznay::y_max};
}

std::unique_ptr<Problem> KovasznayConfig::make(MPI_Comm comm,
                                               const std::array<int, 3>& process_grid) const {
  return std::make_unique<KovasznayProblem>(comm, *this, process_grid);
}

KovasznayProblem::KovasznayProblem(MPI_Comm comm, const KovasznayConfig& config,
                                   const std::array<int, 3>& process_grid)
    : NavierStokesProblem(comm, config, process_grid), config_(config) {
  using K = physics::Kovasznay;
  const auto& n = decomp_.global_points();
  origin_ = {K::x_min, K::y_min, 0.0};
  spacing_ = {(K::x_max - K::x_min) / (n[0] - 1), (K::y_max - K::y_min) / (n[1] - 1), 1.0};
  reference_name_ = "exact";
  versus_ = "the exact solution";
}

Coordinates KovasznayProblem::grid_points() const {
  const auto box = kovasznay_box();
  return {solvers::sample_space_time_block(decomp_, box, [](double x, double) { return x; }),
          solvers::sample_space_time_block(decomp_, box, [](double, double y) { return y; })};
}

std::string KovasznayProblem::description() const {
  return "PINN for kovasznay at Re = " + format("%g", config_.kovasznay.reynolds);
}

nn::Matrix KovasznayProblem::pressure_points(MPI_Comm comm, const pinn::PointSetConfig& p) const {
  using K = physics::Kovasznay;
  // Pressure gauge: p = (1 - e^{2λ})/2 on the outlet x = 1, where the exact p is constant in y.
  // Any gauge would do (p enters the residuals through its gradient only); a line rather than
  // one point spreads the constraint over the outlet's boundary points.
  const auto outlet = pinn::interior_points_2d(comm, p.boundary_points / 4, p.seed + 1);
  pinn::map_to_box(outlet, {K::x_min, K::y_min}, {K::x_max, K::y_max});
  pin_coordinate(outlet, 0, K::x_max);
  return outlet;
}

void KovasznayProblem::solve_reference() {
  const auto flow = config_.kovasznay;
  const auto box = kovasznay_box();
  std::vector<double>* fields[3] = {&reference_.u, &reference_.v, &reference_.p};
  for (int k = 0; k < 3; ++k)
    *fields[k] = solvers::sample_space_time_block(
        decomp_, box, [&](double x, double y) { return flow.component(k, x, y); });
  reference_velocity_ = {reference_.u, reference_.v};
}

std::shared_ptr<const ProblemConfig> CavityConfig::read(Options& options, const std::string&) {
  auto c = std::make_shared<CavityConfig>();
  c->cavity.reynolds = options.real("cavity_reynolds", c->cavity.reynolds, 1e-3, 1e4,
                                    "lid-driven cavity: Reynolds number U L / nu");
  c->cavity.regularised_lid =
      options.choice("cavity_lid", c->cavity.regularised_lid ? "regularised" : "uniform",
                     {"regularised", "uniform"},
                     "lid-driven cavity: lid velocity 16 x^2 (1 - x)^2 (smooth at the corners) "
                     "or 1 (Ghia et al.; singular corners)") == "regularised";
  c->cells = options.integer("cavity_reference_cells", c->cells, 4, 1 << 14,
                             "lid-driven cavity: PETSc reference cells per direction, also the "
                             "comparison grid (u, v on their MAC faces, p at the cell centres)");
  c->steady = solvers::CavitySteadyConfig::from_options(options);
  return c;
}

std::unique_ptr<Problem> CavityConfig::make(MPI_Comm comm,
                                            const std::array<int, 3>& process_grid) const {
  return std::make_unique<CavityProblem>(comm, *this, process_grid);
}

CavityProblem::CavityProblem(MPI_Comm comm, const CavityConfig& config,
                             const std::array<int, 3>& process_grid)
    : NavierStokesProblem(comm, config, process_grid), config_(config) {
  const double h = 1.0 / config.cells;
  origin_ = {0.5 * h, 0.5 * h, 0.0};
  spacing_ = {h, h, 1.0};
  reference_name_ = "reference";
  versus_ = "the PETSc cavity";
  staggering_ =
      "u on the cells' left faces, v on their lower faces, p at the centres (the grid's points); "
      "velocity at the centres (the reference's: the mean of each component's two faces); "
      "p_error with both means removed";
}

std::string CavityProblem::description() const {
  return "PINN for lid_driven_cavity at Re = " + format("%g", config_.cavity.reynolds);
}

Coordinates CavityProblem::grid_points() const {
  auto xy = cavity_points(decomp_, 2);
  return {std::move(xy[0]), std::move(xy[1])};
}

std::vector<Coordinates> CavityProblem::comparison_points() const {
  std::vector<Coordinates> points;
  for (int k = 0; k < 3; ++k) {
    auto xy = cavity_points(decomp_, k);
    points.push_back({std::move(xy[0]), std::move(xy[1])});
  }
  return points;
}

void CavityProblem::solve_reference() {
  solvers::IncompressibleConfig flow;
  flow.dim = 2;
  flow.cells = config_.cells;
  flow.length = 1.0;
  flow.viscosity = 1.0 / config_.cavity.reynolds;
  flow.boundary = solvers::Boundary::cavity;
  flow.lid_velocity = 1.0;
  flow.regularised_lid = config_.cavity.regularised_lid;
  Timer timer;
  auto steady = solvers::run_cavity_to_steady_state(decomp_, flow, config_.steady);
  TESSERA_LOG("PETSc cavity reference on "
              << config_.cells << "^2 cells: steady at t = " << steady.time << " after "
              << steady.steps << " steps, max div " << format("%.1e", steady.max_divergence) << ", "
              << format("%.1f s", timer.seconds()));
  reference_.u = std::move(steady.velocity[0]);
  reference_.v = std::move(steady.velocity[1]);
  reference_.p = std::move(steady.pressure);
  reference_velocity_ = {std::move(steady.centre_velocity[0]),
                         std::move(steady.centre_velocity[1])};
}

}  // namespace tessera::problems
