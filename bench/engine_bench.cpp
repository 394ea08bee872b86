#include "bench/engine_bench.h"

#include "bench/bench_target.h"
#include "bench/cpu_peak.h"
#include "bench/op_benchmark.h"
#include "bench/reporter.h"
#include "bench/subcommand.h"

#include "engine/engine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <string>

namespace tributary::bench {

namespace {

constexpr const char *kUsage = R"(usage: tributary-bench engine [options]

Times the engine's ops in exact mode on every available backend: the CPU on all threads
and on one, each Vulkan device and each CUDA device.
  gemm        C = A·B, fp32, at square sizes (--sizes); reference OpenBLAS on the CPU with
              the same thread count, cuBLAS on NVIDIA GPUs
  conv2d      four CNN layer shapes at batch --batch, tensors on the device; reference
              im2col + OpenBLAS on the CPU, the engine's CPU backend ("cpu-exact") elsewhere
  train_step  one step of the Fashion-MNIST MLP (784-64-10, batch 100, SGD momentum),
              state on the device; reference "cpu-exact"
Each point is the median of --repeat runs after a warm-up, with GFLOP/s, % of the
device's peak and the reference measured in the same run. Vulkan on an NVIDIA GPU that is
also a CUDA device gets extra rows against the engine's CUDA backend ("cuda-exact").
Every result is checked against the CPU backend.

options:
  --json               one JSON object per result on stdout (notes go to stderr)
  --sizes LIST         comma-separated sizes (default 256,512,1024,2048,4096); sizes
                       listed here are measured on software devices too (otherwise they
                       stop at 1024)
  --threads N          CPU threads of the multi-threaded run (default: all hardware threads)
  --cpu-kernel K       CPU micro-kernel: all, or one of those listed in the header
                       (default: the fastest this CPU runs)
  --cpu-ghz F          the CPU clock for % of peak, when the one found is wrong
  --batch N            conv2d images per batch (default 32; software devices use 2 unless
                       --batch is given)
  --quick              a short run: gemm sizes 256,512, conv2d batch 4, 3 timed runs
                       (--sizes, --batch and --repeat still override it)
  --repeat R           timed runs per point (default 5)
  --backend B          cpu, vulkan, cuda or all (default all)
  --op NAME            only this op (default: all; ops: gemm, conv2d, train_step)
  --max-seconds S      skip a point expected to take longer than S seconds (default 120)
  --cpu-time           time single-threaded CPU points (engine and OpenBLAS) in thread CPU
                       time instead of wall-clock time: steadier on a machine shared with
                       other work; the `clock` field says which was used
  -h, --help           this text

exit status: 0 when every run succeeded and matched the CPU backend, 1 otherwise, 2 for a
bad command line.
)";

struct ParsedOptions {
    EngineBenchOptions bench;
    TargetOptions targets;
    bool json = false;
    bool help = false;
    bool quick = false;
    bool repeatGiven = false;
    std::string op = "all";
    double cpuGhz = 0; // 0: found by probeCpuPeak()
};

bool parsePositive(const std::string &text, int *out)
{
    char *end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value <= 0 || value > 1'000'000)
        return false;
    *out = static_cast<int>(value);
    return true;
}

bool parseSizes(const std::string &text, std::vector<int> *sizes)
{
    sizes->clear();
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        int size = 0;
        if (!parsePositive(text.substr(start, comma - start), &size) || size > 65536)
            return false;
        sizes->push_back(size);
        start = comma + 1;
    }
    return !sizes->empty();
}

// Fills *options; returns an error message, or nothing on success.
std::optional<std::string> parseArguments(std::span<const std::string> args, ParsedOptions *options)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        std::optional<std::string> inlineValue;
        if (const auto equals = name.find('='); name.starts_with("--") && equals != std::string::npos) {
            inlineValue = name.substr(equals + 1);
            name.resize(equals);
        }
        auto value = [&]() -> std::optional<std::string> {
            if (inlineValue)
                return inlineValue;
            if (i + 1 < args.size())
                return args[++i];
            return std::nullopt;
        };
        if (name == "--json") {
            options->json = true;
        } else if (name == "--quick") {
            options->quick = true;
        } else if (name == "--batch") {
            const auto text = value();
            if (!text || !parsePositive(*text, &options->bench.convBatch) || options->bench.convBatch > 4096)
                return "--batch needs a number of images between 1 and 4096";
            options->bench.convBatchGiven = true;
        } else if (name == "--cpu-time") {
            options->bench.cpuTime = true;
        } else if (name == "-h" || name == "--help") {
            options->help = true;
        } else if (name == "--sizes") {
            const auto text = value();
            if (!text || !parseSizes(*text, &options->bench.sizes))
                return "--sizes needs a comma-separated list of sizes between 1 and 65536";
            options->bench.sizesGiven = true;
        } else if (name == "--threads") {
            const auto text = value();
            if (!text || !parsePositive(*text, &options->targets.cpuThreads))
                return "--threads needs a positive number";
        } else if (name == "--cpu-kernel") {
            const auto text = value();
            const auto names = cpuKernelNames();
            if (!text || (*text != "all" && std::find(names.begin(), names.end(), *text) == names.end()))
                return "--cpu-kernel needs all or a kernel this CPU runs";
            options->targets.cpuKernel = *text;
        } else if (name == "--cpu-ghz") {
            const auto text = value();
            char *end = nullptr;
            const double ghz = text ? std::strtod(text->c_str(), &end) : 0.0;
            if (!text || text->empty() || *end != '\0' || !(ghz > 0.0 && ghz < 100.0))
                return "--cpu-ghz needs a clock in GHz, e.g. 3.5";
            options->cpuGhz = ghz;
        } else if (name == "--repeat") {
            const auto text = value();
            if (!text || !parsePositive(*text, &options->bench.repeat))
                return "--repeat needs a positive number";
            options->repeatGiven = true;
        } else if (name == "--max-seconds") {
            const auto text = value();
            int seconds = 0;
            if (!text || !parsePositive(*text, &seconds))
                return "--max-seconds needs a positive number";
            options->bench.maxSecondsPerPoint = seconds;
        } else if (name == "--backend") {
            const auto text = value();
            engine::BackendKind kind {};
            if (!text || (*text != "all" && !engine::parseBackendName(*text, &kind)))
                return "--backend needs cpu, vulkan, cuda or all";
            options->targets.backendFilter = *text;
        } else if (name == "--op") {
            const auto text = value();
            bool known = text && *text == "all";
            for (const OpBenchmark &op : opBenchmarks())
                known = known || (text && *text == op.name);
            if (!known)
                return "--op needs one of the ops listed in --help, or all";
            options->op = *text;
        } else {
            return "unknown option \"" + args[i] + "\"";
        }
    }
    if (options->quick) {
        if (!options->bench.sizesGiven)
            options->bench.sizes = { 256, 512 };
        if (!options->bench.convBatchGiven)
            options->bench.convBatch = 4;
        if (!options->repeatGiven)
            options->bench.repeat = 3;
    }
    return std::nullopt;
}

