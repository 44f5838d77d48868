#include "nn/activation.hpp"

#include "core/error.hpp"

namespace tessera::nn {

Activation activation_from_name(const std::string& name) {
  if (name == "tanh") return Activation::Tanh;
  if (name == "sin") return Activation::Sin;
  if (name == "gelu") return Activation::Gelu;
  TESSERA_THROW("unknown activation '" << name << "'; expected tanh, sin or gelu");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::Tanh:
      return "tanh";
    case Activation::Sin:
      return "sin";
    default:
      return "gelu";
  }
}

}  // namespace tessera::nn
