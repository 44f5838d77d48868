#pragma once
// Eddy-viscosity subgrid models for the LES solver (IncompressibleSolver): the pointwise pieces,
// which the solver's loops over the MAC grid call.
//
// Smagorinsky: ν_t = (C_s Δ)² |S|, |S| = sqrt(2 S_ij S_ij), Δ = h.
// Dynamic (Germano et al. 1991, least squares of Lilly 1992): with a test filter ^ of width αΔ
// (here [1, 2, 1]/4 per direction on cell-centred quantities, α = 2),
//   L_ij = (u_i u_j)^ - û_i û_j,   M_ij = 2 ((|S| S_ij)^ - α² |Ŝ| Ŝ_ij),
// and the Germano identity L_ij - δ_ij L_kk/d = (C_s Δ)² M_ij, solved in the least-squares sense
// over the whole box (every direction of the periodic cases is homogeneous):
//   (C_s Δ)² = max(0, <L_ij M_ij> / <M_ij M_ij>).
#include <cmath>
#include <string>

namespace tessera::solvers {

enum class SubgridModel { none, smagorinsky, dynamic };

/// "none", "smagorinsky" or "dynamic".
const char* subgrid_model_name(SubgridModel model);
/// The model of that name; throws tessera::InputError for any other.
SubgridModel subgrid_model_from_name(const std::string& name);

/// ν_t = (C_s Δ)² sqrt(2 S_ij S_ij), given (C_s Δ)² and 2 S_ij S_ij.
inline double smagorinsky_viscosity(double cs_delta_squared, double strain_norm_squared) {
  return cs_delta_squared * std::sqrt(strain_norm_squared);
}

/// The cell-centred fields the dynamic procedure filters, per cell: û (dim), then u_i u_j, S_ij
/// and |S| S_ij over the pairs i <= j (dim (dim + 1) / 2 each).
int dynamic_field_count(int dim);
/// Writes those fields of one cell from its centre velocity u[dim] and strain s[3][3].
void dynamic_fields(int dim, const double* u, const double (*s)[3], double* fields);

/// Sums over cells of L_ij M_ij and M_ij M_ij, the two averages of the least-squares fit.
struct GermanoSums {
  double lm = 0, mm = 0;
  /// (C_s Δ)², clipped at 0; 0 where M vanishes (a flow at rest).
  double cs_delta_squared() const { return mm > 0 ? std::max(0.0, lm / mm) : 0.0; }
};
/// Adds one cell's L_ij M_ij and M_ij M_ij, from its test-filtered fields (dynamic_fields()
/// laid out) and the filter-width ratio α.
void add_germano_terms(int dim, const double* filtered, double filter_ratio, GermanoSums& sums);

}  // namespace tessera::solvers
