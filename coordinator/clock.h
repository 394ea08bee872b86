#pragma once

// Clock: where the coordinator reads the time. Leases, expiry and job timestamps all go
// through one, so that tests can drive time by hand instead of sleeping.
//
// Times are Unix milliseconds because they cross the wire as such
// (Task.lease_expires_unix_ms, JobStatus.created_unix_ms).

#include <chrono>
#include <cstdint>

namespace tributary::coordinator {

class Clock {
public:
    virtual ~Clock() = default;

    // Milliseconds since the Unix epoch. Called from any thread.
    virtual std::int64_t nowMs() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
public:
    std::int64_t nowMs() const override
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
};

} // namespace tributary::coordinator
