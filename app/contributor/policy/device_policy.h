#pragma once

// DevicePolicy: when and how hard one device may be lent to the network: the on/off
// toggle, the rule for when it runs (always, when the user is idle, or on a weekly
// schedule), what pauses it (battery power, another program using the GPU), the
// temperature and power limits and what happens past them, and a cap on device memory.
//
// It is plain data. PolicyEngine turns it, with what the runtime observes, into a
// decision; the settings page edits it; it is stored as JSON:
//
//   QJsonObject json = policy.toJson();
//   QString error;
//   std::optional<DevicePolicy> back = DevicePolicy::fromJson(json, &error);
//   if (!back) qWarning() << error;   // e.g. "temperatureLimitC: must be between 30 and 110"
//
// JSON shape (every key optional; a missing key takes the default below, unknown keys
// are ignored so that older versions read newer files):
//
//   { "enabled": true, "when": "schedule", "idleSeconds": 120,
//     "schedule": [ { "days": ["fri", "sat"], "start": "22:00", "end": "07:00" } ],
//     "pauseOnBattery": true, "pauseWhenGpuBusy": true,
//     "gpuBusyProcesses": ["blender"], "gpuBusyUtilizationPercent": 20,
//     "temperatureLimitC": 80, "powerLimitW": 250, "overLimitAction": "throttle",
//     "memoryCapBytes": 4294967296 }
//
// Limits and the memory cap are left out of the JSON when unset.

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTime>
#include <QtGlobal>

#include <optional>

namespace tributary {

// One weekly window: on each of `days`, from `start` (local time) to `end`. A window
// whose end is not after its start crosses midnight and ends on the next day, so
// {Fri, 22:00, 07:00} runs from Friday 22:00 to Saturday 07:00, and {Mon, 00:00, 00:00}
// is the whole of Monday (start == end means 24 hours).
struct ScheduleWindow {
    QList<Qt::DayOfWeek> days; // the days the window starts on; none: never
    QTime start; // whole minutes
    QTime end; // whole minutes

    bool operator==(const ScheduleWindow &) const = default;
};

struct DevicePolicy {
    enum class When {
        Always = 1, // whenever nothing else pauses it
        WhenIdle, // only once the user has been idle for idleSeconds
        Schedule, // only inside one of the schedule's windows
    };
    enum class OverLimitAction {
        Throttle = 1, // run part of the time (a duty cycle) until back under the limit
        Pause, // stop until back under the limit
    };

    // Sharing is opt-in: a device lends nothing until the user switches it on.
    bool enabled = false;
    // Always by default: the busy-GPU check and the limits already keep sharing out of the
    // way, and many desktops (Wayland among them) offer no idle-time source at all.
    When when = When::Always;
    int idleSeconds = 120; // for WhenIdle; 1 .. 86400
    QList<ScheduleWindow> schedule; // for Schedule; kept while another rule is chosen

    bool pauseOnBattery = true;
    // Pause while another program uses the GPU: one named in gpuBusyProcesses runs on it
    // (compared case-insensitively, without folder or ".exe"), or other programs keep it
    // busier than gpuBusyUtilizationPercent. Programs that always hold the GPU (the
    // desktop compositor) are not named, so they do not count.
    bool pauseWhenGpuBusy = true;
    QStringList gpuBusyProcesses;
    double gpuBusyUtilizationPercent = 20; // 1 .. 100

    std::optional<double> temperatureLimitC; // 30 .. 110
    std::optional<double> powerLimitW; // 10 .. 2000
    OverLimitAction overLimitAction = OverLimitAction::Throttle;

    // Device memory the runtime may use at most; unset: whatever is free.
    std::optional<quint64> memoryCapBytes;

    QJsonObject toJson() const;
    // The policy in `json`, or nullopt with *error (when given) naming the field and the
    // problem, e.g. `schedule[1].start: "25:00" is not a time (HH:MM)`.
    static std::optional<DevicePolicy> fromJson(const QJsonObject &json, QString *error);

    bool operator==(const DevicePolicy &) const = default;
};

} // namespace tributary
