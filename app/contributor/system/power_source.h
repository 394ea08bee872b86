#pragma once

// Whether the machine runs on battery, from the kernel's power-supply class
// (/sys/class/power_supply), which every Linux laptop has and UPower itself reads.
//
//   const PowerSource power = readPowerSource();
//   if (power.onBattery.value_or(false)) ... pause ...
//
// A machine with no battery (a desktop) is never on battery. A machine with a battery is
// on battery when no mains or USB supply is online, or, where the kernel reports no mains
// supply at all, when a battery says it is discharging.

#include <QString>

#include <optional>

namespace tributary {

struct PowerSource {
    std::optional<bool> onBattery; // unset: the power-supply class cannot be read
    bool hasBattery = false;
    QString detail; // for the activity log: "mains online", "BAT0 discharging, 43 %"
};

// Reads the supplies under `root` (the real class by default; tests pass a fake tree).
PowerSource readPowerSource(const QString &root = QStringLiteral("/sys/class/power_supply"));

} // namespace tributary
