#include "engine/ops/reduce.h"

#include <string>

namespace tributary::engine {

namespace {

std::string prefix(const Op &op)
{
    return std::string(opName(op.kind)) + ": ";
}

Status checkCount(const Op &op, const OpInputs &inputs, std::size_t required, std::size_t total)
{
    if (inputs.size() < required || inputs.size() > total)
        return Status::error(prefix(op) + "expects " + std::to_string(required)
                             + (total != required ? " to " + std::to_string(total) : std::string()) + " inputs, got "
                             + std::to_string(inputs.size()));
    return Status::ok();
}

Status checkF32(const Op &op, const OpInputs &inputs, std::size_t i, const char *name)
{
    if (!inputs.has(i))
        return Status::error(prefix(op) + "input " + std::to_string(i) + " (" + name + ") is missing");
    if (inputs[i].dtype != DType::F32)
        return Status::error(prefix(op) + "input " + std::to_string(i) + " (" + name + ") is "
                             + std::string(dtypeName(inputs[i].dtype)) + ", expected f32");
    return Status::ok();
}

template<typename T>
Status needAttributes(const Op &op, const char *what)
{
    if (!std::holds_alternative<T>(op.attributes))
        return Status::error(prefix(op) + "needs " + what);
    return Status::ok();
}

Status checkSameShape(const Op &op, const Shape &shape, const Shape &expected, const char *name, const char *what)
{
    if (shape != expected)
        return Status::error(prefix(op) + name + " is " + shapeText(shape) + " but must be " + what + " "
                             + shapeText(expected));
    return Status::ok();
}

Status inferReduction(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 1, 1); !s)
        return s;
    if (Status s = checkF32(op, inputs, 0, "X"); !s)
        return s;
    if (Status s = needAttributes<ReduceAttributes>(op, "ReduceAttributes"); !s)
        return s;
    const Shape &x = inputs[0].shape;
    std::vector<bool> mask;
    if (Status s = reducedAxes(op, x.size(), &mask); !s)
        return s;
    Shape out;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!mask[i])
            out.push_back(x[i]);
        else if (op.attr<ReduceAttributes>().keepDims)
            out.push_back(1);
    }
    outputs->push_back({DType::F32, out});
    return Status::ok();
}

Status inferArgMax(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 1, 1); !s)
        return s;
    if (Status s = checkF32(op, inputs, 0, "X"); !s)
        return s;
    if (Status s = needAttributes<ArgMaxAttributes>(op, "ArgMaxAttributes"); !s)
        return s;
    const ArgMaxAttributes &a = op.attr<ArgMaxAttributes>();
    const Shape &x = inputs[0].shape;
    int axis = 0;
    if (Status s = normalizeAxis(a.axis, x.size(), &axis); !s)
        return Status::error(prefix(op) + s.message() + " (X is " + shapeText(x) + ")");
    if (x[std::size_t(axis)] == 0)
        return Status::error(prefix(op) + "axis " + std::to_string(axis) + " of X " + shapeText(x) + " is empty");
    Shape out;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (int(i) != axis)
            out.push_back(x[i]);
        else if (a.keepDims)
            out.push_back(1);
    }
    outputs->push_back({DType::I64, out});
    return Status::ok();
}

Status inferSoftmax(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 1, 1); !s)
        return s;
    if (Status s = checkF32(op, inputs, 0, "X"); !s)
        return s;
    if (Status s = needAttributes<AxisAttributes>(op, "AxisAttributes"); !s)
        return s;
    int axis = 0;
    if (Status s = normalizeAxis(op.attr<AxisAttributes>().axis, inputs[0].shape.size(), &axis); !s)
        return Status::error(prefix(op) + s.message() + " (X is " + shapeText(inputs[0].shape) + ")");
    outputs->push_back({DType::F32, inputs[0].shape});
    return Status::ok();
}

Status inferLayerNorm(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 2, 3); !s)
        return s;
    if (Status s = checkF32(op, inputs, 0, "X"); !s)
        return s;
    if (Status s = checkF32(op, inputs, 1, "Scale"); !s)
        return s;
    if (Status s = needAttributes<NormAttributes>(op, "NormAttributes"); !s)
        return s;
    const Shape &x = inputs[0].shape;
    int axis = 0;
    if (Status s = normalizeAxis(op.attr<NormAttributes>().axis, x.size(), &axis); !s)
        return Status::error(prefix(op) + s.message() + " (X is " + shapeText(x) + ")");
    const Shape normalized(x.begin() + axis, x.end());
    if (Status s = checkSameShape(op, inputs[1].shape, normalized, "Scale", "X's normalised dims"); !s)
        return s;
    if (inputs.has(2)) {
        if (Status s = checkF32(op, inputs, 2, "Bias"); !s)
            return s;
        if (Status s = checkSameShape(op, inputs[2].shape, normalized, "Bias", "X's normalised dims"); !s)
            return s;
    }
    Shape stats(x.begin(), x.begin() + axis);
    stats.resize(x.size(), 1);
    outputs->push_back({DType::F32, x});
    outputs->push_back({DType::F32, stats});
    outputs->push_back({DType::F32, stats});
    return Status::ok();
}

