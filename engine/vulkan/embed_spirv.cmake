# Embeds a SPIR-V binary in C++ as a function returning its 32-bit words.
#   cmake -DINPUT=<file.spv> -DOUTPUT=<file.cpp> -DFUNCTION=<name> -P embed_spirv.cmake
# SPIR-V is a stream of little-endian words; emitting words (not bytes) keeps the array
# aligned for VkShaderModuleCreateInfo::pCode without casts.

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR remainder "${hexLength} % 8")
if(hexLength EQUAL 0 OR NOT remainder EQUAL 0)
  message(FATAL_ERROR "${INPUT} is not a SPIR-V module (size not a multiple of 4 bytes)")
endif()

string(REGEX MATCHALL "........" words "${hex}")
set(body "")
set(column 0)
foreach(word IN LISTS words)
  string(SUBSTRING "${word}" 0 2 b0)
  string(SUBSTRING "${word}" 2 2 b1)
  string(SUBSTRING "${word}" 4 2 b2)
  string(SUBSTRING "${word}" 6 2 b3)
  string(APPEND body "0x${b3}${b2}${b1}${b0}u,")
  math(EXPR column "${column} + 1")
  if(column EQUAL 8)
    string(APPEND body "\n        ")
    set(column 0)
  else()
    string(APPEND body " ")
  endif()
endforeach()

get_filename_component(inputName "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp" "// Generated from ${inputName} by embed_spirv.cmake. Do not edit.
#include \"engine/vulkan/vulkan_shaders.h\"

namespace tributary::engine {

SpirvModule ${FUNCTION}()
{
    static constexpr std::uint32_t kWords[] = {
        ${body}
    };
    return {kWords, sizeof kWords};
}

} // namespace tributary::engine
")
# Only touch the output when it changed, so an unchanged shader does not relink.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
