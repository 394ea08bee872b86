#pragma once

// PolicyInputs: one snapshot of what the runtime observed about the computer and one
// device, taken about once a second and handed to PolicyEngine::decide(). Every reading a
// system may be unable to give is optional; the engine says in its reason when a missing
// reading keeps a rule from working.
//
// Tests build snapshots by hand (a fake clock and fake telemetry); the runtime fills them
// from the idle-time, power and GPU monitoring sources it has.

#include <QDateTime>
#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace tributary {

// A program other than Tributary that has the device open.
struct GpuProcess {
    QString name; // as the system reports it; a folder or ".exe" is ignored when matching
    qint64 pid = 0;
};

struct PolicyInputs {
    // Local time; its date and time of day are read as they are (schedules are local).
    QDateTime now;
    // Seconds since the user last used keyboard or mouse; unset: the system has no
    // idle-time source, so "when idle" can never start.
    std::optional<int> userIdleSeconds;
    // Unset: no battery information (a desktop), taken as mains power.
    std::optional<bool> onBattery;

    // The device's readings; unset when it cannot report them. Power should be averaged
    // over the last second or so: a throttled device swings between idle and full power.
    std::optional<double> temperatureC;
    std::optional<double> powerW;

    // Other programs on the device (the runtime leaves its own process out), and how busy
    // they keep it.
    QList<GpuProcess> otherGpuProcesses;
    std::optional<double> gpuUtilizationByOthersPercent;
    // How busy the whole device is, Tributary included (NVML's last sample period); for
    // the dashboards, and to tell how busy others keep it while Tributary is not computing.
    std::optional<double> deviceUtilizationPercent;

    // Device memory the runtime could use: what is free plus what the runtime holds
    // itself, so the budget does not shrink as the runtime allocates.
    std::optional<quint64> deviceMemoryFreeBytes;

    // The user's "pause everything" button.
    bool globalPause = false;
};

} // namespace tributary
