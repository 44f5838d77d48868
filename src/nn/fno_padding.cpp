#include "nn/fno_padding.hpp"

#include "core/error.hpp"

namespace tessera::nn {

FnoPadding::FnoPadding(const std::vector<int>& unpadded_grid, const GridBlock& unpadded_block,
                       const std::vector<int>& counts)
    : points(counts.empty() ? std::vector<int>(unpadded_grid.size(), 0) : counts),
      grid(unpadded_grid),
      block(unpadded_block) {
  const int dims = static_cast<int>(unpadded_grid.size());
  TESSERA_CHECK(static_cast<int>(points.size()) == dims,
                "Fno: padding gives " << points.size() << " counts for a " << dims
                                      << "D grid; one per dimension");
  local_points = 1;
  padded_points = 1;
  for (int d = 0; d < dims; ++d) {
    const size_t k = size_t(d);
    TESSERA_CHECK(points[k] >= 0,
                  "Fno: padding " << points[k] << " along dimension " << d << " is negative");
    grid[k] += points[k];
    if (unpadded_block.offset[k] + unpadded_block.extent[k] == unpadded_grid[k])
      block.extent[k] += points[k];
    local_points *= unpadded_block.extent[k];
    padded_points *= block.extent[k];
  }

  index = Kokkos::View<long*>("tessera::nn::fno_padded_index", local_points);
  auto host = Kokkos::create_mirror_view(index);
  for (long p = 0; p < local_points; ++p) {
    long rest = p, q = 0, stride = 1;
    for (int d = dims - 1; d >= 0; --d) {
      q += (rest % unpadded_block.extent[size_t(d)]) * stride;
      rest /= unpadded_block.extent[size_t(d)];
      stride *= block.extent[size_t(d)];
    }
    host(p) = q;
  }
  Kokkos::deep_copy(index, host);
}

namespace {

/// Throws unless unpadded and padded hold the same number of fields of the unpadded and the
/// padded block.
template <class Scalar>
void require_fields(const char* what, const FnoPadding& padding, const VectorOf<Scalar>& unpadded,
                    const VectorOf<Scalar>& padded) {
  const long n = long(unpadded.extent(0));
  TESSERA_CHECK(n % padding.local_points == 0 &&
                    long(padded.extent(0)) == n / padding.local_points * padding.padded_points,
                what << ": " << n << " unpadded and " << padded.extent(0)
                     << " padded values are not the same fields of " << padding.local_points
                     << " and " << padding.padded_points << " points");
}

}  // namespace

template <class Scalar>
void pad_points(const FnoPadding& padding, const VectorOf<Scalar>& from,
                const VectorOf<Scalar>& to) {
  const long points = padding.local_points, padded = padding.padded_points;
  require_fields("pad_points", padding, from, to);
  const auto index = padding.index;
  Kokkos::deep_copy(to, Scalar(0));
  Kokkos::parallel_for(
      "tessera::nn::fno_pad", Kokkos::RangePolicy<>(0, long(from.extent(0))),
      KOKKOS_LAMBDA(const long t) {
        const long field = t / points;
        to(field * padded + index(t % points)) = from(t);
      });
}

template <class Scalar>
void crop_points(const FnoPadding& padding, const VectorOf<Scalar>& from,
                 const VectorOf<Scalar>& to) {
  const long points = padding.local_points, padded = padding.padded_points;
  require_fields("crop_points", padding, to, from);
  const auto index = padding.index;
  Kokkos::parallel_for(
      "tessera::nn::fno_crop", Kokkos::RangePolicy<>(0, long(to.extent(0))),
      KOKKOS_LAMBDA(const long t) {
        const long field = t / points;
        to(t) = from(field * padded + index(t % points));
      });
}

template void pad_points(const FnoPadding&, const VectorOf<double>&, const VectorOf<double>&);
template void pad_points(const FnoPadding&, const VectorOf<float>&, const VectorOf<float>&);
template void crop_points(const FnoPadding&, const VectorOf<double>&, const VectorOf<double>&);
template void crop_points(const FnoPadding&, const VectorOf<float>&, const VectorOf<float>&);

}  // namespace tessera::nn
