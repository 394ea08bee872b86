#pragma once

// What a user can do about a device Tributary cannot use, in plain words: the engine says
// why ("no NVIDIA driver found"); this says what to do ("Install NVIDIA's driver..."). The
// desktop's device list and `tributary-node --list-devices` show both.

#include "engine/device_info.h"

#include <QString>

namespace tributary {

// Empty for a usable device, and for a reason nobody can act on.
QString adviceFor(const engine::DeviceInfo &device);

} // namespace tributary
