#include "engine/vulkan/vulkan_shaders.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace tributary::engine {

namespace {

constexpr std::size_t kHeaderWords = 5;
constexpr std::uint32_t kOpExtension = 10;
constexpr std::uint32_t kOpEntryPoint = 15;
constexpr std::uint32_t kOpExecutionMode = 16;
constexpr std::uint32_t kOpCapability = 17;
constexpr std::uint32_t kOpDecorate = 71;
constexpr std::uint32_t kDecorationBinding = 33;
constexpr std::uint32_t kCapabilityDenormPreserve = 4464;
constexpr std::uint32_t kExecutionModeDenormPreserve = 4459;

std::uint32_t instruction(std::uint32_t opcode, std::size_t words)
{
    return static_cast<std::uint32_t>(words << 16) | opcode;
}

} // namespace

std::uint32_t spirvBindingCount(SpirvModule module)
{
    const std::size_t words = module.sizeBytes / sizeof(std::uint32_t);
    std::uint32_t count = 0;
    for (std::size_t at = kHeaderWords; at < words;) {
        const std::uint32_t length = module.code[at] >> 16;
        const std::uint32_t opcode = module.code[at] & 0xffffu;
        if (length == 0 || at + length > words)
            break; // malformed; glslc never writes this
        // OpDecorate <target> Binding <number>
        if (opcode == kOpDecorate && length >= 4 && module.code[at + 2] == kDecorationBinding)
            count = std::max(count, module.code[at + 3] + 1);
        at += length;
    }
    return count;
}

std::vector<std::uint32_t> spirvWithDenormPreserve(SpirvModule module)
{
    const std::size_t words = module.sizeBytes / sizeof(std::uint32_t);
    std::vector<std::uint32_t> out(module.code, module.code + words);
    if (words <= kHeaderWords)
        return out;
    // SPIR-V's layout is fixed: capabilities, extensions, imports, memory model, entry
    // points, execution modes, ... So the capability and the extension go before the
    // first instruction that is not a capability, the execution mode after the entry points.
    std::vector<std::uint32_t> patched(module.code, module.code + kHeaderWords);
    bool capabilityAdded = false;
    bool modeAdded = false;
    std::uint32_t entryPoint = 0;
    bool sawEntryPoint = false;
    for (std::size_t at = kHeaderWords; at < words;) {
        const std::uint32_t length = module.code[at] >> 16;
        const std::uint32_t opcode = module.code[at] & 0xffffu;
        if (length == 0 || at + length > words)
            return out; // malformed; glslc never writes this
        if (opcode == kOpCapability && length == 2 && module.code[at + 1] == kCapabilityDenormPreserve)
            return out; // already declared (a shader that asks for it itself)
        if (!capabilityAdded && opcode != kOpCapability) {
            patched.insert(patched.end(), {instruction(kOpCapability, 2), kCapabilityDenormPreserve});
            // "SPV_KHR_float_controls": 22 characters and a terminating zero, in 6 words.
            const char name[24] = "SPV_KHR_float_controls";
            std::uint32_t text[6] = {};
            std::memcpy(text, name, sizeof text);
            patched.push_back(instruction(kOpExtension, 7));
            patched.insert(patched.end(), std::begin(text), std::end(text));
            capabilityAdded = true;
        }
        if (sawEntryPoint && !modeAdded && opcode != kOpEntryPoint) {
            patched.insert(patched.end(),
                           {instruction(kOpExecutionMode, 4), entryPoint, kExecutionModeDenormPreserve, 32u});
            modeAdded = true;
        }
        if (opcode == kOpEntryPoint && length >= 3) {
            entryPoint = module.code[at + 2];
            sawEntryPoint = true;
        }
        patched.insert(patched.end(), module.code + at, module.code + at + length);
        at += length;
    }
    if (!capabilityAdded || !modeAdded)
        return out;
    return patched;
}

} // namespace tributary::engine
