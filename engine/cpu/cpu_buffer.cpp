#include "engine/cpu/cpu_buffer.h"

#include <cstdlib>
#include <new>

namespace tributary::engine {

void CpuBuffer::Free::operator()(std::byte *p) const
{
    std::free(p);
}

std::shared_ptr<CpuBuffer> CpuBuffer::create(std::size_t bytes)
{
    constexpr std::size_t kAlignment = 64;
    // aligned_alloc wants a multiple of the alignment, and a zero-element tensor still
    // gets a distinct buffer.
    const std::size_t rounded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
    auto *data = static_cast<std::byte *>(std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded));
    if (!data)
        return nullptr;
    return std::shared_ptr<CpuBuffer>(new CpuBuffer(data, bytes));
}

} // namespace tributary::engine
