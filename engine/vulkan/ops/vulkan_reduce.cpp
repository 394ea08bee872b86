// Vulkan kernels of the reduce family: shaders reduce_*.comp, bit for bit the CPU
// reference (engine/ops/reduce.h). One invocation per output (row, slice, column); each
// keeps the canonical order sequentially, so no subgroup size or tile is ever assumed.

#include "engine/kernels/index_plan.h"
#include "engine/ops/reduce.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_backend.h"

#include <cstdint>
#include <limits>

namespace tributary::engine {

namespace {

constexpr std::uint32_t kGroupSize = 64;

std::string prefix(const Op &op)
{
    return "vulkan: " + std::string(opName(op.kind)) + ": ";
}

bool fits32(std::int64_t n)
{
    return n >= 0 && n <= std::int64_t(std::numeric_limits<std::uint32_t>::max());
}

Status checkArguments(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs, bool optionalOutputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    if (outputs.size() != expected.size())
        return Status::error(prefix(op) + "expects " + std::to_string(expected.size()) + " outputs");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const bool mayBeAbsent = optionalOutputs && !(op.kind == OpKind::LayerNorm && i == 0);
        if (!outputs[i].valid() && mayBeAbsent)
            continue;
        if (!outputs[i].valid() || outputs[i].shape != expected[i].shape || outputs[i].dtype != expected[i].dtype)
            return Status::error(prefix(op) + "output " + std::to_string(i) + " is not allocated as "
                                 + std::string(dtypeName(expected[i].dtype)) + shapeText(expected[i].shape));
    }
    for (const Tensor &t : inputs) {
        if (t.valid() && !fits32(t.elements()))
            return Status::error(prefix(op) + shapeText(t.shape) + " has too many elements for 32-bit indexing");
    }
    return Status::ok();
}

// The tensor itself, or a scratch tensor of the given shape when it has no storage.
Status orScratch(VulkanBackend &backend, const Tensor &t, const Shape &shape, Tensor *out)
{
    if (t.valid()) {
        *out = t;
        return Status::ok();
    }
    return backend.allocate({DType::F32, shape}, out);
}

// axisSlices() as the shaders' uint push constants.
struct Slices {
    std::uint32_t slices = 0, length = 0, inner = 0;
};

Slices slicesAround(const Shape &shape, std::int64_t axis)
{
    const AxisSlices v = axisSlices(shape, axis);
    return { static_cast<std::uint32_t>(v.slices()), static_cast<std::uint32_t>(v.length),
        static_cast<std::uint32_t>(v.inner) };
}

} // namespace

