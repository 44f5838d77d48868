#include "nn/operator_model.hpp"

namespace tessera::nn {

void FnoOperator::forward(const Vector& x, const Vector& y, int batch) {
  last_ = &batch_slot(ws_, batch);
  net_.prepare(*last_, batch);
  net_.forward(x, y, *last_);
}

void FnoOperator::backward(const Vector& dy, const Vector& gradient, const Vector& dx) {
  net_.backward(dy, gradient, *last_, dx);
}

}  // namespace tessera::nn
