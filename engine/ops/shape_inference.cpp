#include "engine/ops/shape_inference.h"

#include "engine/ops/elementwise.h"
#include "engine/ops/layout.h"
#include "engine/ops/linear.h"
#include "engine/ops/optimizer.h"
#include "engine/ops/reduce.h"

#include <memory>

namespace tributary::engine {

Status inferOutputs(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    outputs->clear();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs.has(i))
            continue;
        if (Status s = checkShape(inputs[i].shape); !s)
            return Status::error(std::string(opName(op.kind)) + ": input " + std::to_string(i) + ": "
                                 + s.message());
    }
    switch (opFamily(op.kind)) {
    case OpFamily::Elementwise: return inferElementwise(op, inputs, outputs);
    case OpFamily::Linear: return inferLinear(op, inputs, outputs);
    case OpFamily::Reduce: return inferReduce(op, inputs, outputs);
    case OpFamily::Layout: return inferLayout(op, inputs, outputs);
    case OpFamily::Optimizer: return inferOptimizer(op, inputs, outputs);
    }
    return Status::error(std::string(opName(op.kind)) + ": unknown op family");
}

Status inferOutputs(const Op &op, std::span<const Tensor> inputs, std::vector<TensorDesc> *outputs)
{
    std::vector<TensorDesc> descs;
    std::unique_ptr<bool[]> present(new bool[inputs.size()]);
    descs.reserve(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        descs.push_back({inputs[i].dtype, inputs[i].shape});
        present[i] = inputs[i].valid();
    }
    return inferOutputs(op, OpInputs{descs, std::span<const bool>(present.get(), inputs.size())}, outputs);
}

} // namespace tributary::engine
