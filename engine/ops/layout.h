#pragma once

// Shape inference and exact-mode semantics of the layout ops (OpFamily::Layout).
//
// Layout ops move elements without arithmetic, so every backend gives the same bits by
// construction: each output element is a copy of exactly one input element, whatever
// its dtype (f32 NaN payloads included: backends copy 32- or 64-bit words, never floats).
//
//   Reshape   Y = X with shape attr.shape (same element count; the shape is resolved:
//             no -1 or 0 entries, the ONNX importer resolves them).
//   Flatten   Y[d0·…·d(axis-1), d(axis)·…·d(r-1)] = X; axis in [-r, r].
//   Identity  Y = X.
//   Transpose Y[i0, …, i(r-1)] = X[j] with j[perm[k]] = i[k]; perm empty reverses the dims.
//   Concat    Y = X0, X1, … joined along axis; every other dimension and the dtype equal.
//   Slice     ONNX Slice: for each listed axis, start and end are clamped as ONNX does
//             (negative values count from the end; for step > 0 both clamp to [0, d], for
//             step < 0 start clamps to [0, d-1] and end to [-1, d-1]); the axis keeps
//             ceil((end - start) / step) elements (0 when negative), X[start + k·step].
//
// Backends share one description of the data movement: planLayoutCopies() turns an op
// into strided copies (dims, source and destination strides and offsets, in elements),
// each already coalesced to the fewest dimensions. The CPU, Vulkan and CUDA kernels just
// execute these copies.

#include "engine/ops/shape_inference.h"

#include <cstdint>
#include <vector>

namespace tributary::engine {

Status inferLayout(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// One strided copy: for every index i over `dims` (row-major),
//   dst[dstOffset + Σ i[k]·dstStrides[k]] = src[srcOffset + Σ i[k]·srcStrides[k]]
// where src is input `input` of the op and dst the op's single output.
struct LayoutCopy {
    int input = 0;
    Shape dims;
    std::vector<std::int64_t> srcStrides; // may be negative (Slice with a negative step)
    std::vector<std::int64_t> dstStrides;
    std::int64_t srcOffset = 0;
    std::int64_t dstOffset = 0;

    std::int64_t elements() const { return elementCount(dims); }
};

// The copies that carry out a layout op on inputs of the given shapes (already checked
// by inferLayout). Copies of zero elements are left out.
Status planLayoutCopies(const Op &op, std::span<const Shape> inputShapes, std::vector<LayoutCopy> *copies);

// Resolved ONNX Slice parameters for one input shape: per dimension of X, the first
// index and the step (1 and 0 for dimensions not sliced), and the output shape.
struct ResolvedSlice {
    std::vector<std::int64_t> starts;
    std::vector<std::int64_t> steps;
    Shape outShape;
};
Status resolveSlice(const SliceAttributes &attrs, const Shape &inputShape, ResolvedSlice *out);

} // namespace tributary::engine
