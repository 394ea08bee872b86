#pragma once

// VulkanCommandQueue: records the backend's work (dispatches, buffer copies) into
// command buffers and submits them in batches, so that a graph of many small ops costs
// one submission rather than one per op.
//
// Two batches alternate: while one runs on the device the other is recorded. A batch is
// submitted by submit() (the backend calls it at synchronize() and download()), or on
// its own when it holds kMaxBatchCommands commands; finish() submits and waits for all.
// Every command is preceded by a full compute/transfer memory barrier, so each sees the
// results of all work recorded before it, in this batch or an earlier one.
//
// What a batch's commands use (tensors, staging buffers) is handed to keepAlive() and
// released when the batch has completed, so a caller may drop a tensor right after
// queueing work on it. After a device loss or a timed-out wait the queue refuses work.

#include "engine/status.h"
#include "engine/vulkan/vulkan_context.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tributary::engine {

class VulkanCommandQueue {
public:
    static constexpr std::uint32_t kMaxBatchCommands = 512;

    VulkanCommandQueue(const VulkanContext &context, std::uint32_t queueFamily);
    ~VulkanCommandQueue(); // waits for the device and frees everything

    VulkanCommandQueue(const VulkanCommandQueue &) = delete;
    VulkanCommandQueue &operator=(const VulkanCommandQueue &) = delete;

    Status init();

    // The command buffer to record the next command into, with the barrier that orders
    // it after everything recorded before already in place. Call commandRecorded() after.
    Status beginCommand(VkCommandBuffer *out);
    // Counts the command; submits the batch when it has grown large.
    Status commandRecorded();
    // A descriptor set for the current batch, from pools that grow as needed and are
    // reset when the batch completes.
    Status descriptorSet(VkDescriptorSetLayout layout, VkDescriptorSet *out);
    void keepAlive(std::shared_ptr<const void> resource);

    // Submits the batch being recorded (if any) without waiting.
    Status submit();
    // Submits and waits until the device has finished all work.
    Status finish();

    // Ok, or why the queue refuses work.
    Status usable() const;
    // Batches submitted so far: lets tests see that many dispatches shared one batch.
    std::uint64_t submittedBatches() const { return m_submitted; }

private:
    struct Batch {
        VkCommandBuffer commandBuffer = VK_NULL_HANDLE;
        VkFence fence = VK_NULL_HANDLE;
        std::vector<VkDescriptorPool> pools;
        std::size_t currentPool = 0;
        std::vector<std::shared_ptr<const void>> keepAlive;
        std::uint32_t commands = 0;
        bool recording = false;
        bool pending = false; // submitted, fence not yet waited for
    };

    Status wait(Batch &batch);
    // Releases what a batch that has completed (or was never submitted) held.
    void recycle(Batch &batch);
    Status addPool(Batch &batch);
    Status fail(const char *what, VkResult result);

    const VulkanContext &m_context;
    std::uint32_t m_queueFamily;
    VkQueue m_queue = VK_NULL_HANDLE;
    VkCommandPool m_commandPool = VK_NULL_HANDLE;
    std::array<Batch, 2> m_batches;
    std::size_t m_current = 0;
    std::uint64_t m_submitted = 0;
    std::string m_unusableReason; // empty while usable
};

} // namespace tributary::engine