Status vulkanReduceGeneric(VulkanBackend &backend, const Tensor &x, const std::vector<bool> &reduced,
                           std::uint32_t mode, float scale, const Tensor &y)
{
    const ReduceDims plan = makeReduceDims(x.shape, reduced);
    if (plan.keptDims.size() > 4 || plan.reducedDims.size() > 4)
        return Status::error("vulkan: reduction of " + shapeText(x.shape)
                             + " alternates kept and reduced dims more than the shader supports (4 each)");
    struct Push {
        std::uint32_t outCount, n, mode, keptRank, reducedRank;
        float scale;
        std::uint32_t keptDims[4], keptStrides[4], reducedDims[4], reducedStrides[4];
    } push{};
    std::int64_t n = 1;
    for (std::int64_t d : plan.reducedDims)
        n *= d;
    if (x.elements() == 0)
        n = 0;
    push.outCount = static_cast<std::uint32_t>(y.elements());
    push.n = static_cast<std::uint32_t>(n);
    push.mode = mode;
    push.keptRank = static_cast<std::uint32_t>(plan.keptDims.size());
    push.reducedRank = static_cast<std::uint32_t>(plan.reducedDims.size());
    push.scale = scale;
    for (std::size_t d = 0; d < plan.keptDims.size(); ++d) {
        push.keptDims[d] = static_cast<std::uint32_t>(plan.keptDims[d]);
        push.keptStrides[d] = static_cast<std::uint32_t>(plan.keptStrides[d]);
    }
    for (std::size_t d = 0; d < plan.reducedDims.size(); ++d) {
        push.reducedDims[d] = static_cast<std::uint32_t>(plan.reducedDims[d]);
        push.reducedStrides[d] = static_cast<std::uint32_t>(plan.reducedStrides[d]);
    }
    const std::uint32_t spec[] = {kGroupSize};
    // Few outputs over many values: one invocation per chunk of 32 first, then one per
    // output adds its chunk results left to right (the same order as one pass).
    const std::uint64_t chunks = (std::uint64_t(n) + kReduceChunk - 1) / kReduceChunk;
    if (n >= 256 && push.outCount <= 4096 && chunks * push.outCount <= std::numeric_limits<std::uint32_t>::max()) {
        struct ChunkPush {
            std::uint32_t outCount, n, chunks, keptRank, reducedRank, isMax;
            std::uint32_t keptDims[4], keptStrides[4], reducedDims[4], reducedStrides[4];
        } first{};
        first.outCount = push.outCount;
        first.n = push.n;
        first.chunks = static_cast<std::uint32_t>(chunks);
        first.keptRank = push.keptRank;
        first.reducedRank = push.reducedRank;
        first.isMax = mode == 2 ? 1u : 0u;
        for (int d = 0; d < 4; ++d) {
            first.keptDims[d] = push.keptDims[d];
            first.keptStrides[d] = push.keptStrides[d];
            first.reducedDims[d] = push.reducedDims[d];
            first.reducedStrides[d] = push.reducedStrides[d];
        }
        Tensor partial;
        if (Status s = backend.allocate({DType::F32, {std::int64_t(chunks * push.outCount)}}, &partial); !s)
            return s;
        const Tensor firstBuffers[] = {x, partial};
        if (Status s = backend.dispatch({"reduce_chunks", spec, firstBuffers, asBytes(first),
                                         groupsFor(chunks * push.outCount, kGroupSize)});
            !s)
            return s;
        Push second{};
        second.outCount = push.outCount;
        second.n = static_cast<std::uint32_t>(chunks);
        second.mode = mode == 2 ? 2u : mode + 3u;
        second.keptRank = 1;
        second.reducedRank = 1;
        second.scale = scale;
        second.keptDims[0] = push.outCount;
        second.keptStrides[0] = static_cast<std::uint32_t>(chunks);
        second.reducedDims[0] = static_cast<std::uint32_t>(chunks);
        second.reducedStrides[0] = 1;
        const Tensor secondBuffers[] = {partial, y};
        return backend.dispatch(
            {"reduce_generic", spec, secondBuffers, asBytes(second), groupsFor(push.outCount, kGroupSize)});
    }
    const Tensor buffers[] = {x, y};
    return backend.dispatch({"reduce_generic", spec, buffers, asBytes(push), groupsFor(push.outCount, kGroupSize)});
}

bool vulkanSupportsReduce(OpKind kind)
{
    return opFamily(kind) == OpFamily::Reduce;
}

