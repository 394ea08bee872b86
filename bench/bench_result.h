#pragma once

// BenchResult: one measured point (an op, a device, a shape), as every reporter prints it.

#include <optional>
#include <string>

namespace tributary::bench {

struct BenchResult {
    std::string op; // "gemm", "conv2d", "train_step"
    std::string backend; // "cpu", "vulkan", "cuda"
    std::string deviceId; // "cpu:0", "vulkan:1"
    std::string device; // the device's name
    bool softwareDevice = false; // a CPU implementation of a GPU API (lavapipe)
    // "4096x4096x4096" (m x n x k for GEMM), "32x3x32x32 -> 32x64x32x32 k3x3 pad1" (conv2d),
    // "mlp 784-64-10 batch 100" (train_step)
    std::string shape;
    int threads = 0; // CPU threads; 0 on GPUs (null in JSON)
    std::string kernel; // CPU micro-kernel; empty on GPUs (null in JSON)
    std::string clock; // "wall" or "thread-cpu" (--cpu-time, single-threaded CPU only)
    double seconds = 0; // median over the timed runs (per step for train_step)
    double gflops = 0;
    std::optional<double> stepsPerSecond; // train_step only (null in JSON elsewhere)
    std::optional<double> peakPercent;

    // "openblas", "cublas", "openblas-im2col", "cpu-exact" (the engine's CPU backend),
    // "cuda-exact" (the engine's CUDA backend, on Vulkan rows of the same GPU); empty when
    // there is none (null in JSON)
    std::string reference;
    std::optional<double> referenceSeconds;
    std::optional<double> referenceGflops;
    std::optional<double> referenceKernelGflops; // on-device time only, where known (cuBLAS)
    std::optional<double> ratio; // engine GFLOP/s ÷ reference GFLOP/s

    std::string check; // "bitwise" (the whole result vs the CPU backend) or "sample" (vs the naive chain)
    bool correct = true;
    std::string checkDetail; // the first mismatch when !correct
};

} // namespace tributary::bench
