#pragma once

// MachineState: what this computer reports about itself and one device, as PolicyInputs
// for the device's PolicyEngine: the user's idle time, battery power, and for an NVIDIA
// device its temperature, power, free memory and the other programs using it.
//
//   MachineState machine(QStringLiteral("cuda:0"));
//   PolicyInputs inputs = machine.read();      // about once a second
//   log(machine.sources());                    // "idle: X11 screen saver on :0; GPU: NVML"
//
// A GPU is found by its PCI address (DeviceInfo::pciBusId), so the CUDA and Vulkan views
// of one card read the same sensors: NVML for an NVIDIA card, else the kernel's sysfs
// (amdgpu, i915, xe: GpuSysfs). A "cuda:N" device without an address falls back to NVML
// index N. The CPU device reads its temperature and package power from hwmon and RAPL
// (CpuSysfs). Readings a device lacks stay unset, and the policy's reason then says that
// a limit cannot be enforced. Use from one thread.

#include "app/contributor/policy/policy_inputs.h"

#include <QString>

#include <memory>

namespace tributary {

namespace engine {
class NvmlLibrary;
}
class CpuSysfs;
class GpuSysfs;
class UserIdle;

class MachineState {
public:
    explicit MachineState(QString deviceId, QString pciBusId = {},
                          QString powerSupplyRoot = QStringLiteral("/sys/class/power_supply"));
    ~MachineState();
    MachineState(const MachineState &) = delete;
    MachineState &operator=(const MachineState &) = delete;

    PolicyInputs read();
    // Which sources answer, and why the missing ones do not: for the activity log.
    QString sources() const;

private:
    QString m_deviceId;
    QString m_powerSupplyRoot;
    std::unique_ptr<UserIdle> m_idle;
    std::unique_ptr<engine::NvmlLibrary> m_nvml;
    int m_nvmlIndex = -1;
    std::unique_ptr<GpuSysfs> m_gpuSysfs; // a GPU NVML does not know
    std::unique_ptr<CpuSysfs> m_cpu; // the CPU device
    QString m_gpuSource;
};

} // namespace tributary
