#include "engine/vulkan/vulkan_command_queue.h"

namespace tributary::engine {

namespace {

// Sets per pool; a pool allows kMaxDispatchBuffers descriptors per set on average.
constexpr std::uint32_t kSetsPerPool = 256;
constexpr std::uint32_t kDescriptorsPerPool = kSetsPerPool * 8;
// Only a hung device takes this long for one batch, even a software rasteriser.
constexpr std::uint64_t kBatchTimeoutNs = 600'000'000'000ull;

constexpr VkPipelineStageFlags kWorkStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;

} // namespace

VulkanCommandQueue::VulkanCommandQueue(const VulkanContext &context, std::uint32_t queueFamily)
    : m_context(context), m_queueFamily(queueFamily)
{
}

VulkanCommandQueue::~VulkanCommandQueue()
{
    const VulkanApi &api = m_context.api();
    if (m_context.device == VK_NULL_HANDLE)
        return;
    api.vkDeviceWaitIdle(m_context.device);
    for (Batch &batch : m_batches) {
        batch.keepAlive.clear();
        for (VkDescriptorPool pool : batch.pools)
            api.vkDestroyDescriptorPool(m_context.device, pool, nullptr);
        if (batch.fence != VK_NULL_HANDLE)
            api.vkDestroyFence(m_context.device, batch.fence, nullptr);
    }
    if (m_commandPool != VK_NULL_HANDLE)
        api.vkDestroyCommandPool(m_context.device, m_commandPool, nullptr); // frees the command buffers
}

Status VulkanCommandQueue::fail(const char *what, VkResult result)
{
    if (result == VK_ERROR_DEVICE_LOST || result == VK_TIMEOUT)
        m_unusableReason = std::string(what) + ": " + vkResultName(result);
    return Status::error(std::string("vulkan: ") + what + ": " + vkResultName(result));
}

Status VulkanCommandQueue::usable() const
{
    if (m_unusableReason.empty())
        return Status::ok();
    return Status::error("vulkan: device unusable after " + m_unusableReason);
}

Status VulkanCommandQueue::init()
{
    const VulkanApi &api = m_context.api();
    api.vkGetDeviceQueue(m_context.device, m_queueFamily, 0, &m_queue);
    VkCommandPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = m_queueFamily;
    if (VkResult r = api.vkCreateCommandPool(m_context.device, &pool, nullptr, &m_commandPool); r != VK_SUCCESS) {
        m_commandPool = VK_NULL_HANDLE;
        return fail("vkCreateCommandPool", r);
    }
    for (Batch &batch : m_batches) {
        VkCommandBufferAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        allocate.commandPool = m_commandPool;
        allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        allocate.commandBufferCount = 1;
        if (VkResult r = api.vkAllocateCommandBuffers(m_context.device, &allocate, &batch.commandBuffer);
            r != VK_SUCCESS)
            return fail("vkAllocateCommandBuffers", r);
        VkFenceCreateInfo fence{};
        fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        if (VkResult r = api.vkCreateFence(m_context.device, &fence, nullptr, &batch.fence); r != VK_SUCCESS) {
            batch.fence = VK_NULL_HANDLE;
            return fail("vkCreateFence", r);
        }
        if (Status s = addPool(batch); !s)
            return s;
    }
    return Status::ok();
}

Status VulkanCommandQueue::addPool(Batch &batch)
{
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kDescriptorsPerPool};
    VkDescriptorPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    info.maxSets = kSetsPerPool;
    info.poolSizeCount = 1;
    info.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    if (VkResult r = m_context.api().vkCreateDescriptorPool(m_context.device, &info, nullptr, &pool); r != VK_SUCCESS)
        return fail("vkCreateDescriptorPool", r);
    batch.pools.push_back(pool);
    return Status::ok();
}

Status VulkanCommandQueue::wait(Batch &batch)
{
    if (!batch.pending)
        return Status::ok();
    const VulkanApi &api = m_context.api();
    if (VkResult r = api.vkWaitForFences(m_context.device, 1, &batch.fence, VK_TRUE, kBatchTimeoutNs);
        r != VK_SUCCESS) {
        // The batch may still be running: nothing it uses may be reused or freed.
        m_unusableReason = "vkWaitForFences: " + vkResultName(r);
        return Status::error("vulkan: vkWaitForFences: " + vkResultName(r));
    }
    if (VkResult r = api.vkResetFences(m_context.device, 1, &batch.fence); r != VK_SUCCESS) {
        m_unusableReason = "vkResetFences: " + vkResultName(r); // a signalled fence cannot be submitted again
        return Status::error("vulkan: vkResetFences: " + vkResultName(r));
    }
    batch.pending = false;
    recycle(batch);
    return Status::ok();
}

