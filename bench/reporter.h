#pragma once

// Reporter: where a benchmark's output goes. The table reporter prints a Markdown table
// (aligned, pipe-separated, ready to paste into docs/PERFORMANCE.md) with notes and
// warnings as lines of their own; the JSON reporter prints one object per result on
// stdout and sends notes and warnings to stderr, so stdout stays machine-readable.
//
// JSON fields: op ("gemm", "conv2d", "train_step"), backend, device_id, device, software_device,
// shape, threads and kernel (null on GPUs), clock ("wall" or "thread-cpu"), seconds, gflops,
// steps_per_second (train_step; null otherwise), peak_percent, reference ("openblas", "cublas",
// "openblas-im2col", "cpu-exact", "cuda-exact" or null), reference_seconds, reference_gflops,
// reference_kernel_gflops, ratio, check, correct, check_detail.

#include "bench/bench_result.h"

#include <cstdio>
#include <memory>
#include <string>

namespace tributary::bench {

class Reporter {
public:
    virtual ~Reporter() = default;

    // Context before the results: machine, clocks, reference versions.
    virtual void info(const std::string &line) = 0;
    // Something the reader should know about what was (not) measured: a skipped size.
    virtual void note(const std::string &line) = 0;
    // Something wrong: a result that differs from the CPU backend, a failed run.
    virtual void warning(const std::string &line) = 0;
    virtual void result(const BenchResult &result) = 0;
};

std::unique_ptr<Reporter> makeTableReporter(std::FILE *out);
std::unique_ptr<Reporter> makeJsonReporter(std::FILE *out, std::FILE *messages);

} // namespace tributary::bench
