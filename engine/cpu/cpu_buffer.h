#pragma once

// CpuBuffer: a CPU backend tensor's storage, plain 64-byte-aligned memory (so AVX-512
// loads of whole cache lines never split). cpuData() gives kernels a typed pointer.

#include "engine/tensor.h"

#include <cstddef>
#include <memory>

namespace tributary::engine {

class CpuBuffer final : public DeviceBuffer {
public:
    // Returns null when the memory cannot be allocated.
    static std::shared_ptr<CpuBuffer> create(std::size_t bytes);

    std::size_t bytes() const override { return m_bytes; }
    std::byte *data() const { return m_data.get(); }

private:
    struct Free {
        void operator()(std::byte *p) const;
    };
    CpuBuffer(std::byte *data, std::size_t bytes) : m_data(data), m_bytes(bytes) {}

    std::unique_ptr<std::byte, Free> m_data;
    std::size_t m_bytes;
};

// The elements of a CPU backend tensor. The tensor must come from the CPU backend.
template<typename T>
T *cpuData(const Tensor &tensor)
{
    return reinterpret_cast<T *>(static_cast<CpuBuffer *>(tensor.buffer.get())->data());
}

} // namespace tributary::engine
