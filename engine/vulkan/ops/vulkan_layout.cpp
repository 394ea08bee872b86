// Layout ops on Vulkan: each strided copy of planLayoutCopies() is one dispatch of
// shaders/layout_copy.comp, which moves 32-bit words (bit-exact for every dtype).

#include "engine/ops/layout.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_backend.h"
#include "engine/vulkan/vulkan_dispatch.h"

#include <limits>

namespace tributary::engine {

namespace {

constexpr std::uint32_t kGroupSize = 256;
constexpr std::size_t kMaxRank = 8;

struct CopyPush {
    std::uint32_t count, rank, words, srcOffset, dstOffset;
    std::uint32_t dims[kMaxRank];
    std::int32_t srcStrides[kMaxRank];
    std::uint32_t dstStrides[kMaxRank];
};
static_assert(sizeof(CopyPush) <= 128);

} // namespace

bool vulkanSupportsLayout(OpKind kind)
{
    switch (kind) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Identity:
        return true;
    default:
        return false;
    }
}

Status vulkanRunLayout(
    VulkanOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const std::string name(opName(op.kind));
    if (!vulkanSupportsLayout(op.kind))
        return Status::error("vulkan: " + name + " is not a layout op");
    if (outputs.size() != 1 || !outputs[0].valid())
        return Status::error("vulkan: " + name + " needs one allocated output");
    const std::uint32_t words = std::uint32_t(dtypeSize(outputs[0].dtype) / 4);
    // Word indices are 32-bit in the shader, element offsets signed 32-bit.
    constexpr auto kLimit = std::int64_t(std::numeric_limits<std::int32_t>::max());
    std::vector<Shape> shapes;
    for (const Tensor &t : inputs) {
        if (!t.valid())
            return Status::error("vulkan: " + name + ": an input has no storage");
        if (t.elements() * words > kLimit)
            return Status::error(
                "vulkan: " + name + ": input " + shapeText(t.shape) + " is too large for 32-bit indexing");
        shapes.push_back(t.shape);
    }
    if (outputs[0].elements() * words > kLimit)
        return Status::error("vulkan: " + name + ": output " + shapeText(outputs[0].shape)
            + " is too large for 32-bit indexing");
    std::vector<LayoutCopy> copies;
    if (Status s = planLayoutCopies(op, shapes, &copies); !s)
        return s;
    const std::uint32_t spec[] = { kGroupSize };
    for (const LayoutCopy &copy : copies) {
        if (copy.dims.size() > kMaxRank)
            return Status::error("vulkan: " + name + " needs " + std::to_string(copy.dims.size())
                + " dimensions after merging; at most 8 are supported");
        CopyPush push {};
        push.count = std::uint32_t(copy.elements());
        push.rank = std::uint32_t(copy.dims.size());
        push.words = words;
        push.srcOffset = std::uint32_t(copy.srcOffset);
        push.dstOffset = std::uint32_t(copy.dstOffset);
        for (std::size_t k = 0; k < copy.dims.size(); ++k) {
            push.dims[k] = std::uint32_t(copy.dims[k]);
            push.srcStrides[k] = std::int32_t(copy.srcStrides[k]);
            push.dstStrides[k] = std::uint32_t(copy.dstStrides[k]);
        }
        const Tensor buffers[] = { inputs[std::size_t(copy.input)], outputs[0] };
        if (Status s = context.backend.dispatch(
                { "layout_copy", spec, buffers, asBytes(push), groupsFor(push.count, kGroupSize) });
            !s)
            return s;
    }
    return Status::ok();
}

} // namespace tributary::engine
