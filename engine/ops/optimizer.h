#pragma once

// Shape inference and exact-mode semantics of the optimizer ops (OpFamily::Optimizer).
// Exact-mode definitions of each op are documented here; every backend follows them.

#include "engine/ops/shape_inference.h"

namespace tributary::engine {

Status inferOptimizer(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

} // namespace tributary::engine
