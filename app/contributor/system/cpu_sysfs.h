#pragma once

// CpuSysfs: how busy, how hot and how power-hungry the CPU is, from Linux procfs and
// sysfs, for a contributor that lends the CPU: the runtime keeps to the user's temperature
// and power limits and pauses while other programs load the machine.
//
//   CpuSysfs cpu;                       // the real /sys and /proc
//   log(cpu.source());                  // "load: /proc/stat; temperature: k10temp (hwmon2);
//                                       //  power: RAPL package-0"
//   CpuReading reading = cpu.read();    // about once a second
//
// Load and power are rates over the time since the previous read(), so the first read()
// leaves them unset. Sources:
//   load         the "cpu" line of <procRoot>/stat: the share of all CPU time, across all
//                cores, that was neither idle nor waiting for I/O (every program counts,
//                Tributary included; time a hypervisor stole counts as busy).
//   temperature  the first hwmon driver found of k10temp and zenpower (AMD: the "Tctl"
//                sensor, which AMD's own throttling uses, else temp1), coretemp (Intel: the
//                "Package id N" sensors, else the hottest core), cpu_thermal (ARM: temp1).
//                With several sockets, the hottest one.
//   power        RAPL's energy counters, <sysRoot>/class/powercap/intel-rapl:N/energy_uj
//                for each CPU package (AMD's kernels name theirs the same), summed; a
//                counter that wraps at max_energy_range_uj is followed across the wrap.
//                Most systems let only root read them (since the "Platypus" side channel,
//                CVE-2020-8694); then power stays unset and source() says so.
// Tests pass fake trees and a clock (monotonic milliseconds). Use from one thread.

#include <QList>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <functional>
#include <optional>

namespace tributary {

struct CpuReading {
    std::optional<double> temperatureC;
    std::optional<double> utilizationPercent; // whole CPU, all programs, since the previous read()
    std::optional<double> powerW; // all packages, since the previous read()
};

class CpuSysfs {
public:
    explicit CpuSysfs(QString sysRoot = QStringLiteral("/sys"), QString procRoot = QStringLiteral("/proc"),
        std::function<qint64()> nowMs = {});

    // Reads the CPU now; not const, since load and power come from the previous sample.
    CpuReading read();
    // Where each reading comes from, or why it is missing, for the activity log.
    QString source() const;

private:
    struct RaplZone {
        QString name; // "package-0"
        QString energyPath;
        std::optional<quint64> maxEnergyRangeUj;
    };
    struct StatSample {
        quint64 totalTicks = 0;
        quint64 idleTicks = 0; // idle and iowait
    };

    std::optional<double> readUtilizationPercent();
    std::optional<double> readTemperatureC() const;
    std::optional<double> readPowerW();
    void findTemperatureSensors(const QString &sysRoot);
    void findRaplZones(const QString &sysRoot);

    QString m_statPath;
    QString m_statProblem; // empty: readable
    std::optional<StatSample> m_lastStat;

    QString m_temperatureDriver; // empty: none found
    QStringList m_temperatureHwmons;

    QList<RaplZone> m_raplZones;
    QString m_raplProblem; // empty: readable
    QList<quint64> m_lastEnergyUj; // one per zone; empty: no previous sample
    qint64 m_lastEnergyMs = 0;

    std::function<qint64()> m_nowMs;
};

} // namespace tributary
