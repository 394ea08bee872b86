#pragma once

// Shape inference and exact-mode semantics of the reduce ops (OpFamily::Reduce).
// Every backend computes exactly the roundings written here, in this order; `+`, `-`,
// `*` are single IEEE binary32 operations (never fused), subnormals kept, exact_* are the
// functions of engine/kernels/exact_math.h. Constants marked (host) depend only on shapes
// or attributes: they are computed in double on the host, rounded to float once and
// passed to the kernel, so every backend multiplies by the same float.
//
// Canonical sum S(v_0 … v_{n-1}) — the one summation order of the engine:
//   split into consecutive chunks of kReduceChunk = 32 values; each chunk is summed left to
//   right from its first value (c = v_0; c = c + v_1; …); the chunk sums are summed left
//   to right the same way (s = c_0; s = s + c_1; …). S() of nothing is +0.
// Canonical max M(v): m = v_0; for i = 1 …: m = (v_i > m || isnan(v_i)) ? v_i : m.
// Values are taken in row-major order of the reduced positions (for several axes: the
// flattened row-major order over those axes).
//
// ReduceSum / ReduceMean / ReduceMax (X -> Y; ReduceAttributes: axes (empty: all),
//   keepDims). ReduceSum: S(x); ReduceMean: S(x) * invCount (host: 1/count); ReduceMax:
//   M(x). Over an empty set: Sum +0, Mean NaN (+0 * the host's 1/0 = inf), Max -inf.
// ArgMax (X -> Y i64; ArgMaxAttributes): index along `axis` of the first maximum (of the
//   last one with selectLastIndex); a NaN counts as larger than any number (the first NaN,
//   or the last with selectLastIndex). The axis must not be empty.
// Softmax / LogSoftmax (X -> Y along AxisAttributes.axis), per slice along the axis:
//   m = M(x); e_i = exact_exp(x_i - m); s = S(e)
//   Softmax: y_i = exact_div(e_i, s)      LogSoftmax: y_i = (x_i - m) - exact_log(s)
// LayerNorm (X, Scale, [Bias] -> Y, [Mean], [InvStdDev]; NormAttributes: axis, epsilon):
//   normalises over dims axis..rank-1 (n values per row); Scale and Bias have shape
//   X.shape[axis:]; Mean and InvStdDev have shape X.shape[:axis] + [1]·(rank - axis).
//   mean = S(x) * invN (host: 1/n); d_i = x_i - mean; var = S(d_i * d_i) * invN
//   inv = exact_rsqrt(var + epsilon); y_i = (d_i * inv) * scale_i [+ bias_i]
// LayerNormBackward (dY, X, Scale, Mean, InvStdDev -> dX, dScale, dBias):
//   per row: xhat_i = (x_i - mean) * inv; g_i = dy_i * scale_i
//   a = S(g) * invN; b = S(g_i * xhat_i) * invN; dx_i = inv * ((g_i - a) - xhat_i * b)
//   dScale_j = S over rows r (in order) of dy[r][j] * xhat[r][j]; dBias_j = S over rows of dy[r][j]
// BatchNorm (X[N, C, ...], Scale[C], Bias[C], Mean[C], Var[C] -> Y; epsilon; inference):
//   a_c = scale_c * exact_rsqrt(var_c + epsilon); y = (x - mean_c) * a_c + bias_c
// SoftmaxCrossEntropy (Logits[N, C], Labels[N] i64 or i32 -> Loss[]):
//   per row r: m = M(x); s = S(exact_exp(x_i - m)); l_r = exact_log(s) - (x_label - m)
//   Loss = S(l_0 … l_{N-1}) * invN (host: 1/N). A label outside [0, C) gives a NaN loss.
// SoftmaxCrossEntropyBackward (Logits, Labels -> dLogits[N, C]):
//   dlogits_i = (exact_div(e_i, s) - (i == label ? 1 : 0)) * invN   (m, e, s as above;
//   a label outside [0, C) gives a NaN row).

#include "engine/ops/shape_inference.h"

#include <cstdint>

namespace tributary::engine {

inline constexpr std::int64_t kReduceChunk = 32;

Status inferReduce(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// The reduced axes of a ReduceSum/Mean/Max as a sorted mask over X's dimensions, after
// normalising negative axes (fails on out-of-range or repeated axes).
Status reducedAxes(const Op &op, std::size_t rank, std::vector<bool> *mask);

// Index plans every backend shares (pure arithmetic on shapes; axes already validated by
// shape inference).

// A tensor seen as [outer, length, inner] around one axis (ArgMax, Softmax, LogSoftmax):
// slices() independent runs of `length` elements, `inner` apart; slice s starts at
// (s / inner) · length · inner + s % inner.
struct AxisSlices {
    std::int64_t outer = 1;
    std::int64_t length = 1;
    std::int64_t inner = 1;
    std::int64_t slices() const { return outer * inner; }
};
// `axis` may be negative (counted from the end).
AxisSlices axisSlices(const Shape &shape, std::int64_t axis);

// LayerNorm's [rows, n] view of X: the dimensions before the normalised axis are rows,
// the rest are the n normalised values of each row.
struct NormRows {
    std::int64_t rows = 1;
    std::int64_t n = 1;
};
NormRows layerNormRows(const Shape &shape, std::int64_t axis);

} // namespace tributary::engine