Status vulkanRunReduce(VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const bool optionalOutputs = op.kind == OpKind::LayerNorm || op.kind == OpKind::LayerNormBackward;
    if (Status s = checkArguments(op, inputs, outputs, optionalOutputs); !s)
        return s;
    VulkanBackend &backend = context.backend;
    const std::uint32_t spec[] = {kGroupSize};
    switch (op.kind) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: {
        std::vector<bool> mask;
        if (Status s = reducedAxes(op, inputs[0].shape.size(), &mask); !s)
            return s;
        std::int64_t n = 1;
        for (std::size_t d = 0; d < mask.size(); ++d) {
            if (mask[d])
                n *= inputs[0].shape[d];
        }
        const std::uint32_t mode = op.kind == OpKind::ReduceSum ? 0 : op.kind == OpKind::ReduceMean ? 1 : 2;
        return vulkanReduceGeneric(backend, inputs[0], mask, mode, float(1.0 / double(n)), outputs[0]);
    }
    case OpKind::ArgMax: {
        const ArgMaxAttributes &a = op.attr<ArgMaxAttributes>();
        const Slices s = slicesAround(inputs[0].shape, a.axis);
        struct Push {
            std::uint32_t slices, length, inner, selectLast;
        } push{s.slices, s.length, s.inner, a.selectLastIndex ? 1u : 0u};
        const Tensor buffers[] = {inputs[0], outputs[0]};
        return backend.dispatch({"reduce_argmax", spec, buffers, asBytes(push), groupsFor(s.slices, kGroupSize)});
    }
    case OpKind::Softmax:
    case OpKind::LogSoftmax: {
        const Slices s = slicesAround(inputs[0].shape, op.attr<AxisAttributes>().axis);
        if (s.length == 0)
            return Status::ok();
        struct Push {
            std::uint32_t slices, length, inner, logSoftmax;
        } push{s.slices, s.length, s.inner, op.kind == OpKind::LogSoftmax ? 1u : 0u};
        const Tensor buffers[] = {inputs[0], outputs[0]};
        return backend.dispatch({"reduce_softmax", spec, buffers, asBytes(push), groupsFor(s.slices, kGroupSize)});
    }
    case OpKind::LayerNorm: {
        const NormRows view = layerNormRows(inputs[0].shape, op.attr<NormAttributes>().axis);
        const std::int64_t rows = view.rows, n = view.n;
        const bool hasBias = inputs.size() > 2 && inputs[2].valid();
        Tensor mean, inv;
        if (Status s = orScratch(backend, outputs.size() > 1 ? outputs[1] : Tensor{}, {rows}, &mean); !s)
            return s;
        if (Status s = orScratch(backend, outputs.size() > 2 ? outputs[2] : Tensor{}, {rows}, &inv); !s)
            return s;
        struct Push {
            std::uint32_t rows, n, hasBias;
            float invN, epsilon;
        } push{static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(n), hasBias ? 1u : 0u,
               float(1.0 / double(n)), op.attr<NormAttributes>().epsilon};
        const Tensor buffers[] = {inputs[0], inputs[1], hasBias ? inputs[2] : inputs[1], outputs[0], mean, inv};
        return backend.dispatch({"reduce_layernorm", spec, buffers, asBytes(push),
                                 groupsFor(std::uint64_t(rows), kGroupSize)});
    }
    case OpKind::LayerNormBackward: {
        const Shape &x = inputs[1].shape;
        int axis = 0;
        (void)normalizeAxis(op.attr<NormAttributes>().axis, x.size(), &axis);
        const NormRows view = layerNormRows(x, axis);
        const std::int64_t rows = view.rows, n = view.n;
        const Shape normalized(x.begin() + axis, x.end());
        Tensor dx, dScale, dBias;
        if (Status s = orScratch(backend, outputs[0], x, &dx); !s)
            return s;
        if (Status s = orScratch(backend, outputs[1], normalized, &dScale); !s)
            return s;
        if (Status s = orScratch(backend, outputs[2], normalized, &dBias); !s)
            return s;
        struct Push {
            std::uint32_t rows, n, mode;
            float invN;
        } push{static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(n), 0u, float(1.0 / double(n))};
        const Tensor buffers[] = {inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], dx, dScale, dBias};
        if (outputs[0].valid()) {
            if (Status s = backend.dispatch({"reduce_layernorm_backward", spec, buffers, asBytes(push),
                                             groupsFor(std::uint64_t(rows), kGroupSize)});
                !s)
                return s;
        }
        push.mode = 1;
        if (!outputs[1].valid() && !outputs[2].valid())
            return Status::ok();
        return backend.dispatch({"reduce_layernorm_backward", spec, buffers, asBytes(push),
                                 groupsFor(std::uint64_t(n), kGroupSize)});
    }
    case OpKind::BatchNorm: {
        const Shape &x = inputs[0].shape;
        std::int64_t spatial = 1;
        for (std::size_t d = 2; d < x.size(); ++d)
            spatial *= x[d];
        struct Push {
            std::uint32_t count, channels, spatial;
            float epsilon;
        } push{static_cast<std::uint32_t>(inputs[0].elements()), static_cast<std::uint32_t>(x[1]),
               static_cast<std::uint32_t>(spatial), op.attr<NormAttributes>().epsilon};
        if (spatial == 0 || x[1] == 0)
            return Status::ok();
        const Tensor buffers[] = {inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], outputs[0]};
        return backend.dispatch({"reduce_batchnorm", spec, buffers, asBytes(push), groupsFor(push.count, kGroupSize)});
    }
    case OpKind::SoftmaxCrossEntropy:
    case OpKind::SoftmaxCrossEntropyBackward: {
        const std::int64_t rows = inputs[0].shape[0];
        const bool backward = op.kind == OpKind::SoftmaxCrossEntropyBackward;
        const float invN = float(1.0 / double(rows));
        Tensor result = outputs[0];
        if (!backward) {
            if (Status s = backend.allocate({DType::F32, {rows}}, &result); !s)
                return s;
        }
        struct Push {
            std::uint32_t rows, classes, backward, labels64;
            float invN;
        } push{static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(inputs[0].shape[1]), backward ? 1u : 0u,
               inputs[1].dtype == DType::I64 ? 1u : 0u, invN};
        const Tensor buffers[] = {inputs[0], inputs[1], result};
        if (rows > 0) {
            if (Status s = backend.dispatch({"reduce_xent", spec, buffers, asBytes(push),
                                             groupsFor(std::uint64_t(rows), kGroupSize)});
                !s)
                return s;
        }
        if (backward)
            return Status::ok();
        return vulkanReduceGeneric(backend, result, {true}, 1, invN, outputs[0]);
    }
    default: break;
    }
    return Status::error(prefix(op) + "not a reduce op");
}

} // namespace tributary::engine