std::string joined(const std::vector<std::string> &names)
{
    std::string text;
    for (const std::string &name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

// The 1-minute load average: other processes on the machine skew every number, and a
// reader of saved output should be able to tell.
std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    std::string oneMinute;
    return in >> oneMinute ? oneMinute : std::string("n/a");
}

void describeMachine(const engine::Engine &engine, const CpuPeak &peak,
    const std::vector<BenchTarget> &targets, const ParsedOptions &options, Reporter &reporter)
{
    for (const auto &found : engine.devices()) {
        // An opened GPU backend may say more than discovery did (e.g. "emulated fma").
        const engine::DeviceInfo *opened = &found;
        for (const BenchTarget &target : targets) {
            if (target.device.id == found.id && target.device.backend != engine::BackendKind::Cpu)
                opened = &target.device;
        }
        const engine::DeviceInfo &device = *opened;
        std::string line = device.id + ": " + device.name;
        if (!device.available) {
            reporter.info(line + ": unavailable: " + device.unavailableReason);
            continue;
        }
        if (device.backend == engine::BackendKind::Cpu)
            line += ", " + std::to_string(device.computeUnits) + " hardware threads";
        if (!device.features.empty())
            line += ", " + device.features;
        if (device.isSoftware)
            line += ", software device";
        reporter.info(line);
    }
    reporter.info("cpu peak: " + peak.describe());
    reporter.info(
        "cpu kernels: " + joined(cpuKernelNames()) + "; load average before the run: " + loadAverage());
    std::set<std::string> described;
    for (const BenchTarget &target : targets) {
        if (target.gemmReference && described.insert(target.gemmReference->describe()).second)
            reporter.info("reference: " + target.gemmReference->describe());
    }
    std::string sizes;
    for (const int size : options.bench.sizes)
        sizes += (sizes.empty() ? std::string() : std::string(",")) + std::to_string(size);
    std::string batch = std::to_string(options.bench.convBatch);
    if (!options.bench.convBatchGiven && options.bench.convBatch > kSoftwareConvBatch)
        batch += " (" + std::to_string(kSoftwareConvBatch) + " on software devices)";
    reporter.info("gemm sizes " + sizes + "; conv2d batch " + batch + "; median of "
        + std::to_string(options.bench.repeat)
        + " runs after one warm-up; GFLOP/s = counted FLOPs/s (gemm 2mnk)");
}

} // namespace

int runEngineBench(std::span<const std::string> args)
{
    ParsedOptions options;
    if (const auto error = parseArguments(args, &options)) {
        std::fprintf(stderr, "tributary-bench engine: %s\n\n%s", error->c_str(), kUsage);
        return kExitUsage;
    }
    if (options.help) {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }

    auto reporter = options.json ? makeJsonReporter(stdout, stderr) : makeTableReporter(stdout);
    engine::Engine engine([&](engine::LogLevel level, std::string_view message) {
        if (level == engine::LogLevel::Error)
            reporter->warning("engine: " + std::string(message));
    });
    CpuPeak peak = probeCpuPeak();
    if (options.cpuGhz > 0) {
        peak.clockGhz = options.cpuGhz;
        peak.clockSource = "--cpu-ghz";
    }
    std::vector<BenchTarget> targets = makeBenchTargets(engine, peak, options.targets, *reporter);
    describeMachine(engine, peak, targets, options, *reporter);
    if (targets.empty()) {
        reporter->warning("no device to measure for --backend " + options.targets.backendFilter);
        return kExitFailure;
    }

    OpBenchContext context { options.bench, targets, *reporter };
    int failures = 0;
    for (const OpBenchmark &op : opBenchmarks()) {
        if (options.op == "all" || options.op == op.name)
            failures += op.run(context);
    }
    return failures == 0 ? kExitOk : kExitFailure;
}

} // namespace tributary::bench
