#include "bench/target_row.h"

#include "bench/cross_backend.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_device.h"
#include "engine/cpu/gemm_kernel.h"

namespace tributary::bench {

BenchResult resultRowFor(
    const BenchTarget &target, const std::string &op, const std::string &shape, Clock clock)
{
    BenchResult result;
    result.op = op;
    result.backend = std::string(engine::backendName(target.device.backend));
    result.deviceId = target.device.id;
    result.device = target.device.name;
    result.softwareDevice = target.device.isSoftware;
    result.shape = shape;
    result.threads = target.threads;
    result.kernel = target.kernel;
    result.clock = clock == Clock::ThreadCpu ? "thread-cpu" : "wall";
    return result;
}

Clock clockFor(const BenchTarget &target, const EngineBenchOptions &options)
{
    const bool onCallingThread = target.device.backend == engine::BackendKind::Cpu && target.threads == 1;
    return options.cpuTime && onCallingThread ? Clock::ThreadCpu : Clock::Wall;
}

bool isDefaultCpuTarget(const BenchTarget &target)
{
    return target.device.backend == engine::BackendKind::Cpu
        && target.kernel == engine::selectGemmKernel().name
        && target.threads == engine::probeCpuDevice().computeUnits;
}

std::unique_ptr<engine::Backend> makeDefaultCpuBackend()
{
    return std::make_unique<engine::CpuBackend>(engine::probeCpuDevice());
}

std::unique_ptr<engine::Backend> makeCheckerCpuBackend()
{
    return std::make_unique<engine::CpuBackend>(engine::probeCpuDevice(), engine::portableGemmKernel());
}

void reportVulkanAgainstCuda(
    const std::vector<BenchTarget> &targets, std::span<const BenchResult> results, Reporter &reporter)
{
    std::vector<engine::DeviceInfo> devices;
    for (const BenchTarget &target : targets)
        devices.push_back(target.device);
    for (const BenchResult &row : vulkanAgainstCudaRows(devices, results))
        reporter.result(row);
}

} // namespace tributary::bench
