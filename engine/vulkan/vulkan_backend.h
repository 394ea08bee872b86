#pragma once

// VulkanBackend: tensors and ops on one Vulkan device. Created through
// openVulkanBackend() (vulkan_device.h), which checks exact mode at open: GEMM with the
// native fma() shader, falling back to the integer softFma variant when that fails, and
// plain float add/mul with subnormals (a device that flushes them is refused). In fast
// mode (ExecutionMode::Fast) it skips those checks and keeps the native fma() shaders.
//
// Tensors live in VulkanTensorBuffer (vulkan_tensor_buffer.h). Op kernels (vulkan/ops/)
// record work with dispatch() (vulkan_dispatch.h); work is batched by the command queue
// and submitted at synchronize(), download(), or when a batch grows large. Every Vulkan
// failure becomes a Status "vulkan: <what>: <VkResult name>". After a device loss or a
// timed-out batch the backend refuses further work.
//
// How a kernel adds a shader and runs it:
//   1. write engine/vulkan/shaders/<family>_<name>.comp (set 0, bindings 0..n-1 storage
//      buffers, a push_constant block ≤ 128 bytes, `precise` on float results; include
//      "kernels/exact_math.h" for division, exp, …); the next build compiles and embeds
//      it (a CONFIGURE_DEPENDS glob), as the Plain and the SoftFma (-DSOFT_FMA) variant;
//   2. from vulkanRun<Family>: backend.dispatch({"<family>_<name>", spec, buffers,
//      asBytes(push), groupsFor(count, groupSize)}), with usesFma = true when the
//      shader calls fma() (its SOFT_FMA variant must then call softFma() instead).
// Dispatches are recorded, not run: errors from the device surface at download() or
// synchronize(). Tensors handed to a dispatch are kept alive until it has run.

#include "engine/backend.h"
#include "engine/vulkan/vulkan_command_queue.h"
#include "engine/vulkan/vulkan_context.h"
#include "engine/vulkan/vulkan_dispatch.h"
#include "engine/vulkan/vulkan_physical_device.h"
#include "engine/vulkan/vulkan_pipeline_cache.h"

#include <cstdint>
#include <memory>
#include <string>

namespace tributary::engine {

struct VulkanBackendOptions {
    // Use staging buffers for uploads and downloads even on a unified-memory device, as
    // on a discrete GPU: lets tests on lavapipe cover that path.
    bool forceStaging = false;
    // Fast mode: the Plain shader variants whatever the device's fma() does (backend.h).
    ExecutionMode mode = ExecutionMode::Exact;
};

class VulkanBackend final : public Backend {
public:
    // Returns null and sets *error when the device cannot be set up. Does not run the
    // exact-mode checks (openVulkanBackend does).
    static std::unique_ptr<VulkanBackend> create(const DeviceInfo &device, std::string *error,
                                                 VulkanBackendOptions options = {});
    ~VulkanBackend() override;

    const DeviceInfo &device() const override { return m_physical.info; }

    Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                GemmShape shape) override;

    Status allocate(const TensorDesc &desc, Tensor *out) override;
    Status upload(const HostTensor &host, Tensor *out) override;
    Status download(const Tensor &tensor, HostTensor *out) override;
    bool supports(OpKind kind) const override;
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override;
    Status synchronize() override;

    // Records one compute dispatch (vulkan_dispatch.h) into the current batch. Fails at
    // once, naming the shader, for an unknown shader, more than 128 push-constant bytes,
    // a buffer that is not a tensor of this device, a group count over the device's
    // limits, or a shader that declares more buffers than given. A dispatch with a zero
    // group count does nothing.
    Status dispatch(const VulkanDispatch &dispatch);

    // Switches fma-using dispatches (usesFma) to the shader variant that emulates fma in
    // integer arithmetic, for a device whose fma() is not fused or that flushes
    // subnormals. Adds "emulated fma" to device().features. Ignored in fast mode.
    void useSoftFma();
    bool usesSoftFma() const { return m_softFma; }

    // For tests and diagnostics: pipelines created so far and batches submitted so far.
    std::size_t pipelineCount() const { return m_pipelines ? m_pipelines->pipelineCount() : 0; }
    std::uint64_t submittedBatches() const { return m_queue ? m_queue->submittedBatches() : 0; }
    const VulkanPhysicalDevice &physicalDevice() const { return m_physical; }

private:
    explicit VulkanBackend(ExecutionMode mode) : Backend(mode) {}

    Status init(const DeviceInfo &device, VulkanBackendOptions options);
    Status createDevice();
    // Copies host bytes into a new tensor / a tensor's bytes to the host (tensor.bytes()).
    Status uploadBytes(const void *data, const TensorDesc &desc, Tensor *out);
    Status downloadBytes(const Tensor &tensor, void *data);

    // First member: destroyed last, after everything created on the device.
    std::shared_ptr<VulkanContext> m_context;
    VulkanPhysicalDevice m_physical;
    std::unique_ptr<VulkanPipelineCache> m_pipelines;
    std::unique_ptr<VulkanCommandQueue> m_queue;
    bool m_softFma = false;

    // The GEMM shader's tile: a workgroup of m_groupX × m_groupY threads computes
    // (m_groupY·kThreadRows) × (m_groupX·kThreadColumns) outputs.
    std::uint32_t m_groupX = 16;
    std::uint32_t m_groupY = 16;
};

} // namespace tributary::engine
