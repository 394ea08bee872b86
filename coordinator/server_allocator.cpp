#include "coordinator/server_allocator.h"

#include <malloc.h>

namespace tributary::coordinator {

void tuneAllocatorForServing()
{
    constexpr int kTopPadBytes = 16 << 20;
    mallopt(M_TOP_PAD, kTopPadBytes);
}

} // namespace tributary::coordinator
