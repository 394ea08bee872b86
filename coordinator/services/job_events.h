#pragma once

// JobEvents: wakes WatchJob streams when something about a job may have changed.
//
// The services call notify() after every change they commit (a lease, a result, a new
// job); a watcher remembers generation(), reloads the job, sends it if it changed, and
// waits for the next generation. One counter for all jobs keeps it simple: a watcher may
// wake for another job's change, reload, and find nothing new. The wait has a timeout so
// that changes nobody notifies (a lease running out) and cancelled clients are noticed
// too.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace tributary::coordinator {

class JobEvents {
public:
    std::uint64_t generation() const;
    void notify();

    // Waits until the generation moves past `seen`, shutdown() is called, or timeout
    // passes; returns the generation then.
    std::uint64_t waitForChange(std::uint64_t seen, std::chrono::milliseconds timeout);

    // Wakes every watcher for good: they end their streams.
    void shutdown();
    bool isShutdown() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::uint64_t m_generation = 0;
    bool m_shutdown = false;
};

} // namespace tributary::coordinator
