#pragma once

// BenchTarget: one backend instance to measure, with what it is compared against.
//
// makeBenchTargets() opens, in this order: the CPU backend on N threads (--threads,
// default every hardware thread) and again on one thread, then every available Vulkan
// device, then every available CUDA device, filtered by --backend. Each gets its peak
// (where known) and its GEMM reference. --cpu-kernel all repeats the CPU targets once per
// micro-kernel the CPU supports.
//   CPU                     OpenBLAS with the same thread count
//   CUDA device             cuBLAS on the same device
//   Vulkan on NVIDIA        cuBLAS on the CUDA device with the same name
//   Vulkan, software (lavapipe)  OpenBLAS on every CPU thread: the hardware it runs on
//   Vulkan, other GPUs      none (no vendor GEMM the bench can load)

#include "bench/cpu_peak.h"
#include "bench/gemm_reference.h"
#include "bench/reporter.h"

#include "engine/backend.h"
#include "engine/engine.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tributary::bench {

struct BenchTarget {
    engine::DeviceInfo device; // the device as opened (computeUnits = threads for the CPU)
    std::unique_ptr<engine::Backend> backend;
    int threads = 0; // CPU threads; 0 on GPUs
    std::string kernel; // CPU micro-kernel ("avx512f", "avx2+fma", "portable"); empty on GPUs
    std::optional<double> peakGflops;
    // Largest size measured unless the user lists sizes (--sizes): software devices are
    // too slow for the large default sizes. 0: no cap.
    int defaultMaxSize = 0;

    std::unique_ptr<GemmReference> gemmReference; // null when there is none
    std::string noGemmReferenceReason;
};

struct TargetOptions {
    std::string backendFilter = "all"; // "cpu", "vulkan", "cuda" or "all"
    int cpuThreads = 0; // 0: every hardware thread
    std::string cpuKernel; // empty: the best one; "all": each this CPU runs; or a name
    int softwareMaxSize = 1024;
};

// Names of the CPU micro-kernels this CPU runs, fastest first (for --cpu-kernel).
std::vector<std::string> cpuKernelNames();

// Opens the targets; devices that fail to open are reported as warnings and left out.
std::vector<BenchTarget> makeBenchTargets(
    const engine::Engine &engine, const CpuPeak &cpuPeak, const TargetOptions &options, Reporter &reporter);

// "cpu:0 avx512f (2 threads)", "vulkan:0" — for notes and warnings.
std::string targetLabel(const BenchTarget &target);

} // namespace tributary::bench
