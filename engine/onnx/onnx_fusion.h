#pragma once

// Pattern fusion before conversion: ONNX before opset 20 has no Gelu, so exporters
// (PyTorch) write exact GELU as 0.5 · x · (1 + erf(x / √2)):
//   d = Div(x, √2)  [or Mul(x, 1/√2)];  e = Erf(d);  a = Add(e, 1);
//   then  y = Mul(Mul(x, a), 0.5)  or  y = Mul(Mul(x, 0.5), a)   (operands in any order)
// findErfGelu() finds these chains (intermediates used nowhere else) so the importer
// emits one engine Gelu instead. Internal to engine/onnx.

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace tributary::engine {

struct FusedGelu {
    std::vector<int> nodes; // indices of the absorbed nodes; the last one is where Gelu goes
    std::string input; // x
};

std::vector<FusedGelu> findErfGelu(const onnx::GraphProto &graph);

} // namespace tributary::engine
