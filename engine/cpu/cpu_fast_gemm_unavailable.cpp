// Built when OpenBLAS was not found at configure time: fast mode on the CPU is exact mode.

#include "engine/cpu/cpu_fast_gemm.h"

namespace tributary::engine {

bool cpuFastGemmAvailable(std::string *description)
{
    if (description)
        *description = "none: the engine was built without OpenBLAS, fast mode computes as exact mode";
    return false;
}

Status cpuFastGemm(std::span<const float>, std::span<const float>, std::span<float>, GemmShape, int)
{
    return Status::error("cpu: fast GEMM: the engine was built without OpenBLAS");
}

} // namespace tributary::engine
