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
    // The contributor goes first (its supervisor before it): it talks to the coordinator.
    m_supervisor.reset();
    m_runner.reset();
    m_earnings.reset();
    m_history.reset();
    m_coordinator.shutdown();
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
    if (!m_coordinator.start(databasePath, error))
        return false;

    Contributor::Options contributorOptions;
    contributorOptions.coordinator = coordinatorEndpoint();
    contributorOptions.inputCacheDirectory
        = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/inputs");
    contributorOptions.deviceId = m_deviceId;
    contributorOptions.nodeName = QSysInfo::machineHostName() + QStringLiteral(" (local)");
    m_history = std::make_unique<TaskHistory>(
        QFileInfo(databasePath).absoluteDir().filePath(QStringLiteral("history.sqlite")));
    if (m_history->open()) {
        contributorOptions.history = m_history.get();
        m_earnings = std::make_unique<EarningsTracker>(coordinatorEndpoint(), *m_history);
        m_earnings->start();
    } else {
        // Sharing still works; only the record of it is missing, and the activity says so.
        m_activity.add(m_deviceId, m_history->errorString());
        m_history.reset();
    }
    m_runner = std::make_unique<ContributorRunner>(m_engine, contributorOptions);
    // The local network shares its device as soon as it starts (the first-run wizard is
    // where the user will choose otherwise); it still pauses on battery.
    DevicePolicy policy;
    policy.enabled = true;
    m_supervisor = std::make_unique<DeviceSupervisor>(m_runner->contributor(), m_deviceId, policy);
    m_supervisor->setGlobalPause(m_sharingPaused);
    m_activity.add(m_deviceId, QStringLiteral("started: %1").arg(m_supervisor->sources()));
    m_activity.add(m_deviceId, m_supervisor->decision().reason);
    connect(m_supervisor.get(), &DeviceSupervisor::decisionChanged, this,
            [this](const QString &deviceId, const QString &, const QString &reason) { m_activity.add(deviceId, reason); });
    connect(m_runner->contributor(), &Contributor::taskHandedBack, this,
            [this](const QString &taskId, const QString &, const QString &reason) {
                m_activity.add(m_deviceId, QStringLiteral("handed task %1 back (%2)").arg(taskId, reason));
            });
    connect(m_runner->contributor(), &Contributor::taskFinished, this,
            [this](const QString &taskId, const QString &, bool accepted, qint64 computeMs, const QString &message) {
                m_activity.add(m_deviceId,
                    accepted ? QStringLiteral("task %1 computed in %2")
                                   .arg(taskId,
                                       computeMs > 0 ? QStringLiteral("%1 ms").arg(computeMs)
                                                     : QStringLiteral("under a millisecond"))
                             : QStringLiteral("task %1 not accepted: %2").arg(taskId, message));
            });
    connect(m_runner->contributor(), &Contributor::stateChanged, this,
            &LocalNetwork::contributorStateChanged);
    connect(m_runner->contributor(), &Contributor::taskFinished, this, &LocalNetwork::taskFinished);
    m_runner->start();
    return true;
}

void LocalNetwork::setSharingPaused(bool paused)
{
    if (paused == m_sharingPaused)
        return;
    m_sharingPaused = paused;
    if (m_supervisor)
        m_supervisor->setGlobalPause(paused);
    Q_EMIT sharingPausedChanged(paused);
}

} // namespace tributary
