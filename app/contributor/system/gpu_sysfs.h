#pragma once

// GpuSysfs: temperature, power, load and memory of a non-NVIDIA GPU, read from the Linux
// kernel's sysfs (NVIDIA devices are read through NVML instead). The runtime needs them to
// keep to the user's temperature and power limits and to pause while other programs load
// the device.
//
//   GpuSysfs gpu(QStringLiteral("0000:03:00.0"));   // Vulkan's VK_EXT_pci_bus_info
//   if (!gpu.found()) log(gpu.source());              // "no sysfs device 0000:03:00.0"
//   GpuSysfsReading reading = gpu.read();             // about once a second
//
// The device is <sysRoot>/bus/pci/devices/<pciBusId>; its driver is the name the "driver"
// link points to. What each driver gives:
//   amdgpu         gpu_busy_percent, mem_info_vram_used/_total, and in its hwmon folder the
//                  temperature ("edge" sensor, else temp1) and power (power1_average, or
//                  power1_input on kernels that give that instead).
//   i915, xe       hwmon temperature where present, and power: power1_input, or else the
//                  energy1_input counter differentiated between two read()s (the first
//                  read() after construction has no power then). No load, no memory.
//   anything else  whatever hwmon temperature and power the device has.
// Every value the device does not give, or gives unreadable, stays unset: never zero.
//
// Tests pass a fake tree as sysRoot, and a clock (monotonic milliseconds) to make the
// energy-derived power exact. Use from one thread.

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <functional>
#include <optional>

namespace tributary {

struct GpuSysfsReading {
    std::optional<double> temperatureC;
    std::optional<double> powerW;
    std::optional<double> utilizationPercent; // the whole device, all programs
    std::optional<quint64> memoryUsedBytes;
    std::optional<quint64> memoryTotalBytes;
};

class GpuSysfs {
public:
    // pciBusId is domain:bus:device.function in hexadecimal, "0000:03:00.0"; upper case
    // is accepted. nowMs defaults to a monotonic clock.
    explicit GpuSysfs(
        QString pciBusId, QString sysRoot = QStringLiteral("/sys"), std::function<qint64()> nowMs = {});

    // Whether the device folder exists (the id is valid and names a PCI device).
    bool found() const;
    // Where the readings come from, or why there are none, for the activity log:
    // "amdgpu via /sys/bus/pci/devices/0000:03:00.0".
    QString source() const;
    // The kernel driver bound to the device ("amdgpu", "i915", "xe", "nouveau"); empty
    // when none is bound or the device is not found.
    QString driver() const;

    // Reads the device now. Not const: power from an energy counter needs the previous
    // sample.
    GpuSysfsReading read();

private:
    std::optional<double> readTemperatureC() const;
    std::optional<double> readPowerW();

    QString m_pciBusId;
    QString m_devicePath; // empty: not found
    QString m_driver;
    QString m_source;
    QStringList m_hwmonPaths; // the device's hwmon folders, in name order
    std::function<qint64()> m_nowMs;

    // The last energy1_input sample, for power from the counter's growth.
    std::optional<quint64> m_lastEnergyUj;
    qint64 m_lastEnergyMs = 0;
};

} // namespace tributary
