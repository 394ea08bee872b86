// Built when OpenBLAS was found at configure time (engine/CMakeLists.txt).

#include "engine/cpu/cpu_fast_gemm.h"

#include <cblas.h>

namespace tributary::engine {

bool cpuFastGemmAvailable(std::string *description)
{
    if (description)
        *description = std::string("GEMM, Gemm, MatMul and the convolutions through OpenBLAS cblas_sgemm (")
            + openblas_get_config() + ", core " + openblas_get_corename() + ")";
    return true;
}

Status cpuFastGemm(
    std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape, int threads)
{
    // The thread count is OpenBLAS's process-wide setting: set it on every call, since
    // backends with different counts may take turns.
    openblas_set_num_threads(threads);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, shape.m, shape.n, shape.k, 1.0f, a.data(), shape.k,
        b.data(), shape.n, 0.0f, c.data(), shape.n);
    return Status::ok();
}

} // namespace tributary::engine
