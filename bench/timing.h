#pragma once

// Wall-clock timing of a repeated operation: one untimed warm-up run (first-touch page
// faults, buffer allocation, shader pipelines, lazy library init), then `repeat` timed
// runs; the median is reported because it ignores the odd run disturbed by the OS.

#include "engine/status.h"

#include <functional>
#include <vector>

namespace tributary::bench {

enum class Clock {
    Wall = 1, // steady_clock: what a user waits
    ThreadCpu, // CPU time of the calling thread: ignores time other processes take the core,
               // meaningful only when the whole operation runs on the calling thread
};

struct Timing {
    double medianSeconds = 0.0;
    double minSeconds = 0.0;
    int runs = 0; // timed runs, warm-up excluded
};

// Runs `operation` 1 + repeat times (repeat >= 1) and times all but the first on `clock`.
// Stops at the first failure and returns it.
// The median of `values` (the mean of the middle two for an even count); 0 when empty.
double medianOf(std::vector<double> values);

engine::Status timeRepeated(
    int repeat, Clock clock, const std::function<engine::Status()> &operation, Timing *timing);

} // namespace tributary::bench
