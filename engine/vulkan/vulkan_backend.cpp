#include "engine/vulkan/vulkan_backend.h"

#include "engine/exact_mode_check.h"
#include "engine/vulkan/vulkan_device.h"

#include <array>
#include <charconv>

namespace tributary::engine {

namespace {

// Per-thread outputs and shared-memory depth; spec constants 2..4 of gemm.comp.
constexpr std::uint32_t kThreadRows = 4;
constexpr std::uint32_t kThreadColumns = 4;
constexpr std::uint32_t kDepthBlock = 16;

struct GemmPush {
    std::uint32_t m, n, k;
};

Status vkFailure(const char *what, VkResult result)
{
    return Status::error(std::string("vulkan: ") + what + ": " + vkResultName(result));
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

// Runs the subnormal probe (exact_mode_check.h) as one dispatch of exact_mode_probe.comp.
Status checkSubnormals(VulkanBackend &backend)
{
    const SubnormalProbe &probe = subnormalProbe();
    const Shape shape{static_cast<std::int64_t>(kSubnormalProbeSize)};
    std::array<Tensor, 4> tensors;
    if (Status s = backend.upload(HostTensor::fromF32(shape, probe.a), &tensors[0]); !s)
        return s;
    if (Status s = backend.upload(HostTensor::fromF32(shape, probe.b), &tensors[1]); !s)
        return s;
    for (std::size_t i = 2; i < 4; ++i) {
        if (Status s = backend.allocate({DType::F32, shape}, &tensors[i]); !s)
            return s;
    }
    const std::uint32_t count = kSubnormalProbeSize;
    if (Status s = backend.dispatch({"exact_mode_probe", {}, tensors, asBytes(count), {1, 1, 1}}); !s)
        return s;
    HostTensor sum, product;
    if (Status s = backend.download(tensors[2], &sum); !s)
        return s;
    if (Status s = backend.download(tensors[3], &product); !s)
        return s;
    return checkSubnormalResults(sum.f32(), product.f32());
}

} // namespace

std::unique_ptr<Backend> openVulkanBackend(const DeviceInfo &device, ExecutionMode mode, std::string *error)
{
    VulkanBackendOptions options;
    options.mode = mode;
    auto backend = VulkanBackend::create(device, error, options);
    if (!backend)
        return nullptr;
    // Fast mode takes the device's fma() and subnormals as they are; Engine::open checks
    // the results within a tolerance instead (checkFastMode).
    if (mode == ExecutionMode::Fast)
        return backend;
    if (const Status native = checkExactMode(*backend); !native) {
        // Vulkan does not promise a fused fma() or IEEE subnormals; emulate them instead.
        backend->useSoftFma();
        if (const Status soft = checkExactMode(*backend); !soft) {
            *error = "vulkan: " + device.name + " does not keep exact mode: " + native.message()
                     + "; with emulated fma: " + soft.message();
            return nullptr;
        }
    }
    if (const Status s = checkSubnormals(*backend); !s) {
        *error = "vulkan: " + device.name + " does not keep exact mode: " + s.message();
        return nullptr;
    }
    return backend;
}

std::unique_ptr<VulkanBackend> VulkanBackend::create(const DeviceInfo &device, std::string *error,
                                                     VulkanBackendOptions options)
{
    std::unique_ptr<VulkanBackend> backend(new VulkanBackend(options.mode));
    if (Status s = backend->init(device, options); !s) {
        *error = s.message();
        return nullptr;
    }
    return backend;
}

VulkanBackend::~VulkanBackend()
{
    // The queue waits for the device before anything it used is destroyed.
    m_queue.reset();
    m_pipelines.reset();
}

Status VulkanBackend::init(const DeviceInfo &device, VulkanBackendOptions options)
{
    const int index = deviceIndex(device.id);
    if (index < 0)
        return Status::error("vulkan: not a Vulkan device id: " + device.id);
    std::string error;
    m_context = std::make_shared<VulkanContext>();
    m_context->instance = VulkanInstance::create(&error);
    if (!m_context->instance)
        return Status::error(error);
    const auto physicalDevices = m_context->instance->physicalDevices(&error);
    if (static_cast<std::size_t>(index) >= physicalDevices.size())
        return Status::error("vulkan: device " + device.id + " is gone");
    m_physical = describePhysicalDevice(m_context->api(), physicalDevices[static_cast<std::size_t>(index)], index);
    if (!m_physical.info.available)
        return Status::error("vulkan: " + m_physical.info.name + ": " + m_physical.info.unavailableReason);
    m_physical.info.fastMode = options.mode == ExecutionMode::Fast
        ? "native fma() in every shader (the Plain variants), no exact-mode check at open"
        : device.fastMode;
    m_context->api().vkGetPhysicalDeviceMemoryProperties(m_physical.handle, &m_context->memory);
    m_context->limits = m_physical.limits;
    // A CPU device or an integrated GPU: its memory is the host's, mapping it costs nothing.
    m_context->unifiedMemory = (m_physical.info.isSoftware || m_physical.info.isIntegrated) && !options.forceStaging;

    // 16×16 GEMM threads where the device allows it; 128 invocations are always allowed.
    const VkPhysicalDeviceLimits &limits = m_physical.limits;
    if (limits.maxComputeWorkGroupInvocations < 256 || limits.maxComputeWorkGroupSize[1] < 16)
        m_groupY = 8;

    if (Status s = createDevice(); !s)
        return s;
    m_pipelines = std::make_unique<VulkanPipelineCache>(*m_context, m_physical.denormPreserve);
    m_queue = std::make_unique<VulkanCommandQueue>(*m_context, m_physical.computeQueueFamily);
    return m_queue->init();
}

Status VulkanBackend::createDevice()
{
    VulkanApi &api = m_context->instance->api();
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
    VkDevice device = VK_NULL_HANDLE;
    if (VkResult r = api.vkCreateDevice(m_physical.handle, &info, nullptr, &device); r != VK_SUCCESS)
        return vkFailure("vkCreateDevice", r);
    m_context->device = device;
    // Device functions are loaded into the instance's table: one device per instance here.
    std::string error;
    if (!api.loadDevice(device, &error))
        return Status::error(error);
    return Status::ok();
}

void VulkanBackend::useSoftFma()
{
    if (m_softFma || mode() == ExecutionMode::Fast)
        return;
    m_softFma = true;
    m_physical.info.features += ", emulated fma";
}

Status VulkanBackend::gemm(std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape)
{
    if (Status s = checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
        return s;
    const VkPhysicalDeviceLimits &limits = m_physical.limits;
    const std::uint32_t tileColumns = m_groupX * kThreadColumns;
    const std::uint32_t tileRows = m_groupY * kThreadRows;
    const std::uint64_t groupsX = (std::uint64_t(shape.n) + tileColumns - 1) / tileColumns;
    const std::uint64_t groupsY = (std::uint64_t(shape.m) + tileRows - 1) / tileRows;
    if (groupsX > limits.maxComputeWorkGroupCount[0] || groupsY > limits.maxComputeWorkGroupCount[1])
        return Status::error("vulkan: shape too large for one dispatch on this device");

    Tensor ta, tb, tc;
    if (Status s = uploadBytes(a.data(), {DType::F32, {shape.m, shape.k}}, &ta); !s)
        return s;
    if (Status s = uploadBytes(b.data(), {DType::F32, {shape.k, shape.n}}, &tb); !s)
        return s;
    if (Status s = allocate({DType::F32, {shape.m, shape.n}}, &tc); !s)
        return s;
    // Spec constants 0..4 of gemm.comp: local_size_x, local_size_y, TM, TN, BK.
    const std::array<std::uint32_t, 5> spec = {m_groupX, m_groupY, kThreadRows, kThreadColumns, kDepthBlock};
    const std::array<Tensor, 3> buffers = {ta, tb, tc};
    const GemmPush push{static_cast<std::uint32_t>(shape.m), static_cast<std::uint32_t>(shape.n),
                        static_cast<std::uint32_t>(shape.k)};
    VulkanDispatch gemmDispatch{"gemm", spec, buffers, asBytes(push),
                                {static_cast<std::uint32_t>(groupsX), static_cast<std::uint32_t>(groupsY), 1}};
    gemmDispatch.usesFma = true;
    if (Status s = dispatch(gemmDispatch); !s)
        return s;
    return downloadBytes(tc, c.data());
}

} // namespace tributary::engine
