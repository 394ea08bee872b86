#pragma once

// Shape inference and exact-mode semantics of the linear ops (OpFamily::Linear): Gemm,
// MatMul, Conv2d and its two backward ops, and 2-D pooling with its backward ops.
// All tensors are f32, dense row-major; images are NCHW.
//
// Exact-mode definitions (every backend computes exactly these roundings, in this order;
// fma(a, b, c) is one fused multiply-add with a single rounding, `+` and `*` are single
// IEEE binary32 operations, subnormals kept):
//
// Gemm  (A, B, [C] -> Y; GemmAttributes)
//   op(A) = transA ? Aᵀ : A is [M, K], op(B) = transB ? Bᵀ : B is [K, N]; C, when present,
//   broadcasts unidirectionally to [M, N] (shapes [], [N], [1, N], [M, 1], [M, N], …).
//     acc = 0.0f; for p = 0 .. K-1 in order: acc = fma(op(A)[i][p], op(B)[p][j], acc)
//     r = (alpha == 1 ? acc : alpha * acc)
//     if C present: r = r + (beta == 1 ? c[i][j] : beta * c[i][j])
//     Y[i][j] = r
//   (the chain is the engine GEMM contract of Backend::gemm; K == 0 gives acc = +0.0f.)
//
// MatMul  (A, B -> Y; no attributes) — ONNX MatMul: a 1-D A is [1, K] and a 1-D B is
//   [K, 1] for the product, and that dimension is removed from Y; leading (batch)
//   dimensions broadcast NumPy-style. Each Y[b][i][j] is the Gemm chain above with
//   alpha = 1 and no C.
//
// Conv2d  (X[N, C, H, W], W[M, C/groups, kH, kW], [B[M]] -> Y[N, M, oH, oW];
//          Conv2dAttributes: strides, pads (top, left, bottom, right), dilations, groups)
//   oH = (H + padTop + padBottom - (dH·(kH-1) + 1)) / sH + 1 (integer division), same for W.
//   For output (n, m, oh, ow), g = m / (M/groups):
//     acc = 0.0f
//     for c in 0 .. C/groups-1, kh in 0 .. kH-1, kw in 0 .. kW-1 (nested in this order):
//       h = oh·sH - padTop + kh·dH, w = ow·sW - padLeft + kw·dW
//       x = (h, w inside the image) ? X[n][g·C/groups + c][h][w] : +0.0f
//       acc = fma(x, W[m][c][kh][kw], acc)
//     Y = bias present ? acc + B[m] : acc
//   (im2col with K ordered (c, kh, kw), followed by the GEMM chain, gives these bits.)
//
// Conv2dBackwardInput  (dY[N, M, oH, oW], W -> dX[N, C, H, W]; attrs.inputShape = X's shape)
//   Two stages, both rounded as written:
//   cols[n][g][(c, kh, kw)][(oh, ow)]: acc = 0.0f; for m in the group's M/groups output
//     channels, increasing: acc = fma(W[m][c][kh][kw], dY[n][m][oh][ow], acc)
//     (= W_gᵀ · dY_g with the GEMM chain).
//   col2im: dX[n][g·C/groups + c][h][w]: s = 0.0f; for kh in 0 .. kH-1, kw in 0 .. kW-1
//     (increasing; at most one (oh, ow) hits (h, w) per (kh, kw)): when
//     oh = (h + padTop - kh·dH) / sH and ow = (w + padLeft - kw·dW) / sW are exact
//     (no remainder), non-negative and below oH / oW: s = s + cols[…][(c, kh, kw)][(oh, ow)].
//     dX = s.  (So a position no window reaches is +0.0f.)
//
// Conv2dBackwardWeight  (dY[N, M, oH, oW], X -> dW[M, C/groups, kH, kW];
//                        attrs.weightShape = W's shape)
//   dW[m][c][kh][kw]: acc = 0.0f; for n in 0 .. N-1, oh in 0 .. oH-1, ow in 0 .. oW-1
//     (nested in this order): acc = fma(dY[n][m][oh][ow], x, acc), with x as in Conv2d
//     (+0.0f at padding). dW = acc.  (= dY_g · im2col(X)ᵀ with K ordered (n, oh, ow).)
//
// Pooling  (Pool2dAttributes: kernel, strides, pads (top, left, bottom, right),
//           ceilMode, countIncludePad). Every pad must be smaller than its kernel side.
//   oH = (H + padTop + padBottom - kH) / sH + 1, rounding the division up when ceilMode;
//   with ceilMode a last window that would start at or past H + padTop (entirely in the
//   bottom padding) is dropped: if (oH-1)·sH >= H + padTop then oH = oH - 1. Same for W.
//   Window (oh, ow) covers rows h0 = oh·sH - padTop .. h0 + kH - 1 and columns likewise;
//   its "valid" positions are the ones inside the image, visited in (kh, kw) order.
//
// MaxPool2d  (X -> Y): m = first valid value; for each further valid value x in (kh, kw)
//   order: if (x > m || isnan(x)) m = x (and the argmax becomes that position). Y = m.
//   The argmax is the position of the last update: the first maximum (or the last NaN).
//
// AvgPool2d  (X -> Y): s = first valid value; s = s + x for each further valid x in
//   (kh, kw) order (padding contributes nothing: it is not added, even as zero).
//   count = number of valid positions, or, with countIncludePad, the window clipped to
//   the padded image: (min(h0 + kH, H + padBottom) - h0) · (min(w0 + kW, W + padRight) - w0).
//   Y = s * r with r = float(1.0 / count) computed in double and rounded once
//   (avgPoolReciprocal(); hosts precompute it and pass it to kernels).
//
// GlobalAvgPool  (X[N, C, H, W] -> Y[N, C, 1, 1]): the canonical sum of the H·W values of
//   each plane (consecutive chunks of kReduceChunk = 32 in row-major order; each chunk
//   summed left to right from its first element; the chunk sums summed left to right
//   from the first) times float(1.0 / (H·W)).
//
// MaxPool2dBackward  (dY, X -> dX[shape of X]): dX[n][c][h][w]: s = 0.0f; for every
//   window (oh, ow) in increasing (oh, ow) order whose MaxPool2d argmax is (h, w):
//   s = s + dY[n][c][oh][ow]. dX = s.
//
// AvgPool2dBackward  (dY -> dX; attrs.inputShape = X's shape): dX[n][c][h][w]: s = 0.0f;
//   for every window (oh, ow), in increasing (oh, ow) order, that covers (h, w):
//   s = s + (dY[n][c][oh][ow] * r(oh, ow)) (product rounded first; no fma). dX = s.
//
// The geometry helpers below are shared by shape inference and every backend's kernels.

