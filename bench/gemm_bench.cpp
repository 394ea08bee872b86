#include "bench/gemm_bench.h"

#include "bench/gemm_check.h"
#include "bench/target_row.h"
#include "bench/timing.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_device.h"
#include "engine/random_fill.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace tributary::bench {

namespace {

// Above this size the check samples elements instead of comparing all of C.
constexpr int kFullCheckMaxSize = 1024;
// OpenBLAS's idle workers spin for a while after a call (THREAD_TIMEOUT, about 2^28
// cycles); letting them settle keeps them from stealing cores from the next engine run.
constexpr auto kReferenceSettle = std::chrono::milliseconds(200);

std::string shapeText(engine::GemmShape shape)
{
    return std::to_string(shape.m) + "x" + std::to_string(shape.n) + "x" + std::to_string(shape.k);
}

double gflopsOf(engine::GemmShape shape, double seconds)
{
    return 2.0 * shape.m * shape.n * static_cast<double>(shape.k) / seconds / 1e9;
}

// Whole-C results of the CPU backend (every hardware thread) per size, computed once and
// used for the bitwise checks of every other target.
class CpuResults {
public:
    const std::vector<float> &get(int size, const std::vector<float> &a, const std::vector<float> &b)
    {
        auto found = m_results.find(size);
        if (found != m_results.end())
            return found->second;
        if (!m_backend)
            m_backend = std::make_unique<engine::CpuBackend>(engine::probeCpuDevice());
        std::vector<float> c(static_cast<std::size_t>(size) * size);
        if (!m_backend->gemm(a, b, c, { size, size, size }))
            c.clear();
        return m_results.emplace(size, std::move(c)).first->second;
    }

private:
    std::unique_ptr<engine::CpuBackend> m_backend;
    std::map<int, std::vector<float>> m_results;
};

// Why `size` is not measured on `target`, or nothing. `lastSize` and `lastSeconds` are
// the previous point measured on it (0 for none), from which the time is extrapolated.
std::optional<std::string> skipReason(
    const BenchTarget &target, const EngineBenchOptions &options, int size, int lastSize, double lastSeconds)
{
    if (!options.sizesGiven && target.defaultMaxSize > 0 && size > target.defaultMaxSize)
        return "software devices stop at " + std::to_string(target.defaultMaxSize)
            + " unless --sizes asks for more";
    if (lastSize == 0)
        return std::nullopt;
    const double scale = static_cast<double>(size) / lastSize;
    const double estimate = lastSeconds * scale * scale * scale * (options.repeat + 1);
    if (estimate <= options.maxSecondsPerPoint)
        return std::nullopt;
    return "about " + std::to_string(static_cast<int>(estimate)) + " s expected, over --max-seconds "
        + std::to_string(static_cast<int>(options.maxSecondsPerPoint));
}

// Fills result->check, correct and checkDetail for the engine's C.
void checkResult(const BenchTarget &target, const std::vector<float> &a, const std::vector<float> &b,
    const std::vector<float> &c, engine::GemmShape shape, CpuResults &cpuResults, BenchResult *result)
{
    // The default CPU target computes exactly what CpuResults computes: comparing the two
    // would prove nothing, so it is sampled.
    if (shape.m <= kFullCheckMaxSize && !isDefaultCpuTarget(target)) {
        result->check = "bitwise";
        result->checkDetail = bitwiseMismatch(cpuResults.get(shape.m, a, b), c, shape);
    } else {
        result->check = "sample";
        result->checkDetail = sampleMismatch(a, b, c, shape);
    }
    result->correct = result->checkDetail.empty();
}

// Times the target's reference on the same operands and fills the reference fields.
engine::Status measureReference(GemmReference &reference, int repeat, Clock clock,
    const std::vector<float> &a, const std::vector<float> &b, engine::GemmShape shape, BenchResult *result)
{
    std::vector<float> c(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n));
    std::vector<double> kernelSeconds; // the warm-up run's first
    Timing timing;
    const engine::Status status = timeRepeated(
        repeat, clock,
        [&] {
            engine::Status s = reference.gemm(a, b, c, shape);
            if (s && reference.lastKernelSeconds() > 0)
                kernelSeconds.push_back(reference.lastKernelSeconds());
            return s;
        },
        &timing);
    if (!status)
        return status;
    result->reference = reference.name();
    result->referenceSeconds = timing.medianSeconds;
    result->referenceGflops = gflopsOf(shape, timing.medianSeconds);
    result->ratio = result->gflops / *result->referenceGflops;
    if (kernelSeconds.size() > 1) {
        kernelSeconds.erase(kernelSeconds.begin());
        result->referenceKernelGflops = gflopsOf(shape, medianOf(kernelSeconds));
    }
    return engine::Status::ok();
}

} // namespace

