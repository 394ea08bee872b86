#include "app/contributor/shared_device.h"

#include <QDateTime>

#include <algorithm>

namespace tributary {

namespace {
QString pciBusIdOf(const engine::Engine &engine, const QString &deviceId)
{
    const engine::DeviceInfo *device = engine.findDevice(deviceId.toStdString());
    return device ? QString::fromStdString(device->pciBusId) : QString();
}
} // namespace

SharedDevice::SharedDevice(const engine::Engine &engine, Contributor::Options options, DevicePolicy policy,
                           QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_options(std::move(options))
    , m_supervisor(nullptr, m_options.deviceId, std::move(policy), pciBusIdOf(engine, m_options.deviceId))
{
    m_clock.start();
    connect(&m_supervisor, &DeviceSupervisor::decisionChanged, this, &SharedDevice::decisionChanged);
    connect(&m_supervisor, &DeviceSupervisor::observed, this,
            [this](const QString &, const PolicyInputs &inputs) { observe(inputs); });
    if (m_supervisor.policy().enabled)
        startContributor();
}

SharedDevice::~SharedDevice() = default;

void SharedDevice::setPolicy(const DevicePolicy &policy)
{
    m_supervisor.setPolicy(policy);
    if (policy.enabled && !m_runner)
        startContributor();
}

void SharedDevice::setGlobalPause(bool paused)
{
    m_supervisor.setGlobalPause(paused);
}

void SharedDevice::startContributor()
{
    m_runner = std::make_unique<ContributorRunner>(m_engine, m_options);
    Contributor *contributor = m_runner->contributor();
    const QString id = m_options.deviceId;
    connect(contributor, &Contributor::stateChanged, this, [this, id](Contributor::State state, const QString &detail) {
        m_state = state;
        Q_EMIT stateChanged(id, state, detail);
    });
    connect(contributor, &Contributor::taskStarted, this, [this, id](const QString &taskId, const QString &jobId) {
        m_currentTaskId = taskId;
        m_currentJobId = jobId;
        setBusy(true);
        Q_EMIT taskStarted(id, taskId, jobId);
    });
    connect(contributor, &Contributor::taskFinished, this,
            [this, id](const QString &taskId, const QString &jobId, bool accepted, qint64 computeMs, const QString &message) {
                m_currentTaskId.clear();
                m_currentJobId.clear();
                setBusy(false);
                Q_EMIT taskFinished(id, taskId, jobId, accepted, computeMs, message);
            });
    connect(contributor, &Contributor::taskHandedBack, this,
            [this, id](const QString &taskId, const QString &, const QString &reason) {
                m_currentTaskId.clear();
                m_currentJobId.clear();
                setBusy(false);
                Q_EMIT taskHandedBack(id, taskId, reason);
            });
    // The gate is set before the contributor's first step.
    m_supervisor.setContributor(contributor);
    m_runner->start();
}

void SharedDevice::setBusy(bool busy)
{
    const qint64 now = m_clock.elapsed();
    if (busy && m_busySinceMs < 0) {
        m_busySinceMs = now;
    } else if (!busy && m_busySinceMs >= 0) {
        m_busyMs += now - std::max(m_busySinceMs, m_lastReadingMs);
        m_busySinceMs = -1;
    }
    m_supervisor.setComputing(busy);
}

void SharedDevice::observe(const PolicyInputs &inputs)
{
    const qint64 now = m_clock.elapsed();
    qint64 busyMs = m_busyMs;
    if (m_busySinceMs >= 0)
        busyMs += now - std::max(m_busySinceMs, m_lastReadingMs);
    const qint64 spanMs = std::max<qint64>(1, now - m_lastReadingMs);
    m_busyMs = 0;
    m_lastReadingMs = now;

    DeviceReading sample;
    sample.atMs = QDateTime::currentMSecsSinceEpoch();
    sample.utilizationPercent = inputs.deviceUtilizationPercent
        ? *inputs.deviceUtilizationPercent
        : std::clamp(100.0 * double(busyMs) / double(spanMs), 0.0, 100.0);
    sample.temperatureC = inputs.temperatureC;
    sample.powerW = inputs.powerW;
    Q_EMIT reading(m_options.deviceId, sample);
}

} // namespace tributary
