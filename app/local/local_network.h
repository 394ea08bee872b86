#pragma once

// LocalNetwork: the whole network on this machine, as `./dev run` starts it: the engine
// (device discovery), an embedded coordinator on 127.0.0.1 (or a remote coordinator the
// user chose instead), and a SharedDevice for each usable device, each under the policy
// the user set for it (policies.json). The desktop window and `tributary --headless`
// both build on it.
//
// On a first start, with no policies stored, the best device is shared and the others
// are not; the first-run wizard and the device cards change that.

#include "app/contributor/activity_log.h"
#include "app/contributor/device_supervisor.h"
#include "app/contributor/earnings_tracker.h"
#include "app/contributor/shared_device.h"
#include "app/settings/policy_store.h"
#include "app/storage/task_history.h"
#include "app/local/embedded_coordinator.h"
#include "engine/engine.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace tributary {

class LocalNetwork : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString databasePath;  // empty: EmbeddedCoordinator::defaultDatabasePath()
        // Empty: every usable device, each under its stored policy. Set: only this device,
        // and shared (switched on) whatever its stored policy says.
        QString deviceId;
        // Where the devices' policies are kept; empty: "policies.json" beside the database.
        QString policiesPath;
        // A coordinator to join instead of starting the embedded one.
        std::optional<client::Endpoint> remoteCoordinator;
    };

    explicit LocalNetwork(Options options, QObject *parent = nullptr);
    ~LocalNetwork() override;

    // Before start(): join `coordinator` instead of starting the embedded one.
    void setRemoteCoordinator(const client::Endpoint &coordinator) { m_options.remoteCoordinator = coordinator; }
    // Where the devices' policies are kept (Options::policiesPath, or beside the database).
    QString policiesPath() const;

    // Discovers devices, starts the coordinator and the shared devices. Returns false and
    // sets *error when the coordinator cannot start or the named device cannot be used.
    bool start(QString *error);

    const engine::Engine &engine() const { return m_engine; }
    QString coordinatorAddress() const { return coordinatorEndpoint().address; }
    // The address and token the contributors and the window's jobs use: the embedded
    // coordinator's administrator, or the remote coordinator's.
    client::Endpoint coordinatorEndpoint() const;
    bool isRemote() const { return m_options.remoteCoordinator.has_value(); }
    // The device the header's state follows: the one named in the options, else the best.
    QString contributorDeviceId() const { return m_deviceId; }
    // Every device shared or shareable, in the engine's order (empty before start()).
    const std::vector<std::unique_ptr<SharedDevice>> &devices() const { return m_devices; }
    SharedDevice *device(const QString &deviceId) const;
    // The header device's policy keeper (null before start()).
    DeviceSupervisor *supervisor() const;

    // Applies the device's policy at once and saves it; false with *error when it cannot
    // be saved (it still applies until the app exits) or there is no such device.
    bool setDevicePolicy(const QString &deviceId, const DevicePolicy &policy, QString *error);
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
    // Every shared device's signals (SharedDevice), on this object's thread.
    void deviceStateChanged(const QString &deviceId, tributary::Contributor::State state, const QString &detail);
    void deviceTaskStarted(const QString &deviceId, const QString &taskId, const QString &jobId);
    void deviceTaskFinished(const QString &deviceId, const QString &taskId, bool accepted);
    void deviceDecisionChanged(const QString &deviceId, const QString &action, const QString &reason);
    void deviceReading(const QString &deviceId, const tributary::DeviceReading &reading);
    void devicePolicyChanged(const QString &deviceId, const tributary::DevicePolicy &policy);

private:
    void shareDevice(const engine::DeviceInfo &device, const Contributor::Options &common);

    Options m_options;
    engine::Engine m_engine;
    EmbeddedCoordinator m_coordinator;
    std::unique_ptr<TaskHistory> m_history; // before m_runner: the contributor records into it
    std::unique_ptr<EarningsTracker> m_earnings;
    std::unique_ptr<PolicyStore> m_policies;
    std::vector<std::unique_ptr<SharedDevice>> m_devices;
    QString m_deviceId;
    ActivityLog m_activity;
    bool m_sharingPaused = false;
};

} // namespace tributary
