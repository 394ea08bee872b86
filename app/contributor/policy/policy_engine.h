#pragma once

// PolicyEngine: decides, for one device, whether the contributor runtime may run now,
// how hard, and why not. It holds the device's DevicePolicy and the little state that
// keeps decisions from flapping; it does no I/O and keeps no timers: the runtime calls
// decide() about once a second with a fresh PolicyInputs snapshot.
//
//   PolicyEngine engine(policy);
//   PolicyDecision decision = engine.decide(inputs);
//   if (decision.action == PolicyDecision::Action::Throttle) runFor(decision.dutyCycle);
//   statusLabel->setText(decision.reason);      // "paused: on battery power"
//   engine.setPolicy(edited);                    // applies from the next decide() on
//
// Rules, first match wins:
//   1. the policy is switched off                        -> Off    "switched off"
//   2. the user's "pause everything" button              -> Pause  "paused by you"
//   3. on battery (pauseOnBattery)                       -> Pause  "paused: on battery power"
//   4. outside the schedule / the user is not idle long
//      enough / no idle-time source (When)               -> Pause  "paused: outside the schedule
//                                                                   (next window Fri 22:00)"
//   5. another program uses the GPU (pauseWhenGpuBusy)   -> Pause  "paused: another program is
//                                                                   using the GPU (blender)"
//   6. over the temperature or power limit               -> Throttle or Pause (overLimitAction)
//                                                                  "throttled: 83 °C over the 80 °C limit"
//   otherwise                                            -> Run    "running"
//
// Hysteresis: once a reading goes over its limit, the limit stays in force until the
// reading falls to 3 °C below the temperature limit, or 5 % below the power limit, so a
// device hovering at its limit is not switched on and off every second. The readings are
// tracked on every decide(), even while a rule above pauses the device. A missing reading
// does not change that state, and the limit cannot be enforced meanwhile (the reason says so).
//
// Throttle duty cycle (the fraction of time the runtime computes), the smaller of:
//   temperature: 1 - (reading - limit) / 10 °C   (83 °C on an 80 °C limit: 0.7)
//   power:       limit / reading                 (the share that brings the average to the
//                                                 limit: 500 W on 250 W: 0.5)
// each kept within [0.1, 0.9]: at least 0.1 so work still moves on, at most 0.9 so that a
// throttle, also inside the hysteresis band, always runs cooler than Run.
//
// memoryBudgetBytes is the smaller of the policy's memory cap and the device's free
// memory, whichever are known (unset when neither is), whatever the action.

#include "app/contributor/policy/device_policy.h"
#include "app/contributor/policy/policy_inputs.h"

#include <QString>
#include <QtGlobal>

#include <optional>

namespace tributary {

struct PolicyDecision {
    enum class Action {
        Run = 1, // compute at full speed
        Throttle, // compute dutyCycle of the time
        Pause, // compute nothing for now; the runtime keeps its place
        Off, // the device is switched off for sharing
    };

    Action action = Action::Off;
    double dutyCycle = 0; // 1 for Run, 0.1 .. 0.9 for Throttle, 0 for Pause and Off
    std::optional<quint64> memoryBudgetBytes;
    QString reason; // plain words for the user, e.g. "paused: on battery power"

    static QString actionName(Action action); // "run", "throttle", "pause", "off" (logs)
};

class PolicyEngine {
public:
    explicit PolicyEngine(DevicePolicy policy = {});

    const DevicePolicy &policy() const { return m_policy; }
    // Takes effect at the next decide(); what the limits' hysteresis remembers is kept
    // (checked against the new limits), so a changed policy does not restart a hot device.
    void setPolicy(DevicePolicy policy);

    PolicyDecision decide(const PolicyInputs &inputs);

    // Hysteresis band widths (see above).
    static constexpr double kTemperatureHysteresisC = 3;
    static constexpr double kPowerHysteresisFraction = 0.05;

private:
    void trackLimits(const PolicyInputs &inputs);
    // Rule 4: the reason the When rule pauses the device, or empty when it allows running.
    QString whenRuleBlocks(const PolicyInputs &inputs) const;
    // Rule 5: the reason another program makes the device busy, or empty.
    QString gpuBusyBlocks(const PolicyInputs &inputs) const;
    // Rule 6 and Run.
    PolicyDecision applyLimits(const PolicyInputs &inputs) const;

    DevicePolicy m_policy;
    bool m_overTemperature = false; // over the limit, and not yet back below its band
    bool m_overPower = false;
};

} // namespace tributary
