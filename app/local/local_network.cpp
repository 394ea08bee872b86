#include "app/local/local_network.h"

#include "app/logging_categories.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QSysInfo>

namespace tributary {

LocalNetwork::LocalNetwork(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_engine(logToCategory(lcEngine()))
{
}

LocalNetwork::~LocalNetwork()
{
    // The contributors go first: they talk to the coordinator.
    m_devices.clear();
    m_earnings.reset();
    m_history.reset();
    m_coordinator.shutdown();
}

client::Endpoint LocalNetwork::coordinatorEndpoint() const
{
    if (m_options.remoteCoordinator)
        return *m_options.remoteCoordinator;
    return { m_coordinator.address(), m_coordinator.token(), {} };
}

SharedDevice *LocalNetwork::device(const QString &deviceId) const
{
    for (const auto &device : m_devices) {
        if (device->deviceId() == deviceId)
            return device.get();
    }
    return nullptr;
}

DeviceSupervisor *LocalNetwork::supervisor() const
{
    SharedDevice *shared = device(m_deviceId);
    return shared ? &shared->supervisor() : nullptr;
}

QString LocalNetwork::policiesPath() const
{
    if (!m_options.policiesPath.isEmpty())
        return m_options.policiesPath;
    const QString databasePath = m_options.databasePath.isEmpty()
        ? EmbeddedCoordinator::defaultDatabasePath()
        : m_options.databasePath;
    return QFileInfo(databasePath).absoluteDir().filePath(QStringLiteral("policies.json"));
}

bool LocalNetwork::start(QString *error)
{
    if (m_options.deviceId.isEmpty()) {
        m_deviceId = QString::fromStdString(m_engine.bestDevice()->id);
    } else {
        const engine::DeviceInfo *device = m_engine.findDevice(m_options.deviceId.toStdString());
        if (!device) {
            *error = QStringLiteral("no device %1 on this machine").arg(m_options.deviceId);
            return false;
        }
        if (!device->available) {
            *error = QStringLiteral("device %1 cannot be used: %2")
                         .arg(m_options.deviceId, QString::fromStdString(device->unavailableReason));
            return false;
        }
        m_deviceId = m_options.deviceId;
    }

    const QString databasePath = m_options.databasePath.isEmpty()
        ? EmbeddedCoordinator::defaultDatabasePath()
        : m_options.databasePath;
    if (!m_options.remoteCoordinator && !m_coordinator.start(databasePath, error))
        return false;
    const QDir dataDirectory = QFileInfo(databasePath).absoluteDir();

    m_policies = std::make_unique<PolicyStore>(policiesPath());
    QString policyError;
    if (!m_policies->load(&policyError))
        m_activity.add(m_deviceId, QStringLiteral("device rules not read, defaults used: %1").arg(policyError));

    Contributor::Options common;
    common.coordinator = coordinatorEndpoint();
    common.inputCacheDirectory
        = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/inputs");
    m_history = std::make_unique<TaskHistory>(dataDirectory.filePath(QStringLiteral("history.sqlite")));
    if (m_history->open()) {
        common.history = m_history.get();
        m_earnings = std::make_unique<EarningsTracker>(coordinatorEndpoint(), *m_history);
        m_earnings->start();
    } else {
        // Sharing still works; only the record of it is missing, and the activity says so.
        m_activity.add(m_deviceId, m_history->errorString());
        m_history.reset();
    }
    for (const engine::DeviceInfo &device : m_engine.devices()) {
        const QString id = QString::fromStdString(device.id);
        if (device.available && (m_options.deviceId.isEmpty() || id == m_deviceId))
            shareDevice(device, common);
    }
    return true;
}

void LocalNetwork::shareDevice(const engine::DeviceInfo &info, const Contributor::Options &common)
{
    const QString id = QString::fromStdString(info.id);
    // A device never configured: the best one is shared (the first-run wizard is where the
    // user chooses otherwise), the others wait to be switched on. One named on the command
    // line is shared whatever its stored rules say.
    DevicePolicy policy = m_policies->policy(id).value_or(DevicePolicy {});
    if (!m_policies->policy(id))
        policy.enabled = id == m_deviceId;
    if (!m_options.deviceId.isEmpty())
        policy.enabled = true;

    Contributor::Options options = common;
    options.deviceId = id;
    options.nodeName = QStringLiteral("%1 (%2)").arg(QSysInfo::machineHostName(), id);
    auto shared = std::make_unique<SharedDevice>(m_engine, options, policy);
    SharedDevice *device = shared.get();
    device->setGlobalPause(m_sharingPaused);
    m_activity.add(id, QStringLiteral("started: %1").arg(device->supervisor().sources()));
    m_activity.add(id, device->decision().reason);
    connect(device, &SharedDevice::decisionChanged, this,
            [this](const QString &deviceId, const QString &action, const QString &reason) {
                m_activity.add(deviceId, reason);
                Q_EMIT deviceDecisionChanged(deviceId, action, reason);
            });
    connect(device, &SharedDevice::taskHandedBack, this,
            [this](const QString &deviceId, const QString &taskId, const QString &reason) {
                m_activity.add(deviceId, QStringLiteral("handed task %1 back (%2)").arg(taskId, reason));
            });
    connect(device, &SharedDevice::taskStarted, this, &LocalNetwork::deviceTaskStarted);
    connect(device, &SharedDevice::taskFinished, this,
            [this](const QString &deviceId, const QString &taskId, const QString &jobId, bool accepted, qint64 computeMs,
                const QString &message) {
                m_activity.add(deviceId,
                    accepted ? QStringLiteral("task %1 computed in %2")
                                   .arg(taskId,
                                       computeMs > 0 ? QStringLiteral("%1 ms").arg(computeMs)
                                                     : QStringLiteral("under a millisecond"))
                             : QStringLiteral("task %1 not accepted: %2").arg(taskId, message));
                Q_EMIT deviceTaskFinished(deviceId, taskId, accepted);
                Q_EMIT taskFinished(taskId, jobId, accepted, computeMs, message);
            });
    connect(device, &SharedDevice::stateChanged, this,
            [this](const QString &deviceId, Contributor::State state, const QString &detail) {
                Q_EMIT deviceStateChanged(deviceId, state, detail);
                if (deviceId == m_deviceId)
                    Q_EMIT contributorStateChanged(state, detail);
            });
    connect(device, &SharedDevice::reading, this, &LocalNetwork::deviceReading);
    m_devices.push_back(std::move(shared));
}

bool LocalNetwork::setDevicePolicy(const QString &deviceId, const DevicePolicy &policy, QString *error)
{
    SharedDevice *shared = device(deviceId);
    if (!shared) {
        *error = QStringLiteral("no shared device %1 on this machine").arg(deviceId);
        return false;
    }
    shared->setPolicy(policy);
    Q_EMIT devicePolicyChanged(deviceId, policy);
    if (!m_policies->setPolicy(deviceId, policy, error)) {
        m_activity.add(deviceId, QStringLiteral("rules apply but were not saved: %1").arg(*error));
        return false;
    }
    return true;
}

void LocalNetwork::setSharingPaused(bool paused)
{
    if (paused == m_sharingPaused)
        return;
    m_sharingPaused = paused;
    for (const auto &device : m_devices)
        device->setGlobalPause(paused);
    Q_EMIT sharingPausedChanged(paused);
}

} // namespace tributary
