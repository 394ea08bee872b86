#include "engine/vulkan/vulkan_backend.h"

#include "engine/exact_mode_check.h"
#include "engine/vulkan/vulkan_device.h"
#include "engine/vulkan/vulkan_shaders.h"

#include <array>
#include <charconv>
#include <cstring>

namespace tributary::engine {

namespace {

// Per-thread outputs and shared-memory depth; must match the spec constants in gemm.comp.
constexpr std::uint32_t kThreadRows = 4;
constexpr std::uint32_t kThreadColumns = 4;
constexpr std::uint32_t kDepthBlock = 16;

struct PushConstants {
    std::uint32_t m, n, k;
};

Status vkFailure(const char *what, VkResult result)
{
    return Status::error(std::string("vulkan: ") + what + ": " + vkResultName(result));
}

std::string mib(VkDeviceSize bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// The physical device index in an id "vulkan:<index>", or -1.
int deviceIndex(const std::string &id)
{
    constexpr std::string_view prefix = "vulkan:";
    if (id.compare(0, prefix.size(), prefix) != 0)
        return -1;
    int index = -1;
    const char *begin = id.data() + prefix.size();
    const char *end = id.data() + id.size();
    const auto [ptr, ec] = std::from_chars(begin, end, index);
    return (ec == std::errc() && ptr == end) ? index : -1;
}

} // namespace

std::unique_ptr<Backend> openVulkanBackend(const DeviceInfo &device, std::string *error)
{
    auto backend = VulkanBackend::create(device, error);
    if (!backend)
        return nullptr;
    const Status native = checkExactMode(*backend);
    if (native)
        return backend;
    // Vulkan does not promise a fused fma() or IEEE subnormals; emulate them instead.
    Status soft = backend->useSoftFma();
    if (soft)
        soft = checkExactMode(*backend);
    if (!soft) {
        *error = "vulkan: " + device.name + " does not keep exact mode: " + native.message()
                 + "; with emulated fma: " + soft.message();
        return nullptr;
    }
    return backend;
}

std::unique_ptr<VulkanBackend> VulkanBackend::create(const DeviceInfo &device, std::string *error)
{
    std::unique_ptr<VulkanBackend> backend(new VulkanBackend());
    if (Status s = backend->init(device); !s) {
        *error = s.message();
        return nullptr;
    }
    return backend;
}

Status VulkanBackend::init(const DeviceInfo &device)
{
    const int index = deviceIndex(device.id);
    if (index < 0)
        return Status::error("vulkan: not a Vulkan device id: " + device.id);
    std::string error;
    m_instance = VulkanInstance::create(&error);
    if (!m_instance)
        return Status::error(error);
    const auto physicalDevices = m_instance->physicalDevices(&error);
    if (static_cast<std::size_t>(index) >= physicalDevices.size())
        return Status::error("vulkan: device " + device.id + " is gone");
    m_physical = describePhysicalDevice(m_instance->api(), physicalDevices[static_cast<std::size_t>(index)], index);
    if (!m_physical.info.available)
        return Status::error("vulkan: " + m_physical.info.name + ": " + m_physical.info.unavailableReason);
    m_instance->api().vkGetPhysicalDeviceMemoryProperties(m_physical.handle, &m_memory);

    // 16×16 threads where the device allows it; 128 invocations are always allowed.
    const VkPhysicalDeviceLimits &limits = m_physical.limits;
    if (limits.maxComputeWorkGroupInvocations < 256 || limits.maxComputeWorkGroupSize[1] < 16)
        m_groupY = 8;

    if (Status s = createDevice(); !s)
        return s;
    if (Status s = createPipeline(false); !s)
        return s;
    if (Status s = createDescriptors(); !s)
        return s;
    const VulkanApi &api = m_instance->api();
    m_a = std::make_unique<VulkanBuffer>(api, m_device, m_memory, "A", false);
    m_b = std::make_unique<VulkanBuffer>(api, m_device, m_memory, "B", false);
    m_c = std::make_unique<VulkanBuffer>(api, m_device, m_memory, "C", true);
    return Status::ok();
}

Status VulkanBackend::createDevice()
{
    VulkanApi &api = m_instance->api();
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{};
    queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue.queueFamilyIndex = m_physical.computeQueueFamily;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;

    const char *extensions[] = {VK_KHR_SHADER_FLOAT_CONTROLS_EXTENSION_NAME};
    VkDeviceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    info.enabledExtensionCount = m_physical.denormPreserve ? 1 : 0;
    info.ppEnabledExtensionNames = extensions;
    if (VkResult r = api.vkCreateDevice(m_physical.handle, &info, nullptr, &m_device); r != VK_SUCCESS) {
        m_device = VK_NULL_HANDLE;
        return vkFailure("vkCreateDevice", r);
    }
    // Device functions are loaded into the instance's table: one device per instance here.
    std::string error;
    if (!api.loadDevice(m_device, &error))
        return Status::error(error);
    api.vkGetDeviceQueue(m_device, m_physical.computeQueueFamily, 0, &m_queue);

    VkCommandPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = m_physical.computeQueueFamily;
    if (VkResult r = api.vkCreateCommandPool(m_device, &pool, nullptr, &m_commandPool); r != VK_SUCCESS)
        return vkFailure("vkCreateCommandPool", r);

    VkCommandBufferAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    allocate.commandPool = m_commandPool;
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    if (VkResult r = api.vkAllocateCommandBuffers(m_device, &allocate, &m_commandBuffer); r != VK_SUCCESS)
        return vkFailure("vkAllocateCommandBuffers", r);

    VkFenceCreateInfo fence{};
    fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    if (VkResult r = api.vkCreateFence(m_device, &fence, nullptr, &m_fence); r != VK_SUCCESS)
        return vkFailure("vkCreateFence", r);
    return Status::ok();
}

Status VulkanBackend::useSoftFma()
{
    const VulkanApi &api = m_instance->api();
    api.vkDestroyPipeline(m_device, m_pipeline, nullptr);
    m_pipeline = VK_NULL_HANDLE;
    if (Status s = createPipeline(true); !s)
        return s;
    m_physical.info.features += ", emulated fma";
    return Status::ok();
}

Status VulkanBackend::createPipeline(bool softFma)
{
    const VulkanApi &api = m_instance->api();
    if (m_pipelineLayout != VK_NULL_HANDLE)
        return createShaderPipeline(softFma);

    std::array<VkDescriptorSetLayoutBinding, 3> bindings{};
    for (std::uint32_t i = 0; i < bindings.size(); ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setLayout{};
    setLayout.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setLayout.bindingCount = static_cast<std::uint32_t>(bindings.size());
    setLayout.pBindings = bindings.data();
    if (VkResult r = api.vkCreateDescriptorSetLayout(m_device, &setLayout, nullptr, &m_setLayout); r != VK_SUCCESS)
        return vkFailure("vkCreateDescriptorSetLayout", r);

    VkPushConstantRange pushRange{};
    pushRange.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    pushRange.size = sizeof(PushConstants);
    VkPipelineLayoutCreateInfo layout{};
    layout.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout.setLayoutCount = 1;
    layout.pSetLayouts = &m_setLayout;
    layout.pushConstantRangeCount = 1;
    layout.pPushConstantRanges = &pushRange;
    if (VkResult r = api.vkCreatePipelineLayout(m_device, &layout, nullptr, &m_pipelineLayout); r != VK_SUCCESS)
        return vkFailure("vkCreatePipelineLayout", r);
    return createShaderPipeline(softFma);
}

Status VulkanBackend::createShaderPipeline(bool softFma)
{
    const VulkanApi &api = m_instance->api();
    SpirvModule spirv = m_physical.denormPreserve ? gemmDenormPreserveSpirv() : gemmSpirv();
    if (softFma)
        spirv = gemmSoftFmaSpirv();
    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = spirv.sizeBytes;
    moduleInfo.pCode = spirv.code;
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = api.vkCreateShaderModule(m_device, &moduleInfo, nullptr, &module); r != VK_SUCCESS)
        return vkFailure("vkCreateShaderModule", r);

    // Spec constant ids 0..4 of gemm.comp: local_size_x, local_size_y, TM, TN, BK.
    const std::array<std::uint32_t, 5> constants = {m_groupX, m_groupY, kThreadRows, kThreadColumns, kDepthBlock};
    std::array<VkSpecializationMapEntry, 5> entries{};
    for (std::uint32_t i = 0; i < entries.size(); ++i)
        entries[i] = {i, i * static_cast<std::uint32_t>(sizeof(std::uint32_t)), sizeof(std::uint32_t)};
    VkSpecializationInfo specialization{};
    specialization.mapEntryCount = static_cast<std::uint32_t>(entries.size());
    specialization.pMapEntries = entries.data();
    specialization.dataSize = sizeof(constants);
    specialization.pData = constants.data();

    VkComputePipelineCreateInfo pipeline{};
    pipeline.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipeline.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipeline.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipeline.stage.module = module;
    pipeline.stage.pName = "main";
    pipeline.stage.pSpecializationInfo = &specialization;
    pipeline.layout = m_pipelineLayout;
    const VkResult r = api.vkCreateComputePipelines(m_device, VK_NULL_HANDLE, 1, &pipeline, nullptr, &m_pipeline);
    api.vkDestroyShaderModule(m_device, module, nullptr);
    if (r != VK_SUCCESS) {
        m_pipeline = VK_NULL_HANDLE;
        return vkFailure("vkCreateComputePipelines", r);
    }
    return Status::ok();
}

Status VulkanBackend::createDescriptors()
{
    const VulkanApi &api = m_instance->api();
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
    VkDescriptorPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pool.maxSets = 1;
    pool.poolSizeCount = 1;
    pool.pPoolSizes = &size;
    if (VkResult r = api.vkCreateDescriptorPool(m_device, &pool, nullptr, &m_descriptorPool); r != VK_SUCCESS)
        return vkFailure("vkCreateDescriptorPool", r);

    VkDescriptorSetAllocateInfo allocate{};
    allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    allocate.descriptorPool = m_descriptorPool;
    allocate.descriptorSetCount = 1;
    allocate.pSetLayouts = &m_setLayout;
    if (VkResult r = api.vkAllocateDescriptorSets(m_device, &allocate, &m_descriptorSet); r != VK_SUCCESS)
        return vkFailure("vkAllocateDescriptorSets", r);
    return Status::ok();
}

VulkanBackend::~VulkanBackend()
{
    if (!m_instance)
        return;
    const VulkanApi &api = m_instance->api();
    if (m_device != VK_NULL_HANDLE) {
        // Nothing may be destroyed while a dispatch could still be running.
        api.vkDeviceWaitIdle(m_device);
        m_a.reset();
        m_b.reset();
        m_c.reset();
        if (m_pipeline != VK_NULL_HANDLE)
            api.vkDestroyPipeline(m_device, m_pipeline, nullptr);
        if (m_pipelineLayout != VK_NULL_HANDLE)
            api.vkDestroyPipelineLayout(m_device, m_pipelineLayout, nullptr);
        if (m_descriptorPool != VK_NULL_HANDLE)
            api.vkDestroyDescriptorPool(m_device, m_descriptorPool, nullptr);
        if (m_setLayout != VK_NULL_HANDLE)
            api.vkDestroyDescriptorSetLayout(m_device, m_setLayout, nullptr);
        if (m_fence != VK_NULL_HANDLE)
            api.vkDestroyFence(m_device, m_fence, nullptr);
        if (m_commandPool != VK_NULL_HANDLE)
            api.vkDestroyCommandPool(m_device, m_commandPool, nullptr); // frees the command buffer
        api.vkDestroyDevice(m_device, nullptr);
    }
}

Status VulkanBackend::gemm(std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape)
{
    if (Status s = checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
        return s;
    if (m_unusable)
        return Status::error("vulkan: device unusable: " + m_unusableReason);

    const auto m = static_cast<VkDeviceSize>(shape.m);
    const auto n = static_cast<VkDeviceSize>(shape.n);
    const auto k = static_cast<VkDeviceSize>(shape.k);
    const VkDeviceSize aBytes = m * k * sizeof(float);
    const VkDeviceSize bBytes = k * n * sizeof(float);
    const VkDeviceSize cBytes = m * n * sizeof(float);
    const VkPhysicalDeviceLimits &limits = m_physical.limits;
    for (auto [name, bytes] : {std::pair{"A", aBytes}, std::pair{"B", bBytes}, std::pair{"C", cBytes}}) {
        if (bytes > limits.maxStorageBufferRange) {
            return Status::error(std::string("vulkan: ") + name + " needs " + mib(bytes)
                                 + ", more than this device's storage buffer limit of "
                                 + mib(limits.maxStorageBufferRange));
        }
    }
    const std::uint64_t groupsX = (n + m_groupX * kThreadColumns - 1) / (m_groupX * kThreadColumns);
    const std::uint64_t groupsY = (m + m_groupY * kThreadRows - 1) / (m_groupY * kThreadRows);
    if (groupsX > limits.maxComputeWorkGroupCount[0] || groupsY > limits.maxComputeWorkGroupCount[1])
        return Status::error("vulkan: shape too large for one dispatch on this device");

    if (Status s = prepareBuffers(aBytes, bBytes, cBytes); !s)
        return s;
    std::memcpy(m_a->mapped(), a.data(), aBytes);
    std::memcpy(m_b->mapped(), b.data(), bBytes);
    if (Status s = recordAndSubmit(shape); !s)
        return s;
    std::memcpy(c.data(), m_c->mapped(), cBytes);
    return Status::ok();
}

Status VulkanBackend::prepareBuffers(VkDeviceSize aBytes, VkDeviceSize bBytes, VkDeviceSize cBytes)
{
    bool reallocated = false;
    for (auto [buffer, bytes] : {std::pair{m_a.get(), aBytes}, std::pair{m_b.get(), bBytes},
                                 std::pair{m_c.get(), cBytes}}) {
        if (Status s = buffer->reserve(bytes, &reallocated); !s)
            return s;
    }
    if (!reallocated)
        return Status::ok();

    std::array<VkDescriptorBufferInfo, 3> infos = {{
        {m_a->handle(), 0, VK_WHOLE_SIZE},
        {m_b->handle(), 0, VK_WHOLE_SIZE},
        {m_c->handle(), 0, VK_WHOLE_SIZE},
    }};
    std::array<VkWriteDescriptorSet, 3> writes{};
    for (std::uint32_t i = 0; i < writes.size(); ++i) {
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = m_descriptorSet;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    m_instance->api().vkUpdateDescriptorSets(m_device, static_cast<std::uint32_t>(writes.size()), writes.data(), 0,
                                             nullptr);
    return Status::ok();
}

Status VulkanBackend::recordAndSubmit(GemmShape shape)
{
    const VulkanApi &api = m_instance->api();
    if (VkResult r = api.vkResetCommandBuffer(m_commandBuffer, 0); r != VK_SUCCESS)
        return vkFailure("vkResetCommandBuffer", r);
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (VkResult r = api.vkBeginCommandBuffer(m_commandBuffer, &begin); r != VK_SUCCESS)
        return vkFailure("vkBeginCommandBuffer", r);

    const PushConstants push{static_cast<std::uint32_t>(shape.m), static_cast<std::uint32_t>(shape.n),
                             static_cast<std::uint32_t>(shape.k)};
    api.vkCmdBindPipeline(m_commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, m_pipeline);
    api.vkCmdBindDescriptorSets(m_commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, m_pipelineLayout, 0, 1,
                                &m_descriptorSet, 0, nullptr);
    api.vkCmdPushConstants(m_commandBuffer, m_pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
    const std::uint32_t tileColumns = m_groupX * kThreadColumns;
    const std::uint32_t tileRows = m_groupY * kThreadRows;
    api.vkCmdDispatch(m_commandBuffer, (push.n + tileColumns - 1) / tileColumns, (push.m + tileRows - 1) / tileRows,
                      1);
    // Host-coherent memory still needs the shader's writes made available to the host.
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    api.vkCmdPipelineBarrier(m_commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
    if (VkResult r = api.vkEndCommandBuffer(m_commandBuffer); r != VK_SUCCESS)
        return vkFailure("vkEndCommandBuffer", r);

    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &m_commandBuffer;
    if (VkResult r = api.vkQueueSubmit(m_queue, 1, &submit, m_fence); r != VK_SUCCESS) {
        if (r == VK_ERROR_DEVICE_LOST) {
            m_unusable = true;
            m_unusableReason = "device lost";
        }
        return vkFailure("vkQueueSubmit", r);
    }

    // Generous: 30 s plus one second per GFLOP, so that only a hung device trips it,
    // even a software rasteriser on a slow CPU.
    const double flops = 2.0 * shape.m * shape.n * shape.k;
    const auto timeoutNs = static_cast<std::uint64_t>((30.0 + flops / 1e9) * 1e9);
    const VkResult wait = api.vkWaitForFences(m_device, 1, &m_fence, VK_TRUE, timeoutNs);
    if (wait != VK_SUCCESS) {
        // The command buffer may still be pending, so it and the buffers must not be reused.
        m_unusable = true;
        m_unusableReason = "vkWaitForFences: " + vkResultName(wait);
        return vkFailure("vkWaitForFences", wait);
    }
    if (VkResult r = api.vkResetFences(m_device, 1, &m_fence); r != VK_SUCCESS) {
        m_unusable = true; // a signalled fence cannot be submitted again
        m_unusableReason = "vkResetFences: " + vkResultName(r);
        return vkFailure("vkResetFences", r);
    }
    return Status::ok();
}

} // namespace tributary::engine
