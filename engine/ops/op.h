#pragma once

// Op: one operation of the engine, with its attributes. Every backend implements every op
// with the same bits in exact mode (see engine/ops/exact_order.h for the evaluation order
// each family keeps). Inputs and outputs are listed per op below as
// `inputs -> outputs`; [optional] ones may be absent (an empty slot in the call).
//
// The list is grouped by family; each family has one shape-inference file
// (engine/ops/shapes_<family>.cpp) and one kernel file per backend
// (engine/<backend>/ops/<family>...), so a reader finds an op's pieces by its family.

#include "engine/shape.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

namespace tributary::engine {

enum class OpKind {
    // --- elementwise (family "elementwise"): f32, NumPy broadcasting for binary ops
    Add = 1,  // A, B -> Y
    Sub,      // A, B -> Y
    Mul,      // A, B -> Y
    Div,      // A, B -> Y
    Neg,      // X -> Y
    Relu,     // X -> Y
    Gelu,     // X -> Y   (exact GELU: x/2 · (1 + erf(x/√2)))
    Tanh,     // X -> Y
    Sigmoid,  // X -> Y
    Exp,      // X -> Y
    Log,      // X -> Y
    Sqrt,     // X -> Y
    // Backward of the activations: dY and the forward input X (Relu, Gelu) or output Y
    // (Tanh, Sigmoid) -> dX.
    ReluBackward,    // dY, X -> dX
    GeluBackward,    // dY, X -> dX
    TanhBackward,    // dY, Y -> dX
    SigmoidBackward, // dY, Y -> dX
    // Sums dY over the dimensions that broadcasting expanded, back to `targetShape`
    // (the backward of broadcasting in Add/Sub/Mul/Div).
    SumToShape,      // dY -> dX                     attrs: ShapeAttributes

    // --- linear algebra (family "linear")
    Gemm,        // A, B, [C] -> Y  Y = alpha·op(A)·op(B) + beta·C, C broadcast to [M, N]
    MatMul,      // A, B -> Y       ONNX MatMul: batched over broadcast leading dims
    Conv2d,      // X[N,C,H,W], W[M,C/groups,kH,kW], [B[M]] -> Y[N,M,oH,oW]
    Conv2dBackwardInput,  // dY, W -> dX               attrs: Conv2dAttributes (inputShape set)
    Conv2dBackwardWeight, // dY, X -> dW               attrs: Conv2dAttributes (weightShape set)
    MaxPool2d,            // X -> Y
    AvgPool2d,            // X -> Y
    GlobalAvgPool,        // X[N,C,H,W] -> Y[N,C,1,1]
    MaxPool2dBackward,    // dY, X -> dX
    AvgPool2dBackward,    // dY -> dX                  attrs: Pool2dAttributes (inputShape set)

    // --- reductions and normalisation (family "reduce")
    ReduceSum,   // X -> Y
    ReduceMean,  // X -> Y
    ReduceMax,   // X -> Y
    ArgMax,      // X -> Y (i64)
    Softmax,     // X -> Y            along `axis`
    LogSoftmax,  // X -> Y            along `axis`
    LayerNorm,   // X, Scale, [Bias] -> Y, [Mean], [InvStdDev]   normalises dims axis..rank-1
    LayerNormBackward, // dY, X, Scale, Mean, InvStdDev -> dX, dScale, dBias
    BatchNorm,   // X[N,C,...], Scale[C], Bias[C], Mean[C], Var[C] -> Y   (inference)
    // Mean over the batch of -log softmax(logits)[label]: Logits[N,C], Labels[N] (i64) -> Loss[]
    SoftmaxCrossEntropy,
    // Gradient of SoftmaxCrossEntropy: Logits, Labels -> dLogits = (softmax - onehot) / N
    SoftmaxCrossEntropyBackward,

    // --- layout (family "layout"): pure data movement, any dtype, bit-exact by nature
    Reshape,   // X -> Y              attrs: ShapeAttributes (resolved, no -1 or 0)
    Flatten,   // X -> Y[d0·…·d(axis-1), d(axis)·…]   attrs: AxisAttributes
    Transpose, // X -> Y              attrs: TransposeAttributes
    Concat,    // X0, X1, ... -> Y    attrs: AxisAttributes
    Slice,     // X -> Y              attrs: SliceAttributes
    Identity,  // X -> Y

