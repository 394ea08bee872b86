#include "app/contributor/device_advice.h"

#include <string_view>

namespace tributary {

namespace {

bool contains(const std::string &text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

QString adviceFor(const engine::DeviceInfo &device)
{
    if (device.available)
        return {};
    const std::string &why = device.unavailableReason;
    // CUDA
    if (contains(why, "no NVIDIA driver found"))
        return QStringLiteral("If this computer has an NVIDIA GPU, install NVIDIA's driver (Debian: the "
                              "nvidia-driver package from non-free) and restart Tributary. Other GPUs are "
                              "used through Vulkan.");
    if (contains(why, "NVIDIA driver too old"))
        return QStringLiteral("Update the NVIDIA driver (to release 525 or newer), then restart Tributary.");
    if (contains(why, "no CUDA device found"))
        return QStringLiteral("The NVIDIA driver sees no GPU: check that `nvidia-smi` lists the card; after a "
                              "driver update, restart the computer.");
    if (contains(why, "compute capability"))
        return QStringLiteral("This NVIDIA GPU is older than Tributary's CUDA kernels support; it can still "
                              "be used through Vulkan if its Vulkan driver is installed.");
    if (contains(why, "built without CUDA support"))
        return QStringLiteral("This build of Tributary has no CUDA support; the official packages do.");
    // Vulkan
    if (contains(why, "no Vulkan loader"))
        return QStringLiteral("Install the Vulkan loader (Debian: libvulkan1) and restart Tributary.");
    if (contains(why, "no Vulkan driver (ICD)"))
        return QStringLiteral("Install your GPU's Vulkan driver (Debian: mesa-vulkan-drivers for AMD and "
                              "Intel, nvidia-vulkan-icd for NVIDIA) and restart Tributary.");
    if (contains(why, "Vulkan 1.0") || contains(why, "Vulkan 1.1 required"))
        return QStringLiteral("Update the GPU driver: Tributary needs Vulkan 1.1 or newer.");
    if (contains(why, "no compute queue"))
        return QStringLiteral("This device cannot run compute work through Vulkan; nothing to do.");
    if (contains(why, "built without Vulkan support"))
        return QStringLiteral("This build of Tributary has no Vulkan support; the official packages do.");
    // Either backend
    if (contains(why, "determinism self-test"))
        return QStringLiteral("The device gave different bits than the CPU reference, so its results would "
                              "be rejected. Update the GPU driver, then restart Tributary to test it again; "
                              "if it still fails, please report it with the device's name and driver.");
    if (contains(why, "out of memory") || contains(why, "too little memory"))
        return QStringLiteral("Close programs that use the GPU's memory, or lower the other programs' load, "
                              "then restart Tributary.");
    return {};
}

} // namespace tributary
