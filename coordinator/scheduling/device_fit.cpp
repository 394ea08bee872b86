#include "coordinator/scheduling/device_fit.h"

#include <algorithm>

namespace tributary::coordinator {

std::string whyDeviceDoesNotFit(const v1::Device &device, ExecutionMode mode, const v1::Requirements &requirements)
{
    if (!device.available())
        return "device " + device.id() + " is unavailable";
    if (mode == ExecutionMode::Exact && device.reproducibility() != v1::REPRODUCIBILITY_EXACT)
        return "device " + device.id() + " has not passed the determinism self-test, which exact mode needs";
    if (device.reproducibility() == v1::REPRODUCIBILITY_FAILED)
        return "device " + device.id() + " failed the determinism self-test";
    if (!requirements.backends().empty()
        && std::find(requirements.backends().begin(), requirements.backends().end(), device.backend())
            == requirements.backends().end())
        return "device " + device.id() + " is not one of the backends the job asks for";
    if (device.memory_bytes() < requirements.min_memory_bytes())
        return "device " + device.id() + " has " + std::to_string(device.memory_bytes()) + " bytes of memory; the job needs "
            + std::to_string(requirements.min_memory_bytes());
    return {};
}

} // namespace tributary::coordinator
