#include "app/contributor/system/machine_state.h"

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

MachineState::MachineState(QString deviceId, QString powerSupplyRoot)
    : m_deviceId(std::move(deviceId))
    , m_powerSupplyRoot(std::move(powerSupplyRoot))
    , m_idle(std::make_unique<UserIdle>())
{
    if (!m_deviceId.startsWith(QLatin1String("cuda:"))) {
        m_gpuSource = QStringLiteral("no GPU readings for %1").arg(m_deviceId);
        return;
    }
    std::string reason;
    m_nvml = engine::NvmlLibrary::load(&reason);
    bool numbered = false;
    m_nvmlIndex = m_deviceId.mid(5).toInt(&numbered);
    if (!m_nvml || !numbered || m_nvmlIndex >= m_nvml->deviceCount()) {
        m_gpuSource = m_nvml ? QStringLiteral("NVML has no device %1").arg(m_deviceId.mid(5))
                             : QString::fromStdString(reason);
        m_nvml.reset();
        return;
    }
    m_gpuSource = QStringLiteral("NVML device %1").arg(m_nvmlIndex);
}

MachineState::~MachineState() = default;

PolicyInputs MachineState::read()
{
    PolicyInputs inputs;
    inputs.now = QDateTime::currentDateTime();
    if (const std::optional<double> idle = m_idle->seconds())
        inputs.userIdleSeconds = int(std::floor(*idle));
    inputs.onBattery = readPowerSource(m_powerSupplyRoot).onBattery;
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
