#include "engine/ops/op.h"

namespace tributary::engine {

std::string_view opName(OpKind kind)
{
    switch (kind) {
    case OpKind::Add: return "Add";
    case OpKind::Sub: return "Sub";
    case OpKind::Mul: return "Mul";
    case OpKind::Div: return "Div";
    case OpKind::Neg: return "Neg";
    case OpKind::Relu: return "Relu";
    case OpKind::Gelu: return "Gelu";
    case OpKind::Tanh: return "Tanh";
    case OpKind::Sigmoid: return "Sigmoid";
    case OpKind::Exp: return "Exp";
    case OpKind::Log: return "Log";
    case OpKind::Sqrt: return "Sqrt";
    case OpKind::ReluBackward: return "ReluBackward";
    case OpKind::GeluBackward: return "GeluBackward";
    case OpKind::TanhBackward: return "TanhBackward";
    case OpKind::SigmoidBackward: return "SigmoidBackward";
    case OpKind::SumToShape: return "SumToShape";
    case OpKind::Gemm: return "Gemm";
    case OpKind::MatMul: return "MatMul";
    case OpKind::Conv2d: return "Conv2d";
    case OpKind::Conv2dBackwardInput: return "Conv2dBackwardInput";
    case OpKind::Conv2dBackwardWeight: return "Conv2dBackwardWeight";
    case OpKind::MaxPool2d: return "MaxPool2d";
    case OpKind::AvgPool2d: return "AvgPool2d";
    case OpKind::GlobalAvgPool: return "GlobalAvgPool";
    case OpKind::MaxPool2dBackward: return "MaxPool2dBackward";
    case OpKind::AvgPool2dBackward: return "AvgPool2dBackward";
    case OpKind::ReduceSum: return "ReduceSum";
    case OpKind::ReduceMean: return "ReduceMean";
    case OpKind::ReduceMax: return "ReduceMax";
    case OpKind::ArgMax: return "ArgMax";
    case OpKind::Softmax: return "Softmax";
    case OpKind::LogSoftmax: return "LogSoftmax";
    case OpKind::LayerNorm: return "LayerNorm";
    case OpKind::LayerNormBackward: return "LayerNormBackward";
    case OpKind::BatchNorm: return "BatchNorm";
    case OpKind::SoftmaxCrossEntropy: return "SoftmaxCrossEntropy";
    case OpKind::SoftmaxCrossEntropyBackward: return "SoftmaxCrossEntropyBackward";
    case OpKind::Reshape: return "Reshape";
    case OpKind::Flatten: return "Flatten";
    case OpKind::Transpose: return "Transpose";
    case OpKind::Concat: return "Concat";
    case OpKind::Slice: return "Slice";
    case OpKind::Identity: return "Identity";
    case OpKind::SgdUpdate: return "SgdUpdate";
    case OpKind::AdamWUpdate: return "AdamWUpdate";
    }
    return "unknown op";
}

OpFamily opFamily(OpKind kind)
{
    switch (kind) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Neg:
    case OpKind::Relu:
    case OpKind::Gelu:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
    case OpKind::ReluBackward:
    case OpKind::GeluBackward:
    case OpKind::TanhBackward:
    case OpKind::SigmoidBackward:
    case OpKind::SumToShape:
        return OpFamily::Elementwise;
    case OpKind::Gemm:
    case OpKind::MatMul:
    case OpKind::Conv2d:
    case OpKind::Conv2dBackwardInput:
    case OpKind::Conv2dBackwardWeight:
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
    case OpKind::GlobalAvgPool:
    case OpKind::MaxPool2dBackward:
    case OpKind::AvgPool2dBackward:
        return OpFamily::Linear;
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax:
    case OpKind::ArgMax:
    case OpKind::Softmax:
    case OpKind::LogSoftmax:
    case OpKind::LayerNorm:
    case OpKind::LayerNormBackward:
    case OpKind::BatchNorm:
    case OpKind::SoftmaxCrossEntropy:
    case OpKind::SoftmaxCrossEntropyBackward:
        return OpFamily::Reduce;
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Identity:
        return OpFamily::Layout;
    case OpKind::SgdUpdate:
    case OpKind::AdamWUpdate:
        return OpFamily::Optimizer;
    }
    return OpFamily::Layout;
}

} // namespace tributary::engine
