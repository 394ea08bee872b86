#pragma once

// IdGenerator: random ids for jobs and nodes ("job-3f9a0c1d2e4b5a69"). Random rather than
// sequential so that ids from different coordinators, or from a database that was reset,
// do not collide with ones a node or client still remembers. Thread-safe.

#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace tributary::coordinator {

class IdGenerator {
public:
    IdGenerator();

    // prefix + "-" + 16 lower-case hex digits.
    std::string next(std::string_view prefix);

private:
    std::mutex m_mutex;
    std::mt19937_64 m_random;
};

} // namespace tributary::coordinator
