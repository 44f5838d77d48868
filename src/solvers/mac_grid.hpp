#pragma once
// Internal to src/solvers: index arithmetic on the DMDA blocks of the staggered (MAC) grid that
// the incompressible solver and its subgrid models share, and the velocity differences they take.
//
// Velocity component a of cell p sits on the cell's lower face in direction a; for a != b the
// edge E_ab(p) is the cell's lower corner in the a-b plane (at p + 1/2 - e_a/2 - e_b/2, in cells).
// Cell-centred quantities (pressure, normal strain, eddy viscosity) sit at p + 1/2.
#include <petscdmda.h>

#include "core/error.hpp"

namespace tessera::solvers::mac {

// A block of cells of a DMDA (owned or ghosted) and the flat offsets of its cells, x fastest.
// Unused directions have start 0 and count 1, so one triple loop serves 2D and 3D.
struct Block {
  PetscInt start[3] = {0, 0, 0}, count[3] = {1, 1, 1};
  PetscInt cell(PetscInt i, PetscInt j, PetscInt k) const {
    return ((k - start[2]) * count[1] + (j - start[1])) * count[0] + (i - start[0]);
  }
  // Offset between neighbouring cells along direction d.
  PetscInt stride(int d) const { return d == 0 ? 1 : d == 1 ? count[0] : count[0] * count[1]; }
  PetscInt cells() const { return count[0] * count[1] * count[2]; }
};

inline Block owned_block(DM dm) {
  Block b;
  TESSERA_PETSC_CALL(DMDAGetCorners(dm, &b.start[0], &b.start[1], &b.start[2], &b.count[0],
                                    &b.count[1], &b.count[2]));
  return b;
}

inline Block ghosted_block(DM dm) {
  Block b;
  TESSERA_PETSC_CALL(DMDAGetGhostCorners(dm, &b.start[0], &b.start[1], &b.start[2], &b.count[0],
                                         &b.count[1], &b.count[2]));
  return b;
}

// Calls f(i, j, k) for every cell of the block.
template <class F>
void for_each_cell(const Block& b, F&& f) {
  for (PetscInt k = b.start[2]; k < b.start[2] + b.count[2]; ++k)
    for (PetscInt j = b.start[1]; j < b.start[1] + b.count[1]; ++j)
      for (PetscInt i = b.start[0]; i < b.start[0] + b.count[0]; ++i) f(i, j, k);
}

// A ghosted local copy of a global vector, for reading neighbours; returned to the DM on scope
// exit. Collective (the ghost exchange). The copy is writable so that boundary conditions can
// fill the ghosts outside a wall.
class GhostedRead {
public:
  GhostedRead(DM dm, Vec global) : dm_(dm) {
    TESSERA_PETSC_CALL(DMGetLocalVector(dm_, &local_));
    TESSERA_PETSC_CALL(DMGlobalToLocal(dm_, global, INSERT_VALUES, local_));
    TESSERA_PETSC_CALL(VecGetArray(local_, &data_));
  }
  ~GhostedRead() {
    VecRestoreArray(local_, &data_);
    DMRestoreLocalVector(dm_, &local_);
  }
  GhostedRead(const GhostedRead&) = delete;
  GhostedRead& operator=(const GhostedRead&) = delete;
  const PetscScalar* data() const { return data_; }
  PetscScalar* writable() { return data_; }

private:
  DM dm_;
  Vec local_ = nullptr;
  PetscScalar* data_ = nullptr;
};

// Velocity differences on a ghosted velocity array (dim components interleaved), at the ghosted
// offset g of a cell. Every one reads at most one cell away along each direction, so a box
// stencil of width 1 serves cells whose neighbours up to one cell away (diagonals included) are
// in the block.
struct VelocityDifferences {
  const PetscScalar* u;
  Block ghosted;
  int dim;
  double h;

  double at(PetscInt g, int a) const { return u[g * dim + a]; }
  /// ∂_a u_a at the centre of cell g.
  double normal_strain(PetscInt g, int a) const {
    return (at(g + ghosted.stride(a), a) - at(g, a)) / h;
  }
  /// ∇_h·u at the centre of cell g.
  double divergence(PetscInt g) const {
    double div = 0;
    for (int a = 0; a < dim; ++a) div += normal_strain(g, a);
    return div;
  }
  /// ∂_b u_a at the edge E_ab(g), a != b.
  double edge_gradient(PetscInt g, int a, int b) const {
    return (at(g, a) - at(g - ghosted.stride(b), a)) / h;
  }
  /// S_ab = (∂_b u_a + ∂_a u_b) / 2 at the edge E_ab(g), a != b.
  double shear_strain(PetscInt g, int a, int b) const {
    return 0.5 * (edge_gradient(g, a, b) + edge_gradient(g, b, a));
  }
  /// 2 S_ij S_ij at the centre of cell g: the normal strains there and, for each pair a < b, the
  /// mean of S_ab² over the cell's four edges in the a-b plane. Exact for linear fields.
  double strain_norm_squared(PetscInt g) const {
    double s = 0;
    for (int a = 0; a < dim; ++a) {
      const double d = normal_strain(g, a);
      s += 2 * d * d;
      for (int b = a + 1; b < dim; ++b) {
        const PetscInt sa = ghosted.stride(a), sb = ghosted.stride(b);
        double mean = 0;
        for (PetscInt e : {g, g + sa, g + sb, g + sa + sb}) {
          const double sab = shear_strain(e, a, b);
          mean += 0.25 * sab * sab;
        }
        s += 4 * mean;  // S_ab and S_ba
      }
    }
    return s;
  }
};

}  // namespace tessera::solvers::mac
