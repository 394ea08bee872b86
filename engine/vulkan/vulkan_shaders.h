#pragma once

// The compute shaders, compiled from engine/vulkan/shaders/*.comp by glslc at build time
// and embedded (vulkan.cmake, embed_spirv.cmake): every file is built as the Plain and
// the SoftFma (-DSOFT_FMA) variant. A new .comp file is picked up at the next CMake run.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tributary::engine {

struct SpirvModule {
    const std::uint32_t *code = nullptr; // null when there is no such module
    std::size_t sizeBytes = 0;
};

enum class ShaderVariant {
    Plain = 1,   // fma() as the driver has it
    SoftFma = 2, // -DSOFT_FMA: fma emulated in integer arithmetic, exact anywhere
};

// The module of shader `name` (file stem, e.g. "gemm") in `variant`; code == null when
// there is no such shader or the shader has no such variant.
SpirvModule findSpirv(std::string_view name, ShaderVariant variant);

// The number of storage-buffer bindings in set 0 a module declares (highest binding + 1),
// read from its decorations; 0 for a module that declares none.
std::uint32_t spirvBindingCount(SpirvModule module);

// The module with the fp32 DenormPreserve execution mode added (SPV_KHR_float_controls:
// OpCapability DenormPreserve, OpExtension, OpExecutionMode <entry> DenormPreserve 32),
// as GL_EXT_spirv_intrinsics would declare it. On a device with
// VK_KHR_shader_float_controls and shaderDenormPreserveFloat32, every shader is loaded
// this way, so subnormals are IEEE whatever the driver's default (RADV flushes fp32
// subnormals unless asked). A module that already declares the capability is returned
// as it is.
std::vector<std::uint32_t> spirvWithDenormPreserve(SpirvModule module);

} // namespace tributary::engine
