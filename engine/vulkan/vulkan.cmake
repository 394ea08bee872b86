# Vulkan backend wiring, included from engine/CMakeLists.txt.
#
# TRIBUTARY_VULKAN=AUTO builds the backend when the Vulkan headers and glslc are found,
# ON requires them, OFF skips it. The loader itself is not linked: vulkan_api.cpp loads
# libvulkan.so.1 at run time, so the engine runs (and reports Vulkan unavailable) where
# there is none.

set(tributary_vulkan_enabled OFF)
if(NOT TRIBUTARY_VULKAN STREQUAL "OFF")
  find_package(Vulkan QUIET)
  set(tributary_glslc "${Vulkan_GLSLC_EXECUTABLE}")
  if(NOT tributary_glslc)
    find_program(TRIBUTARY_GLSLC_EXECUTABLE glslc)
    set(tributary_glslc "${TRIBUTARY_GLSLC_EXECUTABLE}")
  endif()
  if(TARGET Vulkan::Headers AND tributary_glslc)
    set(tributary_vulkan_enabled ON)
  elseif(TRIBUTARY_VULKAN STREQUAL "ON")
    message(FATAL_ERROR "TRIBUTARY_VULKAN=ON but the Vulkan headers or glslc were not found "
                        "(Debian: libvulkan-dev glslc)")
  endif()
endif()

if(NOT tributary_vulkan_enabled)
  message(STATUS "Vulkan backend: disabled (TRIBUTARY_VULKAN=${TRIBUTARY_VULKAN})")
  target_sources(tributary_engine PRIVATE vulkan/vulkan_unavailable.cpp)
  return()
endif()
message(STATUS "Vulkan backend: enabled (glslc: ${tributary_glslc})")

# shader variant: <function name> <extra glslc flags>
set(shader_dir ${CMAKE_CURRENT_SOURCE_DIR}/vulkan/shaders)
set(spirv_dir ${CMAKE_CURRENT_BINARY_DIR}/spirv)
file(MAKE_DIRECTORY ${spirv_dir})
set(embedded_sources)
foreach(variant "gemm;gemmSpirv;" "gemm;gemmDenormPreserveSpirv;-DDENORM_PRESERVE" "gemm;gemmSoftFmaSpirv;-DSOFT_FMA")
  list(GET variant 0 shader)
  list(GET variant 1 function)
  list(GET variant 2 flags)
  set(spv ${spirv_dir}/${function}.spv)
  set(cpp ${spirv_dir}/${function}.cpp)
  add_custom_command(
    OUTPUT ${cpp}
    COMMAND ${tributary_glslc} --target-env=vulkan1.1 -O -Werror ${flags}
            -fshader-stage=compute ${shader_dir}/${shader}.comp -o ${spv}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${spv} -DOUTPUT=${cpp} -DFUNCTION=${function}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/vulkan/embed_spirv.cmake
    DEPENDS ${shader_dir}/${shader}.comp ${shader_dir}/soft_fma.glsl
            ${CMAKE_CURRENT_SOURCE_DIR}/vulkan/embed_spirv.cmake
    COMMENT "Compiling ${shader}.comp ${flags} to SPIR-V"
    VERBATIM)
  list(APPEND embedded_sources ${cpp})
endforeach()

target_sources(tributary_engine PRIVATE
  vulkan/vulkan_api.cpp
  vulkan/vulkan_backend.cpp
  vulkan/vulkan_backend_ops.cpp
  vulkan/vulkan_buffer.cpp
  vulkan/vulkan_device.cpp
  vulkan/vulkan_instance.cpp
  vulkan/vulkan_physical_device.cpp
  ${embedded_sources})
target_link_libraries(tributary_engine PRIVATE Vulkan::Headers ${CMAKE_DL_LIBS})
target_compile_definitions(tributary_engine PRIVATE TRIBUTARY_HAVE_VULKAN=1)