Status inferLayerNormBackward(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 5, 5); !s)
        return s;
    static const char *const names[] = {"dY", "X", "Scale", "Mean", "InvStdDev"};
    for (std::size_t i = 0; i < 5; ++i) {
        if (Status s = checkF32(op, inputs, i, names[i]); !s)
            return s;
    }
    if (Status s = needAttributes<NormAttributes>(op, "NormAttributes"); !s)
        return s;
    const Shape &x = inputs[1].shape;
    if (Status s = checkSameShape(op, inputs[0].shape, x, "dY", "X's shape"); !s)
        return s;
    int axis = 0;
    if (Status s = normalizeAxis(op.attr<NormAttributes>().axis, x.size(), &axis); !s)
        return Status::error(prefix(op) + s.message() + " (X is " + shapeText(x) + ")");
    const Shape normalized(x.begin() + axis, x.end());
    if (Status s = checkSameShape(op, inputs[2].shape, normalized, "Scale", "X's normalised dims"); !s)
        return s;
    Shape stats(x.begin(), x.begin() + axis);
    stats.resize(x.size(), 1);
    if (Status s = checkSameShape(op, inputs[3].shape, stats, "Mean", "the statistics shape"); !s)
        return s;
    if (Status s = checkSameShape(op, inputs[4].shape, stats, "InvStdDev", "the statistics shape"); !s)
        return s;
    outputs->push_back({DType::F32, x});
    outputs->push_back({DType::F32, normalized});
    outputs->push_back({DType::F32, normalized});
    return Status::ok();
}

Status inferBatchNorm(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 5, 5); !s)
        return s;
    static const char *const names[] = {"X", "Scale", "Bias", "Mean", "Var"};
    for (std::size_t i = 0; i < 5; ++i) {
        if (Status s = checkF32(op, inputs, i, names[i]); !s)
            return s;
    }
    if (Status s = needAttributes<NormAttributes>(op, "NormAttributes (epsilon)"); !s)
        return s;
    const Shape &x = inputs[0].shape;
    if (x.size() < 2)
        return Status::error(prefix(op) + "X is " + shapeText(x) + ": needs at least 2 dimensions [N, C, ...]");
    for (std::size_t i = 1; i < 5; ++i) {
        if (Status s = checkSameShape(op, inputs[i].shape, Shape{x[1]}, names[i], "[C]"); !s)
            return s;
    }
    outputs->push_back({DType::F32, x});
    return Status::ok();
}

Status inferCrossEntropy(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 2, 2); !s)
        return s;
    if (Status s = checkF32(op, inputs, 0, "Logits"); !s)
        return s;
    if (!inputs.has(1))
        return Status::error(prefix(op) + "input 1 (Labels) is missing");
    if (inputs[1].dtype != DType::I64 && inputs[1].dtype != DType::I32)
        return Status::error(prefix(op) + "input 1 (Labels) is " + std::string(dtypeName(inputs[1].dtype))
                             + ", expected i64 or i32");
    const Shape &logits = inputs[0].shape;
    if (logits.size() != 2)
        return Status::error(prefix(op) + "Logits is " + shapeText(logits) + ", expected [N, C]");
    if (logits[1] == 0)
        return Status::error(prefix(op) + "Logits " + shapeText(logits) + " has no classes");
    if (inputs[1].shape != Shape{logits[0]})
        return Status::error(prefix(op) + "Labels is " + shapeText(inputs[1].shape) + " but Logits is "
                             + shapeText(logits) + ": expected Labels [" + std::to_string(logits[0]) + "]");
    if (op.kind == OpKind::SoftmaxCrossEntropy)
        outputs->push_back({DType::F32, Shape{}});
    else
        outputs->push_back({DType::F32, logits});
    return Status::ok();
}

} // namespace

Status reducedAxes(const Op &op, std::size_t rank, std::vector<bool> *mask)
{
    mask->assign(rank, false);
    const ReduceAttributes &a = op.attr<ReduceAttributes>();
    if (a.axes.empty()) {
        mask->assign(rank, true);
        return Status::ok();
    }
    for (std::int64_t axis : a.axes) {
        int normalized = 0;
        if (Status s = normalizeAxis(axis, rank, &normalized); !s)
            return Status::error(prefix(op) + s.message());
        if ((*mask)[std::size_t(normalized)])
            return Status::error(prefix(op) + "axis " + std::to_string(axis) + " is listed twice");
        (*mask)[std::size_t(normalized)] = true;
    }
    return Status::ok();
}

Status inferReduce(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    switch (op.kind) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: return inferReduction(op, inputs, outputs);
    case OpKind::ArgMax: return inferArgMax(op, inputs, outputs);
    case OpKind::Softmax:
    case OpKind::LogSoftmax: return inferSoftmax(op, inputs, outputs);
    case OpKind::LayerNorm: return inferLayerNorm(op, inputs, outputs);
    case OpKind::LayerNormBackward: return inferLayerNormBackward(op, inputs, outputs);
    case OpKind::BatchNorm: return inferBatchNorm(op, inputs, outputs);
    case OpKind::SoftmaxCrossEntropy:
    case OpKind::SoftmaxCrossEntropyBackward: return inferCrossEntropy(op, inputs, outputs);
    default: break;
    }
    return Status::error(prefix(op) + "not a reduce op");
}

AxisSlices axisSlices(const Shape &shape, std::int64_t axis)
{
    int a = 0;
    (void)normalizeAxis(axis, shape.size(), &a);
    AxisSlices v;
    for (int d = 0; d < int(shape.size()); ++d) {
        if (d < a)
            v.outer *= shape[std::size_t(d)];
        else if (d == a)
            v.length = shape[std::size_t(d)];
        else
            v.inner *= shape[std::size_t(d)];
    }
    return v;
}

NormRows layerNormRows(const Shape &shape, std::int64_t axis)
{
    int a = 0;
    (void)normalizeAxis(axis, shape.size(), &a);
    NormRows v;
    for (int d = 0; d < int(shape.size()); ++d)
        (d < a ? v.rows : v.n) *= shape[std::size_t(d)];
    return v;
}

} // namespace tributary::engine
