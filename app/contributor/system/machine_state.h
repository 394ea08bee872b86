#pragma once

// MachineState: what this computer reports about itself and one device, as PolicyInputs
// for the device's PolicyEngine: the user's idle time, battery power, and for an NVIDIA
// device its temperature, power, free memory and the other programs using it.
//
//   MachineState machine(QStringLiteral("cuda:0"));
//   PolicyInputs inputs = machine.read();      // about once a second
//   log(machine.sources());                    // "idle: X11 screen saver on :0; GPU: NVML"
//
// NVIDIA readings come from NVML for "cuda:N" devices, as NVML index N. NVML counts in PCI
// bus order and CUDA fastest-first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, so on a machine
// with unlike NVIDIA cards the two can differ: matching by PCI bus id is still to do.
// Other devices have no GPU readings yet, so their temperature and power limits cannot
// be enforced and the policy's reason says so. Use from one thread.

#include "app/contributor/policy/policy_inputs.h"

#include <QString>

#include <memory>

namespace tributary {

namespace engine {
class NvmlLibrary;
}
class UserIdle;

class MachineState {
public:
    explicit MachineState(QString deviceId, QString powerSupplyRoot = QStringLiteral("/sys/class/power_supply"));
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
    QString m_gpuSource;
};

} // namespace tributary
