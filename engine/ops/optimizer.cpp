#include "engine/ops/optimizer.h"

#include <cmath>
#include <string>

namespace tributary::engine {

AdamWConstants adamWConstants(const AdamWAttributes &a)
{
    const double lr = a.learningRate;
    const double step = double(a.step);
    AdamWConstants c;
    c.decay = float(1.0 - lr * double(a.weightDecay));
    c.c1 = float(1.0 - double(a.beta1));
    c.c2 = float(1.0 - double(a.beta2));
    c.stepSize = float(lr / (1.0 - std::pow(double(a.beta1), step)));
    c.invSqrtBc2 = float(1.0 / std::sqrt(1.0 - std::pow(double(a.beta2), step)));
    return c;
}

Status inferOptimizer(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    const std::string prefix = std::string(opName(op.kind)) + ": ";
    const bool sgd = op.kind == OpKind::SgdUpdate;
    if (!sgd && op.kind != OpKind::AdamWUpdate)
        return Status::error(prefix + "not an optimizer op");
    static const char *const sgdNames[] = {"Param", "Grad", "Velocity"};
    static const char *const adamNames[] = {"Param", "Grad", "M", "V"};
    const char *const *names = sgd ? sgdNames : adamNames;
    const std::size_t count = sgd ? 3 : 4;
    if (inputs.size() != count)
        return Status::error(prefix + "expects " + std::to_string(count) + " inputs, got "
                             + std::to_string(inputs.size()));
    if (sgd && !std::holds_alternative<SgdAttributes>(op.attributes))
        return Status::error(prefix + "needs SgdAttributes");
    if (!sgd) {
        if (!std::holds_alternative<AdamWAttributes>(op.attributes))
            return Status::error(prefix + "needs AdamWAttributes");
        const AdamWAttributes &a = op.attr<AdamWAttributes>();
        if (a.step < 1)
            return Status::error(prefix + "step is " + std::to_string(a.step) + ", must be >= 1");
        if (!(a.beta1 >= 0.0f && a.beta1 < 1.0f) || !(a.beta2 >= 0.0f && a.beta2 < 1.0f))
            return Status::error(prefix + "beta1 and beta2 must be in [0, 1)");
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (!inputs.has(i))
            return Status::error(prefix + "input " + std::to_string(i) + " (" + names[i] + ") is missing");
        if (inputs[i].dtype != DType::F32)
            return Status::error(prefix + "input " + std::to_string(i) + " (" + names[i] + ") is "
                                 + std::string(dtypeName(inputs[i].dtype)) + ", expected f32");
        if (inputs[i].shape != inputs[0].shape)
            return Status::error(prefix + names[i] + " is " + shapeText(inputs[i].shape) + " but Param is "
                                 + shapeText(inputs[0].shape) + ": all inputs must have Param's shape");
    }
    // SgdUpdate: Param', Velocity'; AdamWUpdate: Param', M', V'.
    for (std::size_t i = 0; i < count - 1; ++i)
        outputs->push_back({DType::F32, inputs[0].shape});
    return Status::ok();
}

} // namespace tributary::engine
