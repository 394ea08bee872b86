#include "bench/bench_target.h"

#include "bench/cublas_reference.h"
#include "bench/openblas_reference.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/gemm_kernel.h"

#include <cstdlib>

namespace tributary::bench {

namespace {

bool wanted(const TargetOptions &options, engine::BackendKind kind)
{
    return options.backendFilter == "all" || options.backendFilter == engine::backendName(kind);
}

BenchTarget cpuTarget(
    const engine::DeviceInfo &cpu, int threads, const engine::GemmKernel &kernel, const CpuPeak &peak)
{
    BenchTarget target;
    target.device = cpu;
    target.device.computeUnits = threads;
    target.backend = std::make_unique<engine::CpuBackend>(target.device, kernel);
    target.threads = threads;
    target.kernel = kernel.name;
    target.peakGflops = peak.gflops(threads);
    target.gemmReference = makeOpenBlasReference(threads, &target.noGemmReferenceReason);
    return target;
}

// The CUDA ordinal of the available CUDA device named `name`, or -1.
int cudaOrdinalNamed(const engine::Engine &engine, const std::string &name)
{
    for (const auto &device : engine.devices()) {
        if (device.backend == engine::BackendKind::Cuda && device.available && device.name == name
            && device.id.starts_with("cuda:"))
            return std::atoi(device.id.c_str() + 5);
    }
    return -1;
}

} // namespace

std::vector<std::string> cpuKernelNames()
{
    std::vector<std::string> names;
    for (const engine::GemmKernel &kernel : engine::supportedGemmKernels())
        names.emplace_back(kernel.name);
    return names;
}

std::string targetLabel(const BenchTarget &target)
{
    if (target.threads > 0)
        return target.device.id + " " + target.kernel + " (" + std::to_string(target.threads)
            + (target.threads == 1 ? " thread)" : " threads)");
    return target.device.id;
}

std::vector<BenchTarget> makeBenchTargets(
    const engine::Engine &engine, const CpuPeak &cpuPeak, const TargetOptions &options, Reporter &reporter)
{
    std::vector<BenchTarget> targets;
    const engine::DeviceInfo *cpu = engine.firstAvailable(engine::BackendKind::Cpu);
    const int cpuThreads = options.cpuThreads > 0 ? options.cpuThreads : (cpu ? cpu->computeUnits : 1);
    if (cpu && wanted(options, engine::BackendKind::Cpu)) {
        for (const engine::GemmKernel &kernel : engine::supportedGemmKernels()) {
            if (options.cpuKernel.empty() ? kernel.run != engine::selectGemmKernel().run
                                          : options.cpuKernel != "all" && options.cpuKernel != kernel.name)
                continue;
            targets.push_back(cpuTarget(*cpu, cpuThreads, kernel, cpuPeak));
            if (cpuThreads > 1)
                targets.push_back(cpuTarget(*cpu, 1, kernel, cpuPeak));
        }
    }

    for (const auto &device : engine.devices()) {
        if (device.backend == engine::BackendKind::Cpu || !device.available
            || !wanted(options, device.backend))
            continue;
        std::string error;
        auto backend = engine.open(device.id, &error);
        if (!backend) {
            reporter.warning("cannot open " + device.id + " (" + device.name + "): " + error);
            continue;
        }
        BenchTarget target;
        target.device = backend->device();
        target.backend = std::move(backend);

        int cudaOrdinal = -1;
        if (device.backend == engine::BackendKind::Cuda)
            cudaOrdinal = std::atoi(device.id.c_str() + 5);
        else if (device.vendor == "NVIDIA")
            cudaOrdinal = cudaOrdinalNamed(engine, device.name);

        if (device.isSoftware) {
            target.defaultMaxSize = options.softwareMaxSize;
            target.peakGflops = cpuPeak.gflops(cpu ? cpu->computeUnits : 1);
            target.gemmReference
                = makeOpenBlasReference(cpu ? cpu->computeUnits : 1, &target.noGemmReferenceReason);
        } else if (cudaOrdinal >= 0) {
            target.peakGflops = cudaPeakGflops(cudaOrdinal);
            target.gemmReference = makeCublasReference(cudaOrdinal, &target.noGemmReferenceReason);
        } else if (device.vendor == "NVIDIA") {
            target.noGemmReferenceReason = "no CUDA device matches " + device.name;
        } else {
            target.noGemmReferenceReason = "no vendor GEMM for " + device.vendor + " GPUs";
        }
        targets.push_back(std::move(target));
    }
    return targets;
}

} // namespace tributary::bench
