#pragma once

// The CPU's theoretical fp32 peak, for the "% of peak" column:
//   peak = physical cores × clock × FLOPs per cycle per core
// FLOPs per cycle follow from the widest FMA the CPU has, assuming two FMA units per core
// (AVX-512: 2 × 16 lanes × 2 = 64; AVX2+FMA: 32; AVX without FMA: 16; SSE: 8). Parts with
// one 512-bit unit or 256-bit halves (Zen 4, some Xeon Silver) reach half the AVX-512 figure.
//
// The clock is the highest of: cpufreq's cpuinfo_max_freq (the boost limit, when the
// kernel exposes it), /proc/cpuinfo "cpu MHz", and a short measurement (a chain of
// dependent integer adds, one per cycle, timed in thread CPU time). Virtual machines often list only the
// nominal clock while the core boosts above it; a peak below what the core really runs at would give
// percentages above 100.

#include <optional>
#include <string>

namespace tributary::bench {

struct CpuPeak {
    int physicalCores = 0;
    int flopsPerCycle = 0; // per core, fp32; 0 when unknown
    std::string isa; // what flopsPerCycle was derived from: "avx512f", "avx2+fma"
    double listedClockGhz = 0; // from cpufreq or /proc/cpuinfo; 0 when neither says
    std::string listedSource; // "cpuinfo_max_freq", "/proc/cpuinfo cpu MHz"
    double measuredClockGhz = 0; // 0 when not measured (not x86-64)
    double clockGhz = 0; // the clock the peak uses; 0 when unknown
    std::string clockSource; // which of the above it is

    // Peak GFLOP/s for a number of threads (at most one per physical core counts), or
    // nothing when the clock or the ISA is unknown.
    std::optional<double> gflops(int threads) const;
    // One line for the report header: "2.096 GHz (/proc/cpuinfo cpu MHz) …".
    std::string describe() const;
};

// Reads /sys and /proc and measures the clock (about 0.2 s on one core).
CpuPeak probeCpuPeak();

} // namespace tributary::bench
