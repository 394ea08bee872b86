#include "bench/op_benchmark.h"

#include "bench/conv_bench.h"
#include "bench/gemm_bench.h"
#include "bench/training_step_bench.h"

#include <array>

namespace tributary::bench {

std::span<const OpBenchmark> opBenchmarks()
{
    static constexpr std::array kOps = {
        OpBenchmark { "gemm", runGemmBenchmark },
        OpBenchmark { "conv2d", runConv2dBenchmark },
        OpBenchmark { "train_step", runTrainingStepBenchmark },
    };
    return kOps;
}

} // namespace tributary::bench
