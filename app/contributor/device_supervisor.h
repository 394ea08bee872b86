#pragma once

// DeviceSupervisor: applies one device's policy to its contributor. About once a second
// it reads the machine (MachineState), asks the device's PolicyEngine, and sets the
// contributor's gate; a changed policy, the global pause or a switch applies at once.
//
//   DeviceSupervisor supervisor(runner.contributor(), QStringLiteral("cuda:0"), policy);
//   connect(&supervisor, &DeviceSupervisor::decisionChanged, activityLog, ...);
//   supervisor.setGlobalPause(true);     // the contributor pauses within ~0.2 s
//
// Lives on the thread that creates it (the GUI or the node's main thread); reading the
// machine takes well under a millisecond. The contributor lives on its own thread and is
// only touched through its thread-safe setGate().

#include "app/contributor/contributor.h"
#include "app/contributor/policy/policy_engine.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <QElapsedTimer>

#include <functional>
#include <memory>

namespace tributary {

class MachineState;

class DeviceSupervisor : public QObject {
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 1000;

    // `contributor` may be null until setContributor(). `pciBusId` (DeviceInfo::pciBusId)
    // picks the GPU's readings: NVML for an NVIDIA card, sysfs for the others.
    DeviceSupervisor(Contributor *contributor, QString deviceId, DevicePolicy policy, QString pciBusId = {},
                     QObject *parent = nullptr);
    ~DeviceSupervisor() override;

    const DevicePolicy &policy() const { return m_engine.policy(); }
    const PolicyDecision &decision() const { return m_decision; }
    // Which machine sources answer (for the activity log).
    QString sources() const;

    void setPolicy(const DevicePolicy &policy);
    // The contributor whose gate this sets (null: none yet); its gate is set at once.
    void setContributor(Contributor *contributor);
    void setGlobalPause(bool paused);
    // Replaces the machine reading (tests: fake telemetry and a fake clock).
    void setInputsReader(std::function<PolicyInputs()> reader);

    // Whether this device's contributor is computing now. While it has not computed for a
    // couple of seconds, the device's whole utilization is other programs' (the policy's
    // "another program keeps the GPU busy" rule); while it computes, the last such
    // estimate stands.
    void setComputing(bool computing);

    // Decides now rather than at the next tick.
    void evaluate();

Q_SIGNALS:
    // The action or its reason changed: "pause", "paused: on battery power".
    void decisionChanged(const QString &deviceId, const QString &action, const QString &reason);
    // Every reading of the machine, each tick: the dashboards chart it.
    void observed(const QString &deviceId, const tributary::PolicyInputs &inputs);

private:
    QPointer<Contributor> m_contributor;
    QString m_deviceId;
    PolicyEngine m_engine;
    std::unique_ptr<MachineState> m_machine;
    std::function<PolicyInputs()> m_reader;
    bool m_globalPause = false;
    PolicyDecision m_decision;
    bool m_decided = false;
    bool m_computing = false;
    qint64 m_idleSinceMs = 0; // when the contributor last stopped computing
    std::optional<double> m_othersUtilization;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

} // namespace tributary
