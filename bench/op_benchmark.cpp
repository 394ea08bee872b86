#include "bench/op_benchmark.h"

#include "bench/gemm_bench.h"

#include <array>

namespace tributary::bench {

std::span<const OpBenchmark> opBenchmarks()
{
    static constexpr std::array kOps = {
        OpBenchmark { "gemm", runGemmBenchmark },
    };
    return kOps;
}

} // namespace tributary::bench
