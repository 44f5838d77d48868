#include "nn/activation.hpp"

#include "core/error.hpp"

namespace tessera::nn {

Activation activation_from_name(const std::string& name) {
  if (name == "tanh") return Activation::Tanh;
  if (name == "sin") return Activation::Sin;
  if (name == "gelu") return Activation::Gelu;
  if (name == "relu") return Activation::Relu;
  TESSERA_THROW("unknown activation '" << name << "'; expected tanh, sin, gelu or relu");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::Tanh:
      return "tanh";
    case Activation::Sin:
      return "sin";
    case Activation::Relu:
      return "relu";
    default:
      return "gelu";
  }
}

}  // namespace tessera::nn