void VulkanCommandQueue::recycle(Batch &batch)
{
    batch.keepAlive.clear();
    for (VkDescriptorPool pool : batch.pools)
        m_context.api().vkResetDescriptorPool(m_context.device, pool, 0);
    batch.currentPool = 0;
    batch.commands = 0;
}

Status VulkanCommandQueue::beginCommand(VkCommandBuffer *out)
{
    if (Status s = usable(); !s)
        return s;
    Batch &batch = m_batches[m_current];
    const VulkanApi &api = m_context.api();
    if (!batch.recording) {
        if (Status s = wait(batch); !s)
            return s;
        if (VkResult r = api.vkResetCommandBuffer(batch.commandBuffer, 0); r != VK_SUCCESS)
            return fail("vkResetCommandBuffer", r);
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        if (VkResult r = api.vkBeginCommandBuffer(batch.commandBuffer, &begin); r != VK_SUCCESS)
            return fail("vkBeginCommandBuffer", r);
        batch.recording = true;
    }
    // Each command reads what any earlier one wrote (read after write) and may overwrite
    // what an earlier one read (write after read). The first command of a batch also
    // waits for the previous batch: barriers cover all earlier submissions to the queue.
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT
                            | VK_ACCESS_TRANSFER_WRITE_BIT;
    api.vkCmdPipelineBarrier(batch.commandBuffer, kWorkStages, kWorkStages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    *out = batch.commandBuffer;
    return Status::ok();
}

Status VulkanCommandQueue::commandRecorded()
{
    Batch &batch = m_batches[m_current];
    if (++batch.commands >= kMaxBatchCommands)
        return submit();
    return Status::ok();
}

Status VulkanCommandQueue::descriptorSet(VkDescriptorSetLayout layout, VkDescriptorSet *out)
{
    Batch &batch = m_batches[m_current];
    const VulkanApi &api = m_context.api();
    for (;;) {
        VkDescriptorSetAllocateInfo allocate{};
        allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        allocate.descriptorPool = batch.pools[batch.currentPool];
        allocate.descriptorSetCount = 1;
        allocate.pSetLayouts = &layout;
        const VkResult r = api.vkAllocateDescriptorSets(m_context.device, &allocate, out);
        if (r == VK_SUCCESS)
            return Status::ok();
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL)
            return fail("vkAllocateDescriptorSets", r);
        // This pool is full: move on to the next, creating it when there is none.
        if (++batch.currentPool == batch.pools.size()) {
            if (Status s = addPool(batch); !s)
                return s;
        }
    }
}

void VulkanCommandQueue::keepAlive(std::shared_ptr<const void> resource)
{
    m_batches[m_current].keepAlive.push_back(std::move(resource));
}

Status VulkanCommandQueue::submit()
{
    if (Status s = usable(); !s)
        return s;
    Batch &batch = m_batches[m_current];
    if (!batch.recording)
        return Status::ok();
    const VulkanApi &api = m_context.api();
    // Make the batch's writes visible to the host, which reads mapped tensors and
    // staging buffers once the fence has signalled.
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    api.vkCmdPipelineBarrier(batch.commandBuffer, kWorkStages, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr,
                             0, nullptr);
    batch.recording = false;
    if (VkResult r = api.vkEndCommandBuffer(batch.commandBuffer); r != VK_SUCCESS)
        return fail("vkEndCommandBuffer", r);
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &batch.commandBuffer;
    if (VkResult r = api.vkQueueSubmit(m_queue, 1, &submit, batch.fence); r != VK_SUCCESS) {
        // Not submitted: drop the batch so that its resources are released.
        recycle(batch);
        return fail("vkQueueSubmit", r);
    }
    batch.pending = true;
    ++m_submitted;
    m_current = (m_current + 1) % m_batches.size();
    return Status::ok();
}

Status VulkanCommandQueue::finish()
{
    if (Status s = submit(); !s)
        return s;
    for (Batch &batch : m_batches) {
        if (Status s = wait(batch); !s)
            return s;
    }
    return Status::ok();
}

} // namespace tributary::engine
