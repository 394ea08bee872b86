#pragma once

// Shape inference and exact-mode semantics of the layout ops (OpFamily::Layout).
// Exact-mode definitions of each op are documented here; every backend follows them.

#include "engine/ops/shape_inference.h"

namespace tributary::engine {

Status inferLayout(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

} // namespace tributary::engine
