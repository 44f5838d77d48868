#include "solvers/subgrid_model.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace tessera::solvers {

namespace {

// The pairs i <= j of a symmetric tensor, diagonal first: 2D (0,0) (1,1) (0,1); 3D (0,0) (1,1)
// (2,2) (0,1) (0,2) (1,2).
constexpr int kPairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};

int pair_count(int dim) { return dim * (dim + 1) / 2; }
const int* pair(int dim, int p) { return kPairs[p < dim ? p : p + (3 - dim)]; }
// Off-diagonal pairs stand for ij and ji in a contraction.
double pair_weight(int dim, int p) { return p < dim ? 1.0 : 2.0; }

}  // namespace

const char* subgrid_model_name(SubgridModel model) {
  switch (model) {
    case SubgridModel::none:
      return "none";
    case SubgridModel::smagorinsky:
      return "smagorinsky";
    case SubgridModel::dynamic:
      return "dynamic";
  }
  return "?";
}

SubgridModel subgrid_model_from_name(const std::string& name) {
  for (SubgridModel m : {SubgridModel::none, SubgridModel::smagorinsky, SubgridModel::dynamic})
    if (name == subgrid_model_name(m)) return m;
  TESSERA_THROW("subgrid model '" << name << "' is not none, smagorinsky or dynamic");
}

int dynamic_field_count(int dim) { return dim + 3 * pair_count(dim); }

void dynamic_fields(int dim, const double* u, const double (*s)[3], double* fields) {
  const int np = pair_count(dim);
  double norm2 = 0;
  for (int a = 0; a < dim; ++a)
    for (int b = 0; b < dim; ++b) norm2 += 2 * s[a][b] * s[a][b];
  const double norm = std::sqrt(norm2);
  for (int a = 0; a < dim; ++a) fields[a] = u[a];
  for (int p = 0; p < np; ++p) {
    const int i = pair(dim, p)[0], j = pair(dim, p)[1];
    fields[dim + p] = u[i] * u[j];
    fields[dim + np + p] = s[i][j];
    fields[dim + 2 * np + p] = norm * s[i][j];
  }
}

void add_germano_terms(int dim, const double* filtered, double filter_ratio, GermanoSums& sums) {
  const int np = pair_count(dim);
  const double* u = filtered;
  const double* uu = filtered + dim;
  const double* s = filtered + dim + np;
  const double* norm_s = filtered + dim + 2 * np;
  double norm2 = 0, trace = 0;
  for (int p = 0; p < np; ++p) {
    norm2 += 2 * pair_weight(dim, p) * s[p] * s[p];
    if (p < dim) trace += uu[p] - u[p] * u[p];
  }
  const double norm = std::sqrt(norm2), ratio2 = filter_ratio * filter_ratio;
  for (int p = 0; p < np; ++p) {
    const int i = pair(dim, p)[0], j = pair(dim, p)[1];
    // Only the deviatoric part of L is modelled (the trace goes into the pressure).
    const double l = uu[p] - u[i] * u[j] - (i == j ? trace / dim : 0.0);
    const double m = 2 * (norm_s[p] - ratio2 * norm * s[p]);
    sums.lm += pair_weight(dim, p) * l * m;
    sums.mm += pair_weight(dim, p) * m * m;
  }
}

}  // namespace tessera::solvers
