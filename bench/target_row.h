#pragma once

// What the op benchmarks share beyond timing: a result row's common fields, the clock a
// target is timed on, and which target is the CPU backend in its default configuration
// (every hardware thread, the fastest micro-kernel), whose figure is the "cpu-exact"
// reference of ops that have no vendor library to compare with.

#include "bench/bench_result.h"
#include "bench/bench_target.h"
#include "bench/op_benchmark.h"
#include "bench/reporter.h"
#include "bench/timing.h"

#include "engine/backend.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tributary::bench {

// The `reference` of rows compared with the CPU backend in its default configuration.
inline constexpr const char *kCpuExactReference = "cpu-exact";

// A row for `target` with op, backend, device, shape, threads, kernel and clock filled.
BenchResult resultRowFor(
    const BenchTarget &target, const std::string &op, const std::string &shape, Clock clock);

// Thread CPU time for single-threaded CPU targets under --cpu-time, else the wall clock.
Clock clockFor(const BenchTarget &target, const EngineBenchOptions &options);

// Whether `target` is the CPU backend on every hardware thread with the fastest kernel:
// the configuration makeDefaultCpuBackend() opens.
bool isDefaultCpuTarget(const BenchTarget &target);

// The CPU backend as the "cpu-exact" reference runs it.
std::unique_ptr<engine::Backend> makeDefaultCpuBackend();

// The CPU backend as the correctness checks run it: every hardware thread, the portable
// std::fma micro-kernel, so that no SIMD kernel checks itself.
std::unique_ptr<engine::Backend> makeCheckerCpuBackend();

// Reports the "cuda-exact" rows of vulkanAgainstCudaRows() (cross_backend.h) for the rows
// of one op measured on `targets`.
void reportVulkanAgainstCuda(
    const std::vector<BenchTarget> &targets, std::span<const BenchResult> results, Reporter &reporter);

} // namespace tributary::bench
