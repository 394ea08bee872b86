#pragma once

// CUDA discovery and backend creation. This header has no CUDA types, so the engine
// compiles the same whether or not the CUDA backend is built (cuda_unavailable.cpp
// implements both functions when it is not).
//
// The CUDA runtime is linked statically and loads the driver (libcuda.so.1) itself at
// run time, so a machine without an NVIDIA driver simply reports CUDA as unavailable.

#include "engine/backend.h"
#include "engine/device_info.h"

#include <memory>
#include <string>
#include <vector>

namespace tributary::engine {

// One entry per CUDA device ("cuda:0", "cuda:1", … by CUDA ordinal), or a single
// unavailable entry with id "cuda" that says why there are none ("no NVIDIA driver found",
// "no CUDA device found", "built without CUDA support", or the runtime's message).
std::vector<DeviceInfo> probeCudaDevices();

// Opens a backend on a device returned by probeCudaDevices(), in `mode` (backend.h).
// Returns null and sets *error on failure.
std::unique_ptr<Backend> openCudaBackend(const DeviceInfo &device, ExecutionMode mode, std::string *error);

} // namespace tributary::engine
