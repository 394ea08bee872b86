#include "engine/vulkan/vulkan_pipeline_cache.h"

namespace tributary::engine {

namespace {

Status vkFailure(const char *what, VkResult result)
{
    return Status::error(std::string("vulkan: ") + what + ": " + vkResultName(result));
}

const char *variantName(ShaderVariant variant)
{
    switch (variant) {
    case ShaderVariant::Plain: return "plain";
    case ShaderVariant::SoftFma: return "soft-fma";
    }
    return "?";
}

} // namespace

VulkanPipelineCache::~VulkanPipelineCache()
{
    const VulkanApi &api = m_context.api();
    const VkDevice device = m_context.device;
    for (auto &[key, pipeline] : m_pipelines)
        api.vkDestroyPipeline(device, pipeline.pipeline, nullptr);
    for (auto &[count, layout] : m_layouts) {
        api.vkDestroyPipelineLayout(device, layout.layout, nullptr);
        api.vkDestroyDescriptorSetLayout(device, layout.setLayout, nullptr);
    }
    for (auto &[name, module] : m_modules)
        api.vkDestroyShaderModule(device, module, nullptr);
}

Status VulkanPipelineCache::get(std::string_view shader, ShaderVariant variant,
                                std::span<const std::uint32_t> specialization, std::uint32_t bufferCount,
                                VulkanPipeline *out)
{
    // Key: variant, buffer count, the constants, then the name's bytes packed in words.
    std::vector<std::uint32_t> key{static_cast<std::uint32_t>(variant), bufferCount,
                                   static_cast<std::uint32_t>(specialization.size())};
    key.insert(key.end(), specialization.begin(), specialization.end());
    for (char c : shader)
        key.push_back(static_cast<unsigned char>(c));
    if (auto found = m_pipelines.find(key); found != m_pipelines.end()) {
        *out = found->second;
        return Status::ok();
    }

    VkShaderModule module = VK_NULL_HANDLE;
    if (Status s = shaderModule(shader, variant, bufferCount, &module); !s)
        return s;
    VulkanPipeline pipeline;
    if (Status s = setLayout(bufferCount, &pipeline.setLayout, &pipeline.layout); !s)
        return s;

    std::vector<VkSpecializationMapEntry> entries(specialization.size());
    for (std::uint32_t i = 0; i < entries.size(); ++i)
        entries[i] = {i, i * static_cast<std::uint32_t>(sizeof(std::uint32_t)), sizeof(std::uint32_t)};
    VkSpecializationInfo specializationInfo{};
    specializationInfo.mapEntryCount = static_cast<std::uint32_t>(entries.size());
    specializationInfo.pMapEntries = entries.data();
    specializationInfo.dataSize = specialization.size_bytes();
    specializationInfo.pData = specialization.data();

    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = specialization.empty() ? nullptr : &specializationInfo;
    info.layout = pipeline.layout;
    if (VkResult r = m_context.api().vkCreateComputePipelines(m_context.device, VK_NULL_HANDLE, 1, &info, nullptr,
                                                              &pipeline.pipeline);
        r != VK_SUCCESS)
        return vkFailure(("vkCreateComputePipelines (" + std::string(shader) + ")").c_str(), r);
    m_pipelines.emplace(std::move(key), pipeline);
    *out = pipeline;
    return Status::ok();
}

Status VulkanPipelineCache::shaderModule(std::string_view shader, ShaderVariant variant, std::uint32_t bufferCount,
                                         VkShaderModule *out)
{
    const std::string name = std::string(shader) + "/" + variantName(variant);
    const SpirvModule spirv = findSpirv(shader, variant);
    if (!spirv.code) {
        if (!findSpirv(shader, ShaderVariant::Plain).code)
            return Status::error("vulkan: no shader named \"" + std::string(shader)
                                 + "\" (expected engine/vulkan/shaders/" + std::string(shader) + ".comp)");
        return Status::error("vulkan: shader \"" + std::string(shader) + "\" has no " + variantName(variant)
                             + " variant");
    }
    if (const std::uint32_t declared = spirvBindingCount(spirv); declared > bufferCount)
        return Status::error("vulkan: shader \"" + std::string(shader) + "\" declares " + std::to_string(declared)
                             + " storage buffers, the dispatch gave " + std::to_string(bufferCount));
    if (auto found = m_modules.find(name); found != m_modules.end()) {
        *out = found->second;
        return Status::ok();
    }
    std::vector<std::uint32_t> patched;
    VkShaderModuleCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    info.codeSize = spirv.sizeBytes;
    info.pCode = spirv.code;
    if (m_denormPreserve) {
        patched = spirvWithDenormPreserve(spirv);
        info.codeSize = patched.size() * sizeof(std::uint32_t);
        info.pCode = patched.data();
    }
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = m_context.api().vkCreateShaderModule(m_context.device, &info, nullptr, &module);
        r != VK_SUCCESS)
        return vkFailure("vkCreateShaderModule", r);
    m_modules.emplace(name, module);
    *out = module;
    return Status::ok();
}

Status VulkanPipelineCache::setLayout(std::uint32_t bufferCount, VkDescriptorSetLayout *setLayout,
                                      VkPipelineLayout *layout)
{
    if (auto found = m_layouts.find(bufferCount); found != m_layouts.end()) {
        *setLayout = found->second.setLayout;
        *layout = found->second.layout;
        return Status::ok();
    }
    const VulkanApi &api = m_context.api();
    std::vector<VkDescriptorSetLayoutBinding> bindings(bufferCount);
    for (std::uint32_t i = 0; i < bufferCount; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    Layout created;
    VkDescriptorSetLayoutCreateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setInfo.bindingCount = bufferCount;
    setInfo.pBindings = bindings.data();
    if (VkResult r = api.vkCreateDescriptorSetLayout(m_context.device, &setInfo, nullptr, &created.setLayout);
        r != VK_SUCCESS)
        return vkFailure("vkCreateDescriptorSetLayout", r);

    VkPushConstantRange pushRange{};
    pushRange.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    pushRange.size = kMaxPushConstantBytes;
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &created.setLayout;
    layoutInfo.pushConstantRangeCount = 1;
    layoutInfo.pPushConstantRanges = &pushRange;
    if (VkResult r = api.vkCreatePipelineLayout(m_context.device, &layoutInfo, nullptr, &created.layout);
        r != VK_SUCCESS) {
        api.vkDestroyDescriptorSetLayout(m_context.device, created.setLayout, nullptr);
        return vkFailure("vkCreatePipelineLayout", r);
    }
    m_layouts.emplace(bufferCount, created);
    *setLayout = created.setLayout;
    *layout = created.layout;
    return Status::ok();
}

} // namespace tributary::engine
