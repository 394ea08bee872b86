#pragma once

// SharedDevice: one device this machine lends to the network, with everything that
// keeps it in line: its policy (DeviceSupervisor) and, once the policy first switches it
// on, its contributor (ContributorRunner, on its own thread). It also turns what the
// supervisor and the contributor report into one reading a second for the dashboards.
//
//   SharedDevice gpu(engine, QStringLiteral("cuda:0"), contributorOptions, policy);
//   connect(&gpu, &SharedDevice::reading, card, ...);       // utilization, °C, W
//   gpu.setPolicy(edited);                                   // applies at once
//
// A device whose policy is off runs no contributor at all: nothing is registered with
// the coordinator and the device is never opened, until the user switches it on. After
// that, switching it off closes its contributor's gate (a task not yet computing goes
// back to the coordinator), and on again opens it, without a restart.
//
// Lives on the thread that creates it (the GUI thread or the node's main thread).

#include "app/contributor/contributor.h"
#include "app/contributor/contributor_runner.h"
#include "app/contributor/device_reading.h"
#include "app/contributor/device_supervisor.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <optional>

namespace tributary {

class SharedDevice : public QObject {
    Q_OBJECT
public:
    // `engine` must outlive this object. `options.deviceId` names the device.
    SharedDevice(const engine::Engine &engine, Contributor::Options options, DevicePolicy policy,
                 QObject *parent = nullptr);
    ~SharedDevice() override;

    QString deviceId() const { return m_options.deviceId; }
    const DevicePolicy &policy() const { return m_supervisor.policy(); }
    const PolicyDecision &decision() const { return m_supervisor.decision(); }
    DeviceSupervisor &supervisor() { return m_supervisor; }
    // The contributor, or null while the device has never been switched on.
    Contributor *contributor() const { return m_runner ? m_runner->contributor() : nullptr; }
    Contributor::State state() const { return m_state; }
    // The task computing now; empty when none.
    QString currentTaskId() const { return m_currentTaskId; }
    QString currentJobId() const { return m_currentJobId; }

    // Applies at once: starts the contributor the first time the device is switched on.
    void setPolicy(const DevicePolicy &policy);
    void setGlobalPause(bool paused);

Q_SIGNALS:
    // The contributor's own signals, with the device named.
    void stateChanged(const QString &deviceId, tributary::Contributor::State state, const QString &detail);
    void taskStarted(const QString &deviceId, const QString &taskId, const QString &jobId);
    void taskFinished(const QString &deviceId, const QString &taskId, const QString &jobId, bool accepted,
                      qint64 computeMs, const QString &message);
    void taskHandedBack(const QString &deviceId, const QString &taskId, const QString &reason);
    // The policy's decision changed: "pause", "paused: on battery power".
    void decisionChanged(const QString &deviceId, const QString &action, const QString &reason);
    void reading(const QString &deviceId, const tributary::DeviceReading &reading);

private:
    void startContributor();
    void observe(const PolicyInputs &inputs);
    void setBusy(bool busy);

    const engine::Engine &m_engine;
    Contributor::Options m_options;
    std::unique_ptr<ContributorRunner> m_runner;
    DeviceSupervisor m_supervisor; // after m_runner: destroyed first, it points at the contributor
    Contributor::State m_state = Contributor::State::Stopped;
    QString m_currentTaskId;
    QString m_currentJobId;
    // Compute time since the last reading, for the utilization of devices without NVML.
    QElapsedTimer m_clock;
    qint64 m_busySinceMs = -1; // when the task computing now started; -1: none
    qint64 m_busyMs = 0; // computed between the last reading and m_busySinceMs
    qint64 m_lastReadingMs = 0;
};

} // namespace tributary
