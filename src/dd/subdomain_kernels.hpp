#pragma once
// Kernels that both subdomain losses (dd/xpinn_loss.hpp, dd/fbpinn_loss.hpp) use, as free
// functions and plain structs that device code can take by value: the domain conditions as a
// fixed table, a boundary point's misfit and its adjoint, and the per-subdomain sums of
// per-point terms.
#include <Kokkos_Core.hpp>

#include "core/error.hpp"
#include "dd/domain_conditions.hpp"
#include "pinn/pde_loss_kernels.hpp"

namespace tessera::dd {

/// DomainConditions as a table of fixed size, for kernels.
struct ConditionTable {
  static constexpr int kMaxPerFace = 2 * pinn::kMaxJetOutputs;
  int count[kMaxFaces] = {};
  BoundaryCondition condition[kMaxFaces][kMaxPerFace];

  ConditionTable() = default;
  explicit ConditionTable(const DomainConditions& conditions) {
    for (int f = 0; f < kMaxFaces; ++f) {
      TESSERA_CHECK(static_cast<int>(conditions[f].size()) <= kMaxPerFace,
                    "ConditionTable: " << conditions[f].size() << " conditions on face "
                                       << face_name(f) << ", at most " << kMaxPerFace);
      count[f] = static_cast<int>(conditions[f].size());
      for (int c = 0; c < count[f]; ++c) condition[f][c] = conditions[f][c];
    }
  }
};

/// scale times the sum over face f's conditions of their squared misfits at the jet, a condition
/// on the value against pde.condition(output, x), one on a derivative against zero; calls
/// add(output, stream, a) with the adjoint a of that term for the jet stream it reads (0 the
/// value, 1 + i the derivative along input i).
template <class Pde, class Add>
KOKKOS_INLINE_FUNCTION double boundary_misfit(const Pde& pde, const pinn::PointJet& jet,
                                              const ConditionTable& table, int f, double scale,
                                              const Add& add) {
  double term = 0;
  for (int c = 0; c < table.count[f]; ++c) {
    const BoundaryCondition bc = table.condition[f][c];
    const double d = bc.derivative < 0 ? jet.u[bc.output] - pde.condition(bc.output, jet.x)
                                       : jet.gradient[bc.output][bc.derivative];
    term += scale * d * d;
    add(bc.output, bc.derivative < 0 ? 0 : 1 + bc.derivative, 2.0 * scale * d);
  }
  return term;
}

/// sums(r, c) = sum of values(p, c) over p in [ranges(r, 0), ranges(r, 1)), for every range r
/// and column c < columns: one team per (range, column), one launch. Not collective.
template <class Values, class Sums>
void range_sums(const char* label, const Values& values, const Kokkos::View<long**>& ranges,
                const Sums& sums, int columns) {
  using Team = Kokkos::TeamPolicy<>::member_type;
  const int count = static_cast<int>(ranges.extent(0));
  if (count == 0 || columns == 0) return;
  Kokkos::parallel_for(
      label, Kokkos::TeamPolicy<>(count * columns, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
        const int r = team.league_rank() / columns, c = team.league_rank() % columns;
        double sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, ranges(r, 0), ranges(r, 1)),
            [&](const long p, double& acc) { acc += values(p, c); }, sum);
        Kokkos::single(Kokkos::PerTeam(team), [&] { sums(r, c) = sum; });
      });
}

}  // namespace tessera::dd
