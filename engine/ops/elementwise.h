#pragma once

// Shape inference and exact-mode semantics of the elementwise ops (OpFamily::Elementwise).
// All tensors are f32. Every backend computes exactly the roundings written here, in
// this order; `+`, `-`, `*` are single IEEE binary32 operations (never fused), subnormals
// are kept, and the exact_* functions are the ones of engine/kernels/exact_math.h (never
// the platform's). NaN payloads are unspecified.
//
// Binary ops (A, B -> Y): NumPy broadcasting; Y's shape is broadcast(A, B).
//   Add: a + b      Sub: a - b      Mul: a * b      Div: exact_div(a, b)
// Unary ops (X -> Y, Y has X's shape):
//   Neg: the sign bit of x flipped (also for NaN and 0: -(+0) = -0)
//   Relu: x > 0 ? x : +0  — except NaN, which is passed through (x != x ? x : …)
//   Gelu: exact_gelu(x)   (x·Φ(x), the erf form, not the tanh approximation)
//   Tanh: exact_tanh(x)   Sigmoid: exact_sigmoid(x)   Exp: exact_exp(x)
//   Log: exact_log(x)     Sqrt: exact_sqrt(x)
// Backward ops (two inputs of the same shape -> dX of that shape):
//   ReluBackward (dY, X):    x > 0 ? dy : +0        (NaN x gives +0)
//   GeluBackward (dY, X):    dy * exact_gelu_derivative(x)
//   TanhBackward (dY, Y):    dy * (1 - y * y)
//   SigmoidBackward (dY, Y): dy * (y * (1 - y))
// SumToShape (dY -> dX; ShapeAttributes.shape = dX's shape, which must broadcast to dY's
//   shape: the shape of an input of a broadcasting binary op). Each dX element is the
//   canonical sum (engine/ops/reduce.h: chunks of 32, left to right) of the dY elements
//   that broadcast from it, in row-major order of dY. A dX shape equal to dY's copies.

#include "engine/ops/shape_inference.h"

namespace tributary::engine {

Status inferElementwise(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// Whether `from` broadcasts (NumPy, unidirectionally) to `to`.
bool broadcastsTo(const Shape &from, const Shape &to);

// The element strides of `in` seen as an input of a broadcasting binary op whose output
// has `rank` dimensions: right-aligned row-major strides, 0 along missing and size-1
// dimensions (the ones broadcast).
std::vector<std::int64_t> broadcastStrides(const Shape &in, std::size_t rank);

} // namespace tributary::engine
