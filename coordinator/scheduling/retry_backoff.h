#pragma once

// RetryBackoff: how long a task waits before it is leased again after an attempt failed
// (lease ran out, node reported an error, result rejected): base, doubling per failure,
// capped. A node that crashes on a task therefore does not hammer it, and a task that
// fails everywhere reaches its attempt limit after minutes, not milliseconds.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace tributary::coordinator {

struct RetryBackoff {
    std::chrono::milliseconds base { 1000 };
    std::chrono::milliseconds max { 60000 };

    // The wait after the failures-th failure (1 for the first).
    std::int64_t delayMs(std::uint32_t failures) const
    {
        if (failures == 0)
            return 0;
        const std::uint32_t doublings = std::min<std::uint32_t>(failures - 1, 30);
        const std::int64_t delay = static_cast<std::int64_t>(base.count()) << doublings;
        return std::min<std::int64_t>(delay, max.count());
    }
};

} // namespace tributary::coordinator