    // --- optimisers (family "optimizer"): update in place allowed (outputs may alias inputs)
    SgdUpdate,   // Param, Grad, Velocity -> Param', Velocity'
    AdamWUpdate, // Param, Grad, M, V -> Param', M', V'
};

// "Add", "Conv2d", …: the name used in errors, logs and benchmarks.
std::string_view opName(OpKind kind);

struct NoAttributes {
    bool operator==(const NoAttributes &) const = default;
};

struct ShapeAttributes {
    Shape shape; // Reshape: the target; SumToShape: the shape to reduce to
    bool operator==(const ShapeAttributes &) const = default;
};

struct AxisAttributes {
    std::int64_t axis = 0; // negative counts from the end
    bool operator==(const AxisAttributes &) const = default;
};

struct GemmAttributes {
    bool transA = false;
    bool transB = false;
    float alpha = 1.0f;
    float beta = 1.0f;
    bool operator==(const GemmAttributes &) const = default;
};

struct Conv2dAttributes {
    std::array<std::int64_t, 2> strides{1, 1};
    std::array<std::int64_t, 4> pads{0, 0, 0, 0}; // top, left, bottom, right
    std::array<std::int64_t, 2> dilations{1, 1};
    std::int64_t groups = 1;
    Shape inputShape;  // Conv2dBackwardInput: the shape of X
    Shape weightShape; // Conv2dBackwardWeight: the shape of W
    bool operator==(const Conv2dAttributes &) const = default;
};

struct Pool2dAttributes {
    std::array<std::int64_t, 2> kernel{1, 1};
    std::array<std::int64_t, 2> strides{1, 1};
    std::array<std::int64_t, 4> pads{0, 0, 0, 0}; // top, left, bottom, right
    bool countIncludePad = false; // AvgPool: divide by the full window, pads included
    bool ceilMode = false;
    Shape inputShape; // AvgPool2dBackward: the shape of X
    bool operator==(const Pool2dAttributes &) const = default;
};

struct ReduceAttributes {
    std::vector<std::int64_t> axes; // empty: all axes
    bool keepDims = true;
    bool operator==(const ReduceAttributes &) const = default;
};

struct ArgMaxAttributes {
    std::int64_t axis = 0;
    bool keepDims = true;
    bool selectLastIndex = false; // among equal maxima: the last one instead of the first
    bool operator==(const ArgMaxAttributes &) const = default;
};

struct NormAttributes {
    std::int64_t axis = -1; // LayerNorm: first normalised dimension
    float epsilon = 1e-5f;
    bool operator==(const NormAttributes &) const = default;
};

struct TransposeAttributes {
    std::vector<std::int64_t> perm; // empty: reverse the dimensions
    bool operator==(const TransposeAttributes &) const = default;
};

struct SliceAttributes {
    std::vector<std::int64_t> starts;
    std::vector<std::int64_t> ends;
    std::vector<std::int64_t> axes;  // empty: 0..starts.size()-1
    std::vector<std::int64_t> steps; // empty: all 1
    bool operator==(const SliceAttributes &) const = default;
};

struct SgdAttributes {
    float learningRate = 0.01f;
    float momentum = 0.0f;
    float weightDecay = 0.0f; // added to the gradient (L2), as torch.optim.SGD does
    bool nesterov = false;
    bool operator==(const SgdAttributes &) const = default;
};

struct AdamWAttributes {
    float learningRate = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float epsilon = 1e-8f;
    float weightDecay = 0.01f; // decoupled: param -= lr·wd·param
    std::int64_t step = 1;     // 1 for the first update (bias correction)
    bool operator==(const AdamWAttributes &) const = default;
};

using OpAttributes = std::variant<NoAttributes, ShapeAttributes, AxisAttributes, GemmAttributes,
                                  Conv2dAttributes, Pool2dAttributes, ReduceAttributes, ArgMaxAttributes,
                                  NormAttributes, TransposeAttributes, SliceAttributes, SgdAttributes,
                                  AdamWAttributes>;

struct Op {
    OpKind kind = OpKind::Identity;
    OpAttributes attributes;

    // The attributes as the type this op uses; asserts when they are not.
    template<typename T>
    const T &attr() const
    {
        return std::get<T>(attributes);
    }
};

enum class OpFamily { Elementwise = 1, Linear, Reduce, Layout, Optimizer };

OpFamily opFamily(OpKind kind);

} // namespace tributary::engine
