#pragma once

// BenchResult: one measured point (an op, a device, a shape), as every reporter prints it.

#include <optional>
#include <string>

namespace tributary::bench {

struct BenchResult {
    std::string op; // "gemm"
    std::string backend; // "cpu", "vulkan", "cuda"
    std::string deviceId; // "cpu:0", "vulkan:1"
    std::string device; // the device's name
    bool softwareDevice = false; // a CPU implementation of a GPU API (lavapipe)
    std::string shape; // "4096x4096x4096" (m x n x k for GEMM)
    int threads = 0; // CPU threads; 0 on GPUs (null in JSON)
    std::string kernel; // CPU micro-kernel; empty on GPUs (null in JSON)
    std::string clock; // "wall" or "thread-cpu" (--cpu-time, single-threaded CPU only)
    double seconds = 0; // median over the timed runs
    double gflops = 0;
    std::optional<double> peakPercent;

    std::string reference; // "openblas", "cublas"; empty when there is none (null in JSON)
    std::optional<double> referenceSeconds;
    std::optional<double> referenceGflops;
    std::optional<double> referenceKernelGflops; // on-device time only, where known (cuBLAS)
    std::optional<double> ratio; // engine GFLOP/s ÷ reference GFLOP/s

    std::string check; // "bitwise" (whole C vs the CPU backend) or "sample" (vs the naive chain)
    bool correct = true;
    std::string checkDetail; // the first mismatch when !correct
};

} // namespace tributary::bench
