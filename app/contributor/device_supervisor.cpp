#include "app/contributor/device_supervisor.h"

#include "app/contributor/system/machine_state.h"
#include "app/logging_categories.h"

namespace tributary {

DeviceSupervisor::DeviceSupervisor(Contributor *contributor, QString deviceId, DevicePolicy policy, QString pciBusId,
                                   QObject *parent)
    : QObject(parent)
    , m_contributor(contributor)
    , m_deviceId(std::move(deviceId))
    , m_engine(std::move(policy))
    , m_machine(std::make_unique<MachineState>(m_deviceId, std::move(pciBusId)))
{
    m_clock.start();
    m_reader = [this] { return m_machine->read(); };
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &DeviceSupervisor::evaluate);
    m_timer.start();
    evaluate();
}

DeviceSupervisor::~DeviceSupervisor() = default;

QString DeviceSupervisor::sources() const
{
    return m_machine->sources();
}

void DeviceSupervisor::setPolicy(const DevicePolicy &policy)
{
    m_engine.setPolicy(policy);
    evaluate();
}

void DeviceSupervisor::setContributor(Contributor *contributor)
{
    m_contributor = contributor;
    evaluate();
}

void DeviceSupervisor::setGlobalPause(bool paused)
{
    m_globalPause = paused;
    evaluate();
}

void DeviceSupervisor::setInputsReader(std::function<PolicyInputs()> reader)
{
    m_reader = std::move(reader);
    evaluate();
}

void DeviceSupervisor::setComputing(bool computing)
{
    if (computing == m_computing)
        return;
    m_computing = computing;
    if (!computing)
        m_idleSinceMs = m_clock.elapsed();
}

void DeviceSupervisor::evaluate()
{
    PolicyInputs inputs = m_reader();
    // NVML's utilization covers its last sample period (up to a second), so a task that
    // just ended still shows; wait that out before calling the load someone else's.
    constexpr qint64 kSettleMs = 2000;
    if (inputs.deviceUtilizationPercent && !m_computing && m_clock.elapsed() - m_idleSinceMs >= kSettleMs)
        m_othersUtilization = inputs.deviceUtilizationPercent;
    if (!inputs.gpuUtilizationByOthersPercent)
        inputs.gpuUtilizationByOthersPercent = m_othersUtilization;
    inputs.globalPause = inputs.globalPause || m_globalPause;
    const PolicyDecision decision = m_engine.decide(inputs);

    Contributor::Gate gate;
    gate.open = decision.action == PolicyDecision::Action::Run || decision.action == PolicyDecision::Action::Throttle;
    gate.dutyCycle = decision.action == PolicyDecision::Action::Throttle ? decision.dutyCycle : 1.0;
    gate.reason = decision.reason;
    gate.powerW = inputs.powerW;
    if (m_contributor)
        m_contributor->setGate(gate);

    const bool changed = !m_decided || decision.action != m_decision.action || decision.reason != m_decision.reason;
    m_decision = decision;
    m_decided = true;
    Q_EMIT observed(m_deviceId, inputs);
    if (changed) {
        qCInfo(lcContributor).noquote() << m_deviceId << PolicyDecision::actionName(decision.action) << "-"
                                        << decision.reason;
        Q_EMIT decisionChanged(m_deviceId, PolicyDecision::actionName(decision.action), decision.reason);
    }
}

} // namespace tributary
