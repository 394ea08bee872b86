// VulkanBackend's tensor side: storage in VulkanTensorBuffer, uploads and downloads
// (mapped memory or staging buffers), dispatch() for the op kernels in vulkan/ops/.

#include "engine/vulkan/vulkan_backend.h"
#include "engine/vulkan/ops/vulkan_ops.h"
#include "engine/vulkan/vulkan_buffer.h"
#include "engine/vulkan/vulkan_tensor_buffer.h"

#include <array>
#include <cstring>

namespace tributary::engine {

namespace {

std::string mibText(std::uint64_t bytes)
{
    return std::to_string((bytes + (std::uint64_t{1} << 20) - 1) >> 20) + " MiB";
}

} // namespace

Status VulkanBackend::allocate(const TensorDesc &desc, Tensor *out)
{
    std::shared_ptr<VulkanTensorBuffer> buffer;
    if (Status s = VulkanTensorBuffer::create(m_context, desc, m_physical.info.id, &buffer); !s)
        return s;
    *out = Tensor{desc.dtype, desc.shape, std::move(buffer)};
    return Status::ok();
}

Status VulkanBackend::upload(const HostTensor &host, Tensor *out)
{
    if (Status s = checkShape(host.shape); !s)
        return s;
    const std::size_t expected = std::size_t(elementCount(host.shape)) * dtypeSize(host.dtype);
    if (host.data.size() != expected)
        return Status::error("vulkan: host tensor " + shapeText(host.shape) + " has " + std::to_string(host.data.size())
                             + " bytes, expected " + std::to_string(expected));
    return uploadBytes(host.data.data(), {host.dtype, host.shape}, out);
}

Status VulkanBackend::uploadBytes(const void *data, const TensorDesc &desc, Tensor *out)
{
    if (Status s = m_queue->usable(); !s)
        return s;
    Tensor tensor;
    if (Status s = allocate(desc, &tensor); !s)
        return s;
    auto *buffer = static_cast<VulkanTensorBuffer *>(tensor.buffer.get());
    const std::size_t bytes = tensor.bytes();
    if (bytes == 0) {
        *out = std::move(tensor);
        return Status::ok();
    }
    if (buffer->mapped()) {
        // A new buffer: no queued work uses it yet, so the host may write it now.
        std::memcpy(buffer->mapped(), data, bytes);
        *out = std::move(tensor);
        return Status::ok();
    }
    auto staging = std::make_shared<VulkanBuffer>(m_context->api(), m_context->device, m_context->memory,
                                                  "staging", false);
    bool reallocated = false;
    if (Status s = staging->reserve(bytes, &reallocated); !s)
        return s;
    std::memcpy(staging->mapped(), data, bytes);
    VkCommandBuffer commands = VK_NULL_HANDLE;
    if (Status s = m_queue->beginCommand(&commands); !s)
        return s;
    const VkBufferCopy region{0, 0, bytes};
    m_context->api().vkCmdCopyBuffer(commands, staging->handle(), buffer->handle(), 1, &region);
    m_queue->keepAlive(std::move(staging));
    m_queue->keepAlive(tensor.buffer);
    if (Status s = m_queue->commandRecorded(); !s)
        return s;
    *out = std::move(tensor);
    return Status::ok();
}

Status VulkanBackend::download(const Tensor &tensor, HostTensor *out)
{
    if (!tensor.valid())
        return Status::error("vulkan: download of a tensor without storage");
    if (!vulkanTensorBuffer(tensor, m_context.get()))
        return Status::error("vulkan: download of a tensor that is not on this device (" + m_physical.info.id + ")");
    if (tensor.buffer->bytes() < tensor.bytes())
        return Status::error("vulkan: download of a " + shapeText(tensor.shape) + " tensor whose buffer is too small");
    HostTensor host = HostTensor::zeros(tensor.dtype, tensor.shape);
    if (Status s = downloadBytes(tensor, host.data.data()); !s)
        return s;
    *out = std::move(host);
    return Status::ok();
}

Status VulkanBackend::downloadBytes(const Tensor &tensor, void *data)
{
    auto *buffer = static_cast<VulkanTensorBuffer *>(tensor.buffer.get());
    const std::size_t bytes = tensor.bytes();
    if (buffer->mapped()) {
        if (Status s = m_queue->finish(); !s)
            return s;
        if (bytes > 0)
            std::memcpy(data, buffer->mapped(), bytes);
        return Status::ok();
    }
    if (bytes == 0)
        return m_queue->finish();
    VulkanBuffer staging(m_context->api(), m_context->device, m_context->memory, "staging", true);
    bool reallocated = false;
    if (Status s = staging.reserve(bytes, &reallocated); !s)
        return s;
    VkCommandBuffer commands = VK_NULL_HANDLE;
    if (Status s = m_queue->beginCommand(&commands); !s)
        return s;
    const VkBufferCopy region{0, 0, bytes};
    m_context->api().vkCmdCopyBuffer(commands, buffer->handle(), staging.handle(), 1, &region);
    m_queue->keepAlive(tensor.buffer);
    if (Status s = m_queue->commandRecorded(); !s)
        return s;
    // The staging buffer lives until here: finish() waits for the copy.
    if (Status s = m_queue->finish(); !s)
        return s;
    std::memcpy(data, staging.mapped(), bytes);
    return Status::ok();
}

bool VulkanBackend::supports(OpKind kind) const
{
    switch (opFamily(kind)) {
    case OpFamily::Elementwise: return vulkanSupportsElementwise(kind);
    case OpFamily::Linear: return vulkanSupportsLinear(kind);
    case OpFamily::Reduce: return vulkanSupportsReduce(kind);
    case OpFamily::Layout: return vulkanSupportsLayout(kind);
    case OpFamily::Optimizer: return vulkanSupportsOptimizer(kind);
    }
    return false;
}

Status VulkanBackend::run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (Status s = m_queue->usable(); !s)
        return s;
    // A tensor of another backend (or another device) would crash a kernel: refuse it here.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].valid() && !vulkanTensorBuffer(inputs[i], m_context.get()))
            return Status::error("vulkan: " + std::string(opName(op.kind)) + ": input " + std::to_string(i)
                                 + " is not a tensor of this device (" + m_physical.info.id + ")");
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].valid() && !vulkanTensorBuffer(outputs[i], m_context.get()))
            return Status::error("vulkan: " + std::string(opName(op.kind)) + ": output " + std::to_string(i)
                                 + " is not a tensor allocated on this device (" + m_physical.info.id + ")");
    }
    VulkanOpContext context{*this};
    switch (opFamily(op.kind)) {
    case OpFamily::Elementwise: return vulkanRunElementwise(context, op, inputs, outputs);
    case OpFamily::Linear: return vulkanRunLinear(context, op, inputs, outputs);
    case OpFamily::Reduce: return vulkanRunReduce(context, op, inputs, outputs);
    case OpFamily::Layout: return vulkanRunLayout(context, op, inputs, outputs);
    case OpFamily::Optimizer: return vulkanRunOptimizer(context, op, inputs, outputs);
    }
    return Status::error("vulkan: unknown op family");
}

