#pragma once

// Shape inference and exact-mode semantics of the elementwise ops (OpFamily::Elementwise).
// Exact-mode definitions of each op are documented here; every backend follows them.

#include "engine/ops/shape_inference.h"

namespace tributary::engine {

Status inferElementwise(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

} // namespace tributary::engine