#include "engine/ops/shape_inference.h"

#include <cstdint>
#include <span>
#include <vector>

namespace tributary::engine {

Status inferLinear(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// Chunk length of the canonical sum (GlobalAvgPool).
inline constexpr std::int64_t kLinearReduceChunk = 32;

// The sizes of one Conv2d (or of its backward ops, which share the forward geometry).
struct Conv2dGeometry {
    std::int64_t n = 0, c = 0, h = 0, w = 0;  // X
    std::int64_t m = 0, kh = 0, kw = 0;       // W is [m, c / groups, kh, kw]
    std::int64_t oh = 0, ow = 0;              // Y is [n, m, oh, ow]
    std::int64_t groups = 1;
    std::int64_t cg = 0, mg = 0;              // channels per group: c / groups, m / groups
    std::int64_t strideH = 1, strideW = 1;
    std::int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
    std::int64_t dilationH = 1, dilationW = 1;

    std::int64_t kernelSize() const { return cg * kh * kw; } // K of the im2col GEMM
    std::int64_t outputPlane() const { return oh * ow; }
};

// Checks X's and W's shapes against the attributes and fills the geometry; errors are
// prefixed with `opName` and name the offending shapes or attributes.
Status conv2dGeometry(std::string_view opName, const Shape &x, const Shape &w, const Conv2dAttributes &attrs,
                      Conv2dGeometry *out);

struct Pool2dGeometry {
    std::int64_t n = 0, c = 0, h = 0, w = 0;
    std::int64_t kh = 1, kw = 1;
    std::int64_t strideH = 1, strideW = 1;
    std::int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
    std::int64_t oh = 0, ow = 0;
};

Status pool2dGeometry(std::string_view opName, const Shape &x, const Pool2dAttributes &attrs,
                      Pool2dGeometry *out);

// float(1.0 / count) for AvgPool2d window (oh, ow), as defined above.
float avgPoolReciprocal(const Pool2dGeometry &g, bool countIncludePad, std::int64_t oh, std::int64_t ow);

// The reciprocals of all oH·oW windows, row-major (what GPU kernels read).
std::vector<float> avgPoolReciprocals(const Pool2dGeometry &g, bool countIncludePad);

// The shape MatMul gives for A and B (ONNX rules), or an error naming both shapes.
Status matMulShape(const Shape &a, const Shape &b, Shape *out);

// How MatMul splits into plain GEMMs: 1-D operands promoted (ONNX rules), batch dimensions
// broadcast (NumPy rules), and for each output batch the element offsets of its A and B
// matrices (0 stride along broadcast dimensions). Every backend runs the same GEMMs.
struct MatMulPlan {
    std::int64_t m = 0, n = 0, k = 0;
    std::int64_t batchesA = 0; // matrices in A (before broadcasting)
    std::int64_t batchesB = 0; // matrices in B
    std::vector<std::int64_t> offsetA; // one per output batch, in row-major batch order
    std::vector<std::int64_t> offsetB;
    std::int64_t batches() const { return std::int64_t(offsetA.size()); }
};
Status planMatMul(const Shape &a, const Shape &b, MatMulPlan *out);

// GPU plans. The Vulkan and CUDA backends run every GEMM of this family (Gemm, MatMul, the
// convolutions' GEMM stages) as one strided, batched GEMM whose batches read their element
// offsets from a table; these functions compute that description once for both. For
// batch b, with (offA, offB, offY, offAdd) = offsets[4b .. 4b+3]:
//   Y[offY + i·yRow + j] = chain over p of A[offA + i·aRow + p·aCol] · B[offB + p·bRow + j·bCol]
//   (then alpha, and + beta · Added[offAdd + i·addRow + j·addCol] when an added term is bound).
struct StridedGemmPlan {
    std::int64_t m = 0, n = 0, k = 0;
    std::int64_t aRow = 0, aCol = 0, bRow = 0, bCol = 0, yRow = 0;
    std::int64_t addRow = 0, addCol = 0;
    std::vector<std::int64_t> offsets; // 4 per batch: A, B, Y, Added
    std::int64_t batches() const { return std::int64_t(offsets.size() / 4); }
};

// Gemm: A's shape, C's shape (null when C is absent) and Y's shape; one batch.
StridedGemmPlan planGemmStrides(const GemmAttributes &attrs, const Shape &a, const Shape *c, const Shape &y);

// MatMul: planMatMul() as one batch per output matrix.
Status planMatMulStrides(const Shape &a, const Shape &b, StridedGemmPlan *out);

// A convolution op on a GPU: the geometry, the GEMM and the scratch tensors around it.
//   Conv2d:               cols = im2col(X) [groups, K, N·plane]; Y_g = W_g · cols_g (+ bias)
//   Conv2dBackwardInput:  cols [N, groups, K, plane] = W_gᵀ · dY_g; then col2im into dX
//   Conv2dBackwardWeight: dY swapped to [M, N, plane]; cols = im2col(X); dW_g = dY_g · cols_gᵀ
// (K = kernelSize(), plane = outputPlane()); the GEMMs give the bits linear.h defines.
struct ConvGpuPlan {
    Conv2dGeometry geometry;
    StridedGemmPlan gemm;
    std::int64_t colsElements = 0;    // the im2col / column matrix
    std::int64_t swappedElements = 0; // Conv2dBackwardWeight's swapped dY; 0 for the others
};

// `op` is Conv2d, Conv2dBackwardInput or Conv2dBackwardWeight; `inputs` its input shapes.
// Fails like conv2dGeometry() on inconsistent shapes or attributes.
Status planConvGpu(const Op &op, std::span<const Shape> inputs, ConvGpuPlan *out);

} // namespace tributary::engine
