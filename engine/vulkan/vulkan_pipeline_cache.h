#pragma once

// VulkanPipelineCache: compute pipelines built on first use and kept for the backend's
// lifetime, keyed by (shader, variant, specialization constants, buffer count). Shader
// modules, descriptor set layouts (one per buffer count) and pipeline layouts are shared
// among the pipelines that can share them. Every pipeline layout has one push-constant
// range of kMaxPushConstantBytes, the size every Vulkan device supports. With
// denormPreserve (a device with shaderDenormPreserveFloat32) every module is loaded with
// the DenormPreserve execution mode added (spirvWithDenormPreserve).

#include "engine/status.h"
#include "engine/vulkan/vulkan_context.h"
#include "engine/vulkan/vulkan_shaders.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::engine {

constexpr std::uint32_t kMaxPushConstantBytes = 128;
constexpr std::uint32_t kMaxDispatchBuffers = 16;

struct VulkanPipeline {
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
};

class VulkanPipelineCache {
public:
    VulkanPipelineCache(const VulkanContext &context, bool denormPreserve)
        : m_context(context), m_denormPreserve(denormPreserve)
    {
    }
    ~VulkanPipelineCache();

    VulkanPipelineCache(const VulkanPipelineCache &) = delete;
    VulkanPipelineCache &operator=(const VulkanPipelineCache &) = delete;

    // The pipeline for this key, created when it is new. Fails when there is no such
    // shader/variant, when the shader declares more storage buffers than `bufferCount`,
    // or when Vulkan fails.
    Status get(std::string_view shader, ShaderVariant variant, std::span<const std::uint32_t> specialization,
               std::uint32_t bufferCount, VulkanPipeline *out);

    // How many pipelines have been created: for tests that check reuse.
    std::size_t pipelineCount() const { return m_pipelines.size(); }

private:
    Status setLayout(std::uint32_t bufferCount, VkDescriptorSetLayout *setLayout, VkPipelineLayout *layout);
    Status shaderModule(std::string_view shader, ShaderVariant variant, std::uint32_t bufferCount,
                        VkShaderModule *out);

    struct Layout {
        VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
        VkPipelineLayout layout = VK_NULL_HANDLE;
    };

    const VulkanContext &m_context;
    bool m_denormPreserve;
    std::map<std::string, VkShaderModule, std::less<>> m_modules; // "<shader>/<variant>"
    std::map<std::uint32_t, Layout> m_layouts;                     // by buffer count
    std::map<std::vector<std::uint32_t>, VulkanPipeline> m_pipelines; // by encoded key
};

} // namespace tributary::engine
