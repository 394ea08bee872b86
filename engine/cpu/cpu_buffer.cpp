#include "engine/cpu/cpu_buffer.h"

#include "engine/ops/shape_inference.h"

#include <cstdlib>
#include <new>

#include <unistd.h>

namespace tributary::engine {

void CpuBuffer::Free::operator()(std::byte *p) const
{
    std::free(p);
}

std::uint64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? std::uint64_t(pages) * std::uint64_t(pageSize) : 0;
}

Status CpuBuffer::create(const TensorDesc &desc, const std::string &device, std::shared_ptr<CpuBuffer> *out)
{
    std::size_t bytes = 0;
    if (Status s = tensorBytes(desc, &bytes); !s)
        return Status::error(device + ": " + s.message());
    // With overcommit, malloc grants more than the machine has and the first writes wake the
    // OOM killer; refuse what can never fit instead.
    const std::uint64_t physical = physicalMemoryBytes();
    if (physical > 0 && bytes > physical)
        return outOfMemory(desc, bytes, device, physical, "physical memory");
    constexpr std::size_t kAlignment = 64;
    // aligned_alloc wants a multiple of the alignment, and a zero-element tensor still
    // gets a distinct buffer.
    const std::size_t rounded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
    auto *data
        = static_cast<std::byte *>(std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded));
    if (!data)
        return outOfMemory(desc, bytes, device, physical, "the allocation failed");
    try {
        out->reset(new CpuBuffer(data, bytes));
    } catch (const std::bad_alloc &) {
        std::free(data);
        return outOfMemory(desc, bytes, device, physical, "the allocation failed");
    }
    return Status::ok();
}

} // namespace tributary::engine
