#pragma once

// Shape inference: the outputs' types and shapes of an op from its inputs', with a
// precise error when the inputs do not fit ("Gemm: A is [2, 3] but B is [4, 5]: inner
// dimensions 3 and 4 differ"). Backend-independent; the graph executor and runOp() call
// it before allocating outputs, so kernels can trust their shapes.

#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <cstdint>
#include <span>
#include <string>
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

// Tensor sizes, for the backends' allocate(): the byte size of a tensor of `desc`.
// Fails, naming the tensor and its size ("out of memory: tensor f32[1048576, 1048576,
// 1024] is too large: it needs 4.0 PiB, more than the 2^47 elements a tensor may have"),
// when a dimension is negative or the element count or byte size would overflow.
Status tensorBytes(const TensorDesc &desc, std::size_t *bytes);

// The error a backend returns when a tensor does not fit in its memory:
// "out of memory: tensor f32[65536, 65536] needs 16.0 GiB, vulkan:0 has 2.0 GiB" followed by
// `detail` in parentheses when not empty (which memory, the driver's error).
Status outOfMemory(const TensorDesc &desc, std::uint64_t bytes, const std::string &device,
                   std::uint64_t availableBytes, const std::string &detail = {});

// "512 B", "1.5 KiB", "16.0 GiB", … (binary units, one decimal).
std::string byteSizeText(double bytes);

} // namespace tributary::engine
