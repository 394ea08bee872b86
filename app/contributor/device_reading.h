#pragma once

// DeviceReading: one second of a device, as SharedDevice reports it and the Contribute
// tab's cards chart it. Readings a device does not report stay unset, never zero.

#include <QMetaType>
#include <QtGlobal>

#include <optional>

namespace tributary {

struct DeviceReading {
    qint64 atMs = 0; // milliseconds since the epoch; readings come in time order
    // How busy the device was (0 .. 100): NVML's figure where the driver gives one, else
    // the share of the last second Tributary spent computing on it.
    double utilizationPercent = 0;
    std::optional<double> temperatureC;
    std::optional<double> powerW;
};

} // namespace tributary

Q_DECLARE_METATYPE(tributary::DeviceReading)
