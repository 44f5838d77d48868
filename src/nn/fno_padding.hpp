#pragma once
// The FNO's zero padding for non-periodic problems, per dimension: `points[d]` zeros appended at
// the END of dimension d of the global grid (F.pad after the lifting of the FNO code; FNO2d pads
// both space axes, FNO3d only its time axis). The Fourier layers then see the padded grid, whose
// period is longer than the data's, so the network need not treat the data as periodic.
//
// On a grid decomposed over ranks the padded points of dimension d belong to the ranks that own
// its end (their padded block extends by points[d]); the others' blocks are unchanged. So padding
// needs no communication, and a split dimension may be padded like any other.
//
// Fields are flat Vectors of `fields` blocks in C order ([batch][channel][e1][e2]([e3])):
// pad_points scatters an unpadded block into the padded one and zeroes the padded points;
// crop_points gathers it back. Each is the other's adjoint, <pad x, y> = <x, crop y>: the FNO's
// backward pass crops where the forward padded and pads where it cropped.
#include <vector>

#include "nn/spectral_conv.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

struct FnoPadding {
  std::vector<int> points;    // zeros appended at the end of each dimension (all 0: no padding)
  std::vector<int> grid;      // the padded global grid
  GridBlock block;            // this rank's padded block
  long local_points = 0;      // this rank's unpadded points
  long padded_points = 0;     // this rank's padded points
  Kokkos::View<long*> index;  // unpadded local point (C order) -> its index in the padded block

  /// unpadded_grid: global points per dimension; unpadded_block: this rank's part of it; counts:
  /// zeros appended per dimension (empty: no padding). Not collective. Throws tessera::Error for
  /// a count list of another length or a negative count, naming the dimension.
  FnoPadding(const std::vector<int>& unpadded_grid, const GridBlock& unpadded_block,
             const std::vector<int>& counts);
  FnoPadding() = default;

  /// Whether this rank holds padded points (false on ranks away from every padded end).
  bool pads() const { return padded_points != local_points; }
};

/// to = pad(from): from holds fields x local_points values, to fields x padded_points (its padded
/// points set to 0). Scalar double or float. Not collective.
template <class Scalar>
void pad_points(const FnoPadding& padding, const VectorOf<Scalar>& from,
                const VectorOf<Scalar>& to);

/// to = crop(from), the adjoint of pad_points: from holds fields x padded_points values, to
/// fields x local_points. Scalar double or float. Not collective.
template <class Scalar>
void crop_points(const FnoPadding& padding, const VectorOf<Scalar>& from,
                 const VectorOf<Scalar>& to);

}  // namespace tessera::nn
