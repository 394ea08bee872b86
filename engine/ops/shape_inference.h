#pragma once

// Shape inference: the outputs' types and shapes of an op from its inputs', with a
// precise error when the inputs do not fit ("Gemm: A is [2, 3] but B is [4, 5]: inner
// dimensions 3 and 4 differ"). Backend-independent; the graph executor and runOp() call
// it before allocating outputs, so kernels can trust their shapes.

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <span>
#include <vector>

namespace tributary::engine {

// `inputs` holds one entry per input slot; an absent optional input has an empty
// shape and dtype F32 and is flagged in `present`.
struct OpInputs {
    std::span<const TensorDesc> descs;
    std::span<const bool> present;

    std::size_t size() const { return descs.size(); }
    bool has(std::size_t i) const { return i < descs.size() && present[i]; }
    const TensorDesc &operator[](std::size_t i) const { return descs[i]; }
};

Status inferOutputs(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// The same, from device tensors (absent inputs are tensors without a buffer).
Status inferOutputs(const Op &op, std::span<const Tensor> inputs, std::vector<TensorDesc> *outputs);

} // namespace tributary::engine