int runGemmBenchmark(OpBenchContext &context)
{
    const EngineBenchOptions &options = context.options;
    Reporter &reporter = context.reporter;
    CpuResults cpuResults;
    std::vector<BenchResult> reported;
    int failures = 0;

    for (BenchTarget &target : context.targets) {
        const std::string label = targetLabel(target);
        if (!target.gemmReference)
            reporter.note(label + ": no GEMM reference: " + target.noGemmReferenceReason);
        int lastSize = 0;
        double lastSeconds = 0;
        for (const int size : options.sizes) {
            if (const auto reason = skipReason(target, options, size, lastSize, lastSeconds)) {
                const std::string name = target.threads > 0 ? "" : " (" + target.device.name + ")";
                reporter.note(label + name + ": skipped " + std::to_string(size) + ": " + *reason);
                continue;
            }
            const engine::GemmShape shape { size, size, size };
            const auto elements = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
            std::vector<float> a(elements), b(elements), c(elements);
            engine::fillUniform(a, 1);
            engine::fillUniform(b, 2);

            const bool onCallingThread
                = target.device.backend == engine::BackendKind::Cpu && target.threads == 1;
            const Clock clock = options.cpuTime && onCallingThread ? Clock::ThreadCpu : Clock::Wall;
            Timing timing;
            const engine::Status status = timeRepeated(
                options.repeat, clock, [&] { return target.backend->gemm(a, b, c, shape); }, &timing);
            if (!status) {
                reporter.warning(label + " gemm " + shapeText(shape) + " failed: " + status.message());
                ++failures;
                continue;
            }
            lastSize = size;
            lastSeconds = timing.medianSeconds;

            BenchResult result;
            result.op = "gemm";
            result.backend = std::string(engine::backendName(target.device.backend));
            result.deviceId = target.device.id;
            result.device = target.device.name;
            result.softwareDevice = target.device.isSoftware;
            result.shape = shapeText(shape);
            result.threads = target.threads;
            result.kernel = target.kernel;
            result.clock = clock == Clock::ThreadCpu ? "thread-cpu" : "wall";
            result.seconds = timing.medianSeconds;
            result.gflops = gflopsOf(shape, timing.medianSeconds);
            if (target.peakGflops)
                result.peakPercent = 100.0 * result.gflops / *target.peakGflops;

            checkResult(target, a, b, c, shape, cpuResults, &result);
            if (!result.correct) {
                reporter.warning(label + " gemm " + result.shape + " differs from the CPU backend ("
                    + result.check + "): " + result.checkDetail);
                ++failures;
            }

            if (target.gemmReference) {
                const engine::Status referenceStatus
                    = measureReference(*target.gemmReference, options.repeat, clock, a, b, shape, &result);
                if (!referenceStatus)
                    reporter.warning(label + " reference " + target.gemmReference->name()
                        + " failed: " + referenceStatus.message());
                if (target.threads > 1 || target.device.isSoftware)
                    std::this_thread::sleep_for(kReferenceSettle);
            }
            reporter.result(result);
            reported.push_back(std::move(result));
        }
    }

    reportVulkanAgainstCuda(context.targets, reported, reporter);
    return failures;
}

} // namespace tributary::bench
