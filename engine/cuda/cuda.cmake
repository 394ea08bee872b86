# CUDA backend wiring, included from engine/CMakeLists.txt.
#
# TRIBUTARY_CUDA=AUTO builds the backend when nvcc works (CMAKE_CUDA_COMPILER, CUDACXX,
# PATH, or /usr/local/cuda/bin/nvcc), ON requires it, OFF skips it. The CUDA runtime is
# linked statically and never libcuda itself: the runtime loads the driver at run time,
# so the engine starts on machines without an NVIDIA driver and reports CUDA unavailable.

set(tributary_cuda_enabled OFF)
if(NOT TRIBUTARY_CUDA STREQUAL "OFF")
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(ENV{CUDACXX} /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(tributary_cuda_enabled ON)
  elseif(TRIBUTARY_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TRIBUTARY_CUDA=ON but no working nvcc was found "
                        "(set CMAKE_CUDA_COMPILER or CUDACXX)")
  endif()
endif()

if(NOT tributary_cuda_enabled)
  message(STATUS "CUDA backend: disabled (TRIBUTARY_CUDA=${TRIBUTARY_CUDA})")
  target_sources(tributary_engine PRIVATE cuda/cuda_unavailable.cpp)
  return()
endif()

# Turing (7.5) to Blackwell (12.0) as machine code, plus PTX for later GPUs.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "75-real;80-real;86-real;89-real;90-real;100-real;120-real;120-virtual")
endif()
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)
message(STATUS "CUDA backend: enabled (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, "
               "architectures ${CMAKE_CUDA_ARCHITECTURES})")

add_library(tributary_engine_cuda STATIC
  cuda/cublas_library.cpp
  cuda/cuda_backend.cpp
  cuda/cuda_backend_cublas.cpp
  cuda/cuda_backend_ops.cpp
  cuda/cuda_device.cpp
  cuda/cuda_exact_probe.cu
  cuda/cuda_gemm_kernel.cu
  cuda/cuda_tensor_buffer.cpp
  cuda/ops/cuda_elementwise.cu
  cuda/ops/cuda_layout.cu
  cuda/ops/cuda_linear.cu
  cuda/ops/cuda_optimizer.cu
  cuda/ops/cuda_reduce.cu)
target_include_directories(tributary_engine_cuda PUBLIC ${CMAKE_SOURCE_DIR})
# .cu files include engine headers written in C++20 (std::span, defaulted operator==).
# CMake 3.25 knows nvcc's flags only up to C++17, and an unset CUDA_STANDARD falls back
# to CXX_STANDARD (20), so tell it the flag nvcc ≥ 12 takes for C++20.
if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
set_target_properties(tributary_engine_cuda PROPERTIES
  CUDA_STANDARD 20
  CUDA_STANDARD_REQUIRED ON
  # The runtime is linked explicitly below, once, as the static library.
  CUDA_RUNTIME_LIBRARY None)
# Exact mode: no contraction of a*b+c anywhere; the kernel calls __fmaf_rn explicitly.
# Subnormals stay IEEE (nvcc's default -ftz=false; never --use_fast_math).
target_compile_options(tributary_engine_cuda PRIVATE
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false -ftz=false -Xcompiler=-ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)
# The backend uses checkGemmArguments and checkExactMode from tributary_engine, which in
# turn calls into this library: a cycle CMake resolves for static libraries.
# cuBLAS (fast mode) is loaded with dlopen: only its headers are used at build time.
target_link_libraries(tributary_engine_cuda PUBLIC CUDA::cudart_static ${CMAKE_DL_LIBS} PRIVATE tributary_engine)
tributary_warnings(tributary_engine_cuda)

target_link_libraries(tributary_engine PRIVATE tributary_engine_cuda)
