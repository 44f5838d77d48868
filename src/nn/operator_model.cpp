#include "nn/operator_model.hpp"

#include "core/allreduce.hpp"
#include "core/error.hpp"

namespace tessera::nn {

void FnoOperator::forward(const Vector& x, const Vector& y, int batch) {
  last_ = &batch_slot(ws_, batch);
  net_.prepare(*last_, batch);
  net_.forward(x, y, *last_);
}

void FnoOperator::backward(const Vector& dy, const Vector& gradient, const Vector& dx) {
  net_.backward(dy, gradient, *last_, dx);
}

namespace {

/// to = from rounded or widened to to's scalar type, elementwise (equal extents). Not collective.
template <class From, class To>
void convert_values(const VectorOf<From>& from, const VectorOf<To>& to) {
  TESSERA_CHECK(from.extent(0) == to.extent(0),
                "convert_values: " << from.extent(0) << " values into " << to.extent(0));
  Kokkos::parallel_for(
      "tessera::nn::convert_values", Kokkos::RangePolicy<>(0, long(to.extent(0))),
      KOKKOS_LAMBDA(const long t) { to(t) = static_cast<To>(from(t)); });
}

/// to += from, widened, elementwise. Not collective.
void add_widened(const VectorOf<float>& from, const Vector& to) {
  Kokkos::parallel_for(
      "tessera::nn::add_widened", Kokkos::RangePolicy<>(0, long(to.extent(0))),
      KOKKOS_LAMBDA(const long t) { to(t) += static_cast<double>(from(t)); });
}

}  // namespace

FnoSingleOperator::FnoSingleOperator(const FnoShape& shape, const std::vector<int>& grid,
                                     const GridBlock& block, MPI_Comm space)
    : net_(shape, grid, block, space),
      master_("tessera::nn::fno_master_parameters", net_.parameter_count()),
      gradient_("tessera::nn::fno_single_gradient", net_.parameter_count()) {
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    staging_ = Kokkos::View<double*, Kokkos::HostSpace>("tessera::nn::fno_master_staging",
                                                        net_.parameter_count());
}

FnoSingleOperator::FnoSingleOperator(const FnoShape& shape, const std::vector<int>& grid)
    : FnoSingleOperator(shape, grid, GridBlock{std::vector<int>(grid.size(), 0), grid},
                        MPI_COMM_SELF) {}

void FnoSingleOperator::initialize(std::uint64_t seed) {
  net_.initialize(seed);
  convert_values(net_.parameters(), master_);
}

FnoSingleOperator::Boundary& FnoSingleOperator::boundary(int batch) {
  Boundary& b = batch_slot(slots_, batch);
  if (b.batch == batch) return b;
  const long points = net_.local_points();
  auto values = [](const char* label, long n) {
    return VectorOf<float>(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), n);
  };
  b.batch = batch;
  b.x = values("tessera::nn::fno_single_x", long(batch) * in_channels() * points);
  b.dx = values("tessera::nn::fno_single_dx", long(batch) * in_channels() * points);
  b.y = values("tessera::nn::fno_single_y", long(batch) * out_channels() * points);
  b.dy = values("tessera::nn::fno_single_dy", long(batch) * out_channels() * points);
  net_.prepare(b.ws, batch);
  return b;
}

void FnoSingleOperator::forward(const Vector& x, const Vector& y, int batch) {
  last_ = &boundary(batch);
  // The trainer changed the master parameters since the last forward (Adam, a restored model).
  convert_values(master_, net_.parameters());
  convert_values(x, last_->x);
  net_.forward(last_->x, last_->y, last_->ws);
  convert_values(last_->y, y);
}

void FnoSingleOperator::backward(const Vector& dy, const Vector& gradient, const Vector& dx) {
  TESSERA_CHECK(last_ != nullptr, "FnoSingleOperator::backward: no forward pass before it");
  convert_values(dy, last_->dy);
  Kokkos::deep_copy(gradient_, 0.0f);
  net_.backward(last_->dy, gradient_, last_->ws, dx.extent(0) > 0 ? last_->dx : VectorOf<float>());
  add_widened(gradient_, gradient);
  if (dx.extent(0) > 0) convert_values(last_->dx, dx);
}

void FnoSingleOperator::allreduce_gradient(const Vector& gradient, MPI_Comm comm) const {
  TESSERA_CHECK(long(gradient.extent(0)) == parameter_count(),
                "FnoSingleOperator::allreduce_gradient: the gradient holds "
                    << gradient.extent(0) << " values, not " << parameter_count());
  allreduce_sum(comm, gradient, staging_);
}

std::string FnoSingleOperator::summary() const {
  return net_.summary() + ", single precision (float network, double master parameters)";
}

}  // namespace tessera::nn
