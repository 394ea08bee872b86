#pragma once

// The compute shaders, compiled from engine/vulkan/shaders/*.comp by glslc at build time
// and embedded (see embed_spirv.cmake).

#include <cstddef>
#include <cstdint>

namespace tributary::engine {

struct SpirvModule {
    const std::uint32_t *code = nullptr;
    std::size_t sizeBytes = 0;
};

// gemm.comp with the driver's default float behaviour.
SpirvModule gemmSpirv();
// gemm.comp declaring DenormPreserve for fp32 (needs VK_KHR_shader_float_controls).
SpirvModule gemmDenormPreserveSpirv();
// gemm.comp with softFma (shaders/soft_fma.glsl): exact on any device, much slower.
SpirvModule gemmSoftFmaSpirv();

} // namespace tributary::engine
