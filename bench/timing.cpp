#include "bench/timing.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

namespace tributary::bench {

double medianOf(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

namespace {

double nowSeconds(Clock clock)
{
    if (clock == Clock::ThreadCpu) {
        timespec now {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

engine::Status timeRepeated(
    int repeat, Clock clock, const std::function<engine::Status()> &operation, Timing *timing)
{
    if (engine::Status warmUp = operation(); !warmUp)
        return warmUp;
    std::vector<double> seconds;
    for (int run = 0; run < std::max(1, repeat); ++run) {
        const double start = nowSeconds(clock);
        engine::Status status = operation();
        const double end = nowSeconds(clock);
        if (!status)
            return status;
        seconds.push_back(end - start);
    }
    timing->medianSeconds = medianOf(seconds);
    timing->minSeconds = *std::min_element(seconds.begin(), seconds.end());
    timing->runs = static_cast<int>(seconds.size());
    return engine::Status::ok();
}

} // namespace tributary::bench
