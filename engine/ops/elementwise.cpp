#include "engine/ops/elementwise.h"

#include <string>

namespace tributary::engine {

namespace {

std::string prefix(const Op &op)
{
    return std::string(opName(op.kind)) + ": ";
}

// Checks the input count and that every required input is a present f32 tensor.
Status checkF32Inputs(const Op &op, const OpInputs &inputs, std::size_t count, const char *const *names)
{
    if (inputs.size() != count)
        return Status::error(prefix(op) + "expects " + std::to_string(count) + " input(s), got "
                             + std::to_string(inputs.size()));
    for (std::size_t i = 0; i < count; ++i) {
        if (!inputs.has(i))
            return Status::error(prefix(op) + "input " + std::to_string(i) + " (" + names[i] + ") is missing");
        if (inputs[i].dtype != DType::F32)
            return Status::error(prefix(op) + "input " + std::to_string(i) + " (" + names[i] + ") is "
                                 + std::string(dtypeName(inputs[i].dtype)) + ", expected f32");
    }
    return Status::ok();
}

} // namespace

bool broadcastsTo(const Shape &from, const Shape &to)
{
    if (from.size() > to.size())
        return false;
    const std::size_t offset = to.size() - from.size();
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (from[i] != to[offset + i] && from[i] != 1)
            return false;
    }
    return true;
}

Status inferElementwise(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    switch (op.kind) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div: {
        static const char *const names[] = {"A", "B"};
        if (Status s = checkF32Inputs(op, inputs, 2, names); !s)
            return s;
        Shape out;
        if (Status s = broadcastShapes(inputs[0].shape, inputs[1].shape, &out); !s)
            return Status::error(prefix(op) + "A and B: " + s.message());
        outputs->push_back({DType::F32, out});
        return Status::ok();
    }
    case OpKind::Neg:
    case OpKind::Relu:
    case OpKind::Gelu:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt: {
        static const char *const names[] = {"X"};
        if (Status s = checkF32Inputs(op, inputs, 1, names); !s)
            return s;
        outputs->push_back({DType::F32, inputs[0].shape});
        return Status::ok();
    }
    case OpKind::ReluBackward:
    case OpKind::GeluBackward:
    case OpKind::TanhBackward:
    case OpKind::SigmoidBackward: {
        const bool usesY = op.kind == OpKind::TanhBackward || op.kind == OpKind::SigmoidBackward;
        static const char *const namesX[] = {"dY", "X"};
        static const char *const namesY[] = {"dY", "Y"};
        if (Status s = checkF32Inputs(op, inputs, 2, usesY ? namesY : namesX); !s)
            return s;
        if (inputs[0].shape != inputs[1].shape)
            return Status::error(prefix(op) + "dY is " + shapeText(inputs[0].shape) + " but " + (usesY ? "Y" : "X")
                                 + " is " + shapeText(inputs[1].shape) + ": they must have the same shape");
        outputs->push_back({DType::F32, inputs[0].shape});
        return Status::ok();
    }
    case OpKind::SumToShape: {
        static const char *const names[] = {"dY"};
        if (Status s = checkF32Inputs(op, inputs, 1, names); !s)
            return s;
        if (!std::holds_alternative<ShapeAttributes>(op.attributes))
            return Status::error(prefix(op) + "needs ShapeAttributes (the target shape)");
        const Shape &target = op.attr<ShapeAttributes>().shape;
        if (Status s = checkShape(target); !s)
            return Status::error(prefix(op) + "target: " + s.message());
        if (!broadcastsTo(target, inputs[0].shape))
            return Status::error(prefix(op) + "target shape " + shapeText(target) + " does not broadcast to dY's shape "
                                 + shapeText(inputs[0].shape));
        outputs->push_back({DType::F32, target});
        return Status::ok();
    }
    default: break;
    }
    return Status::error(prefix(op) + "not an elementwise op");
}

std::vector<std::int64_t> broadcastStrides(const Shape &in, std::size_t rank)
{
    std::vector<std::int64_t> strides(rank, 0);
    const std::vector<std::int64_t> own = rowMajorStrides(in);
    const std::size_t offset = rank - in.size();
    for (std::size_t i = 0; i < in.size(); ++i)
        strides[offset + i] = in[i] == 1 ? 0 : own[i];
    return strides;
}

} // namespace tributary::engine
