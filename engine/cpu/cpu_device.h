#pragma once

// Describes the CPU the engine runs on: model name and vendor (from /proc/cpuinfo on
// Linux), hardware threads, system memory and the ISA features the GEMM kernels use.

#include "engine/device_info.h"

namespace tributary::engine {

// The single CPU device, id "cpu:0". Always available.
DeviceInfo probeCpuDevice();

} // namespace tributary::engine
