#pragma once

// The ops `tributary-bench engine` measures: gemm (gemm_bench.h), conv2d (conv_bench.h)
// and train_step (training_step_bench.h). Adding one is
// one function with the OpBenchmarkFunction signature plus one line in opBenchmarks()
// (op_benchmark.cpp). The function loops over the targets and sizes it cares about,
// times the engine and its reference with timeRepeated() (timing.h), checks the result
// against the CPU backend, and hands each point to the reporter.

#include "bench/bench_target.h"
#include "bench/reporter.h"

#include <span>
#include <vector>

namespace tributary::bench {

struct EngineBenchOptions {
    std::vector<int> sizes = { 256, 512, 1024, 2048, 4096 };
    bool sizesGiven = false; // the user listed sizes: measure them even on slow devices
    int repeat = 5; // timed runs per point, after one warm-up run
    // A point whose estimated time (from the previous size, scaled by the op's cost)
    // exceeds this, warm-up included, is skipped with a note.
    double maxSecondsPerPoint = 120.0;
    // Time single-threaded CPU points (engine and OpenBLAS both run on the calling thread)
    // in thread CPU time, so that other work on a shared machine does not count. Points
    // that use other threads or a GPU are always timed on the wall clock.
    bool cpuTime = false;
    // Conv2d: images per batch (--batch). Software devices use kSoftwareConvBatch unless
    // the user gave a batch: lavapipe runs these shapes at about 0.1 GFLOP/s.
    int convBatch = 32;
    bool convBatchGiven = false;
};

// The conv2d batch on software devices (lavapipe) unless --batch asks for another.
inline constexpr int kSoftwareConvBatch = 2;

struct OpBenchContext {
    const EngineBenchOptions &options;
    std::vector<BenchTarget> &targets;
    Reporter &reporter;
};

// Returns the number of failures (runs that returned an error, results that differ).
using OpBenchmarkFunction = int (*)(OpBenchContext &context);

struct OpBenchmark {
    const char *name; // "gemm": the `op` field of the results and the --op value
    OpBenchmarkFunction run;
};

std::span<const OpBenchmark> opBenchmarks();

} // namespace tributary::bench