Status VulkanBackend::synchronize()
{
    return m_queue->finish();
}

Status VulkanBackend::dispatch(const VulkanDispatch &d)
{
    const std::string what = "vulkan: dispatch of \"" + std::string(d.shader) + "\": ";
    if (Status s = m_queue->usable(); !s)
        return s;
    if (d.pushConstants.size() > kMaxPushConstantBytes)
        return Status::error(what + std::to_string(d.pushConstants.size()) + " push-constant bytes, at most "
                             + std::to_string(kMaxPushConstantBytes));
    if (d.buffers.size() > kMaxDispatchBuffers)
        return Status::error(what + std::to_string(d.buffers.size()) + " buffers, at most "
                             + std::to_string(kMaxDispatchBuffers));
    const VkPhysicalDeviceLimits &limits = m_physical.limits;
    std::array<VkDescriptorBufferInfo, kMaxDispatchBuffers> infos{};
    for (std::size_t i = 0; i < d.buffers.size(); ++i) {
        const Tensor &tensor = d.buffers[i];
        const VulkanTensorBuffer *buffer = vulkanTensorBuffer(tensor, m_context.get());
        if (!tensor.valid())
            return Status::error(what + "buffer " + std::to_string(i) + " is a tensor without storage");
        if (!buffer)
            return Status::error(what + "buffer " + std::to_string(i) + " is not a tensor of this device ("
                                 + m_physical.info.id + ")");
        if (buffer->bytes() > limits.maxStorageBufferRange)
            return Status::error(what + "buffer " + std::to_string(i) + " (a " + shapeText(tensor.shape)
                                 + " tensor) is " + mibText(buffer->bytes())
                                 + ", more than this device's storage buffer limit of "
                                 + mibText(limits.maxStorageBufferRange));
        infos[i] = {buffer->handle(), 0, VK_WHOLE_SIZE};
    }
    for (std::size_t axis = 0; axis < 3; ++axis) {
        if (d.groupCount[axis] > limits.maxComputeWorkGroupCount[axis])
            return Status::error(what + std::to_string(d.groupCount[axis]) + " workgroups along axis "
                                 + std::to_string(axis) + ", more than this device's limit of "
                                 + std::to_string(limits.maxComputeWorkGroupCount[axis]));
    }

    const ShaderVariant variant = (d.usesFma && m_softFma) ? ShaderVariant::SoftFma : ShaderVariant::Plain;
    VulkanPipeline pipeline;
    const auto bufferCount = static_cast<std::uint32_t>(d.buffers.size());
    if (Status s = m_pipelines->get(d.shader, variant, d.specializationConstants, bufferCount, &pipeline); !s)
        return s;
    if (d.groupCount[0] == 0 || d.groupCount[1] == 0 || d.groupCount[2] == 0)
        return Status::ok(); // nothing to do (an empty tensor)

    // Begin first: starting a batch recycles its descriptor pools.
    const VulkanApi &api = m_context->api();
    VkCommandBuffer commands = VK_NULL_HANDLE;
    if (Status s = m_queue->beginCommand(&commands); !s)
        return s;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (bufferCount > 0) {
        if (Status s = m_queue->descriptorSet(pipeline.setLayout, &set); !s)
            return s;
        std::array<VkWriteDescriptorSet, kMaxDispatchBuffers> writes{};
        for (std::uint32_t i = 0; i < bufferCount; ++i) {
            writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
            writes[i].dstSet = set;
            writes[i].dstBinding = i;
            writes[i].descriptorCount = 1;
            writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            writes[i].pBufferInfo = &infos[i];
        }
        api.vkUpdateDescriptorSets(m_context->device, bufferCount, writes.data(), 0, nullptr);
    }

    api.vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline);
    if (bufferCount > 0)
        api.vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0,
                                    nullptr);
    if (!d.pushConstants.empty()) {
        // Push constants go in whole words; the padding is zero.
        std::array<std::byte, kMaxPushConstantBytes> push{};
        std::memcpy(push.data(), d.pushConstants.data(), d.pushConstants.size());
        const auto size = static_cast<std::uint32_t>((d.pushConstants.size() + 3) & ~std::size_t{3});
        api.vkCmdPushConstants(commands, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, size, push.data());
    }
    api.vkCmdDispatch(commands, d.groupCount[0], d.groupCount[1], d.groupCount[2]);
    for (const Tensor &tensor : d.buffers)
        m_queue->keepAlive(tensor.buffer);
    return m_queue->commandRecorded();
}

} // namespace tributary::engine
