#include "bench/cpu_peak.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tributary::bench {

namespace {

// All values of the "key : value" lines of /proc/cpuinfo with this key.
std::vector<std::string> cpuinfoValues(const std::string &key)
{
    std::vector<std::string> values;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
            name.pop_back();
        if (name != key)
            continue;
        const auto start = line.find_first_not_of(" \t", colon + 1);
        values.push_back(start == std::string::npos ? std::string() : line.substr(start));
    }
    return values;
}

int physicalCoreCount()
{
    const auto packages = cpuinfoValues("physical id");
    const auto cores = cpuinfoValues("core id");
    std::set<std::pair<std::string, std::string>> unique;
    for (std::size_t i = 0; i < std::min(packages.size(), cores.size()); ++i)
        unique.emplace(packages[i], cores[i]);
    if (!unique.empty())
        return static_cast<int>(unique.size());
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void listedClock(CpuPeak *peak)
{
    std::ifstream maxFreq("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    double kHz = 0;
    if (maxFreq >> kHz && kHz > 0) {
        peak->listedClockGhz = kHz / 1e6;
        peak->listedSource = "cpuinfo_max_freq";
        return;
    }
    double highestMHz = 0;
    for (const std::string &value : cpuinfoValues("cpu MHz"))
        highestMHz = std::max(highestMHz, std::atof(value.c_str()));
    if (highestMHz > 0) {
        peak->listedClockGhz = highestMHz / 1e3;
        peak->listedSource = "/proc/cpuinfo cpu MHz";
    }
}

#if defined(__x86_64__)
double threadCpuSeconds()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// A chain of dependent adds retires one per cycle on every x86-64 core of the last 15
// years; the loop counter runs alongside. Timed in thread CPU time, so time the core
// spends on other processes does not count; best of a few rounds, after the core has had
// a moment under load to leave its idle clock.
double measureClockGhz()
{
    constexpr long kIterations = 20'000'000;
    double best = 0;
    for (int round = 0; round < 5; ++round) {
        std::uint64_t x = 0;
        const double start = threadCpuSeconds();
        for (long i = 0; i < kIterations; ++i)
            __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
        const double seconds = threadCpuSeconds() - start;
        if (seconds > 0)
            best = std::max(best, 4.0 * kIterations / seconds / 1e9);
    }
    return best;
}
#else
double measureClockGhz()
{
    return 0;
}
#endif

void isaThroughput(CpuPeak *peak)
{
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f")) {
        peak->flopsPerCycle = 64;
        peak->isa = "avx512f";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        peak->flopsPerCycle = 32;
        peak->isa = "avx2+fma";
    } else if (__builtin_cpu_supports("avx")) {
        peak->flopsPerCycle = 16;
        peak->isa = "avx";
    } else {
        peak->flopsPerCycle = 8;
        peak->isa = "sse";
    }
#else
    (void)peak; // unknown ISA: no peak
#endif
}

std::string formatGhz(double ghz)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3f GHz", ghz);
    return text;
}

} // namespace

std::optional<double> CpuPeak::gflops(int threads) const
{
    if (clockGhz <= 0 || flopsPerCycle <= 0)
        return std::nullopt;
    return std::min(threads, physicalCores) * clockGhz * flopsPerCycle;
}

std::string CpuPeak::describe() const
{
    std::string text = "clock ";
    text += clockGhz > 0 ? formatGhz(clockGhz) + " (" + clockSource + ")" : std::string("n/a");
    if (clockSource != listedSource && listedClockGhz > 0)
        text += "; " + listedSource + " lists " + formatGhz(listedClockGhz);
    if (measuredClockGhz > 0 && clockSource != "measured")
        text += "; measured " + formatGhz(measuredClockGhz);
    text += "; " + std::to_string(physicalCores) + " physical cores; ";
    if (flopsPerCycle > 0)
        text += std::to_string(flopsPerCycle) + " FLOP/cycle/core (" + isa + ", 2 FMA units assumed)";
    else
        text += "FLOP/cycle n/a";
    const auto perCore = gflops(1);
    char peakText[64];
    if (perCore)
        std::snprintf(peakText, sizeof peakText, "; peak %.1f GFLOP/s per core", *perCore);
    else
        std::snprintf(peakText, sizeof peakText, "; peak n/a");
    return text + peakText;
}

CpuPeak probeCpuPeak()
{
    CpuPeak peak;
    peak.physicalCores = physicalCoreCount();
    isaThroughput(&peak);
    listedClock(&peak);
    peak.measuredClockGhz = measureClockGhz();
    if (peak.measuredClockGhz > peak.listedClockGhz) {
        peak.clockGhz = peak.measuredClockGhz;
        peak.clockSource = "measured";
    } else if (peak.listedClockGhz > 0) {
        peak.clockGhz = peak.listedClockGhz;
        peak.clockSource = peak.listedSource;
    }
    return peak;
}

} // namespace tributary::bench
