#pragma once

// What the engine knows about one compute device, whether or not it can be used.
// A device that cannot be used is still listed, with `available == false` and a
// reason a contributor can act on ("no NVIDIA driver found (libcuda.so.1)").

#include <cstdint>
#include <string>
#include <string_view>

namespace tributary::engine {

// Zero is deliberately not a valid kind, so an uninitialised value is caught.
enum class BackendKind { Cpu = 1, Vulkan = 2, Cuda = 3 };

// "cpu", "vulkan", "cuda": the names used in device ids, flags and the protocol.
std::string_view backendName(BackendKind kind);
// Parses a backend name; returns false for an unknown one.
bool parseBackendName(std::string_view name, BackendKind *kind);

// How a device's results compare with the CPU reference, as the determinism self-test
// (determinism_self_test.h) found when the device was discovered.
enum class Reproducibility {
    Untested = 1, // not run: the device is unavailable, or discovery skipped the test
    Exact,        // bit-identical to the CPU reference: results verifiable by digest
    Failed,       // different bits, or an op failed: not used for exact work
};
std::string_view reproducibilityName(Reproducibility value); // "untested", "exact", "failed"

// "0000:01:00.0": a PCI address as Linux's sysfs and NVML write it.
std::string pciBusIdText(unsigned domain, unsigned bus, unsigned device, unsigned function);

struct DeviceInfo {
    // Stable within one process: "cpu:0", "vulkan:1", "cuda:0".
    std::string id;
    BackendKind backend = BackendKind::Cpu;
    std::string name;   // "AMD Ryzen 7 5800X", "NVIDIA GeForce RTX 4090", "llvmpipe (LLVM 15.0.6, 256 bits)"
    std::string vendor; // "NVIDIA", "AMD", "Intel", "Mesa", or the CPU vendor
    std::uint64_t memoryBytes = 0; // device-local memory; system RAM for the CPU
    int computeUnits = 0;          // CPU threads, CUDA SMs; 0 where unknown
    int subgroupSize = 0;          // Vulkan subgroup size or CUDA warp size; 0 for the CPU
    std::string computeCapability; // CUDA only: "8.9"
    std::string driverVersion;     // as the driver reports it; may be empty
    std::string features;          // CPU ISA features ("avx2 fma"), free text elsewhere
    // Where the GPU sits on the PCI bus, "0000:01:00.0" (domain:bus:device.function, lower-
    // case hex): how one card's CUDA, Vulkan and NVML or sysfs views are matched. Empty
    // where unknown (the CPU, software devices, a Vulkan driver without VK_EXT_pci_bus_info).
    std::string pciBusId;
    bool isSoftware = false;       // a CPU implementation of a GPU API (Mesa lavapipe)
    bool isIntegrated = false;     // a GPU that shares system memory (ranked after discrete GPUs)
    bool available = false;
    std::string unavailableReason; // set when !available, e.g. "built without CUDA support"
    Reproducibility reproducibility = Reproducibility::Untested;
    // What fast mode (ExecutionMode::Fast, backend.h) changes on this device, in words:
    // "GEMM, Gemm, MatMul and the convolutions through OpenBLAS cblas_sgemm (OpenBLAS
    // 0.3.21 …)", "none: the engine was built without OpenBLAS, fast mode computes as exact
    // mode". Set at discovery; a backend opened in fast mode refines it with what it found
    // at open ("none: cannot load libcublas.so.12 (…), the exact kernels run instead").
    std::string fastMode;
};

} // namespace tributary::engine
