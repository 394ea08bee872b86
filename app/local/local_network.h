#pragma once

// LocalNetwork: the whole network on this machine, as `./dev run` starts it: the engine
// (device discovery), an embedded coordinator on 127.0.0.1, and one contributor on the
// best available device. The desktop window and `tributary --headless` both build on it.

#include "app/contributor/activity_log.h"
#include "app/contributor/contributor_runner.h"
#include "app/contributor/device_supervisor.h"
#include "app/contributor/earnings_tracker.h"
#include "app/storage/task_history.h"
#include "app/local/embedded_coordinator.h"
#include "engine/engine.h"

#include <QObject>
#include <QString>

#include <memory>

namespace tributary {

class LocalNetwork : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString databasePath;  // empty: EmbeddedCoordinator::defaultDatabasePath()
        QString deviceId;      // empty: the engine's best device
    };

    explicit LocalNetwork(Options options, QObject *parent = nullptr);
    ~LocalNetwork() override;

    // Discovers devices, starts the coordinator and the contributor. Returns false and
    // sets *error when the coordinator cannot start or the device cannot be used.
    bool start(QString *error);

    const engine::Engine &engine() const { return m_engine; }
    QString coordinatorAddress() const { return m_coordinator.address(); }
    // The address and the local administrator's token, which the contributor and the
    // window's jobs use.
    client::Endpoint coordinatorEndpoint() const { return { m_coordinator.address(), m_coordinator.token(), {} }; }
    QString contributorDeviceId() const { return m_deviceId; }
    // The local device's policy keeper (null before start()): the window's controls and
    // the activity log use it.
    DeviceSupervisor *supervisor() const { return m_supervisor.get(); }
    // What the local contributor did and why, for the Activity view.
    ActivityLog *activityLog() { return &m_activity; }
    // Every task this machine ran, beside the local database ("history.sqlite"), settled
    // from the ledger by the earnings tracker; null before start() or when it cannot open.
    TaskHistory *history() const { return m_history.get(); }
    EarningsTracker *earnings() const { return m_earnings.get(); }

    // The user's "pause sharing" switch: the contributor stops within a second, handing
    // back a task it has not started computing; remembered across start().
    void setSharingPaused(bool paused);
    bool sharingPaused() const { return m_sharingPaused; }

Q_SIGNALS:
    // The local contributor's signals, re-emitted on this object's thread so that
    // receivers can connect before start().
    void contributorStateChanged(tributary::Contributor::State state, const QString &detail);
    void taskFinished(const QString &taskId, const QString &jobId, bool accepted, qint64 computeMs,
                      const QString &message);
    void sharingPausedChanged(bool paused);

private:
    Options m_options;
    engine::Engine m_engine;
    EmbeddedCoordinator m_coordinator;
    std::unique_ptr<TaskHistory> m_history; // before m_runner: the contributor records into it
    std::unique_ptr<EarningsTracker> m_earnings;
    std::unique_ptr<ContributorRunner> m_runner;
    std::unique_ptr<DeviceSupervisor> m_supervisor; // after m_runner: it points at its contributor
    QString m_deviceId;
    ActivityLog m_activity;
    bool m_sharingPaused = false;
};

} // namespace tributary
