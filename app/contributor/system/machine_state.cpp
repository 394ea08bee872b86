#include "app/contributor/system/machine_state.h"

#include "app/contributor/system/cpu_sysfs.h"
#include "app/contributor/system/gpu_sysfs.h"
#include "app/contributor/system/power_source.h"
#include "app/contributor/system/user_idle.h"
#include "engine/telemetry/nvml_library.h"

#include <QCoreApplication>
#include <QFile>

#include <cmath>

namespace tributary {

namespace {

QString processName(std::uint32_t pid)
{
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    if (!comm.open(QIODevice::ReadOnly))
        return QStringLiteral("process %1").arg(pid);
    return QString::fromLocal8Bit(comm.readAll()).trimmed();
}

} // namespace

MachineState::MachineState(QString deviceId, QString pciBusId, QString powerSupplyRoot)
    : m_deviceId(std::move(deviceId))
    , m_powerSupplyRoot(std::move(powerSupplyRoot))
    , m_idle(std::make_unique<UserIdle>())
{
    if (m_deviceId.startsWith(QLatin1String("cpu:"))) {
        m_cpu = std::make_unique<CpuSysfs>();
        m_gpuSource = m_cpu->source();
        return;
    }
    const bool cuda = m_deviceId.startsWith(QLatin1String("cuda:"));
    if (pciBusId.isEmpty() && !cuda) {
        m_gpuSource = QStringLiteral("no GPU readings for %1 (no PCI address: a software device)").arg(m_deviceId);
        return;
    }
    std::string reason;
    m_nvml = engine::NvmlLibrary::load(&reason);
    QString nvmlWhy = QString::fromStdString(reason);
    if (m_nvml) {
        m_nvmlIndex = m_nvml->indexOfPciBusId(pciBusId.toStdString());
        // Without an address CUDA's index is NVML's only when both count in bus order
        // (CUDA_DEVICE_ORDER=PCI_BUS_ID, or a machine with one NVIDIA card).
        bool numbered = false;
        if (m_nvmlIndex < 0 && pciBusId.isEmpty() && cuda) {
            m_nvmlIndex = m_deviceId.mid(5).toInt(&numbered);
            if (!numbered || m_nvmlIndex >= m_nvml->deviceCount())
                m_nvmlIndex = -1;
        }
        if (m_nvmlIndex >= 0) {
            m_gpuSource = QStringLiteral("NVML device %1%2").arg(m_nvmlIndex).arg(pciBusId.isEmpty() ? QString() : QStringLiteral(" at ") + pciBusId);
            return;
        }
        nvmlWhy = QStringLiteral("NVML has no GPU at %1").arg(pciBusId.isEmpty() ? m_deviceId : pciBusId);
        m_nvml.reset();
    }
    if (pciBusId.isEmpty()) {
        m_gpuSource = nvmlWhy;
        return;
    }
    m_gpuSysfs = std::make_unique<GpuSysfs>(pciBusId);
    m_gpuSource = m_gpuSysfs->found() ? m_gpuSysfs->source() : QStringLiteral("%1; %2").arg(nvmlWhy, m_gpuSysfs->source());
    if (!m_gpuSysfs->found())
        m_gpuSysfs.reset();
}

MachineState::~MachineState() = default;

PolicyInputs MachineState::read()
{
    PolicyInputs inputs;
    inputs.now = QDateTime::currentDateTime();
    if (const std::optional<double> idle = m_idle->seconds())
        inputs.userIdleSeconds = int(std::floor(*idle));
    inputs.onBattery = readPowerSource(m_powerSupplyRoot).onBattery;
    if (m_cpu) {
        // The CPU's load is not fed to the policy: this process (the embedded coordinator
        // verifying results) would count as "another program".
        const CpuReading cpu = m_cpu->read();
        inputs.temperatureC = cpu.temperatureC;
        inputs.powerW = cpu.powerW;
        return inputs;
    }
    if (m_gpuSysfs) {
        const GpuSysfsReading gpu = m_gpuSysfs->read();
        inputs.temperatureC = gpu.temperatureC;
        inputs.powerW = gpu.powerW;
        inputs.deviceUtilizationPercent = gpu.utilizationPercent;
        if (gpu.memoryTotalBytes && gpu.memoryUsedBytes && *gpu.memoryTotalBytes >= *gpu.memoryUsedBytes)
            inputs.deviceMemoryFreeBytes = *gpu.memoryTotalBytes - *gpu.memoryUsedBytes;
        return inputs;
    }
    if (!m_nvml)
        return inputs;

    engine::DeviceTelemetry telemetry;
    if (m_nvml->read(m_nvmlIndex, &telemetry)) {
        inputs.temperatureC = telemetry.temperatureC;
        inputs.powerW = telemetry.powerW;
        if (telemetry.utilizationPercent)
            inputs.deviceUtilizationPercent = double(*telemetry.utilizationPercent);
        if (telemetry.memoryTotalBytes && telemetry.memoryUsedBytes)
            inputs.deviceMemoryFreeBytes = *telemetry.memoryTotalBytes - *telemetry.memoryUsedBytes;
    }
    std::vector<engine::GpuProcess> processes;
    if (m_nvml->processes(m_nvmlIndex, &processes)) {
        const auto self = std::uint32_t(QCoreApplication::applicationPid());
        for (const engine::GpuProcess &process : processes) {
            if (process.pid == self)
                continue;
            inputs.otherGpuProcesses.append(GpuProcess { processName(process.pid), qint64(process.pid) });
        }
    }
    return inputs;
}

QString MachineState::sources() const
{
    const QString idle = m_idle->source().isEmpty() ? QStringLiteral("none (%1)").arg(m_idle->why()) : m_idle->source();
    return QStringLiteral("idle time: %1; GPU: %2").arg(idle, m_gpuSource);
}

} // namespace tributary
