#pragma once

// CpuBuffer: a CPU backend tensor's storage, plain 64-byte-aligned memory (so AVX-512
// loads of whole cache lines never split). cpuData() gives kernels a typed pointer.

#include "engine/status.h"
#include "engine/tensor.h"

#include <cstddef>
#include <memory>
#include <string>

namespace tributary::engine {

class CpuBuffer final : public DeviceBuffer {
public:
    // Allocates storage for `desc`. Fails with "out of memory: tensor f32[…] needs N GiB,
    // cpu:0 has M GiB (physical memory)" (`device` names the backend) when the tensor is
    // larger than the machine's physical memory or the allocation fails, and with "… is too
    // large" when its size overflows: never commits memory that would wake the OOM killer
    // for a tensor that cannot fit.
    static Status create(const TensorDesc &desc, const std::string &device, std::shared_ptr<CpuBuffer> *out);

    std::size_t bytes() const override { return m_bytes; }
    std::byte *data() const { return m_data.get(); }

private:
    struct Free {
        void operator()(std::byte *p) const;
    };
    CpuBuffer(std::byte *data, std::size_t bytes)
        : m_data(data)
        , m_bytes(bytes)
    {
    }

    std::unique_ptr<std::byte, Free> m_data;
    std::size_t m_bytes;
};

// The machine's physical memory in bytes (0 when the system does not say).
std::uint64_t physicalMemoryBytes();

// The elements of a CPU backend tensor. The tensor must come from the CPU backend.
template<typename T> T *cpuData(const Tensor &tensor)
{
    return reinterpret_cast<T *>(static_cast<CpuBuffer *>(tensor.buffer.get())->data());
}

} // namespace tributary::engine
