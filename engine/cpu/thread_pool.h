#pragma once

// ThreadPool: a fixed set of worker threads for data-parallel loops.
//
//   ThreadPool pool(std::thread::hardware_concurrency());
//   pool.parallelFor(tasks, [&](int task) { ... });   // returns when every task is done
//
// The calling thread takes part in the work, so a pool of N threads starts N-1 workers.
// parallelFor is meant to be called from one thread at a time (the owning backend's).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tributary::engine {

class ThreadPool {
public:
    explicit ThreadPool(int threadCount);
    ~ThreadPool();

    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    // Threads that run tasks, the caller included.
    int threadCount() const { return static_cast<int>(m_workers.size()) + 1; }

    // Runs task(0) … task(count-1), each exactly once, spread over all threads.
    void parallelFor(int count, const std::function<void(int)> &task);

private:
    void workerLoop(std::stop_token stop);
    void runTasks();

    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::condition_variable m_finished;
    const std::function<void(int)> *m_task = nullptr;
    int m_taskCount = 0;
    int m_nextTask = 0;            // guarded by m_mutex, like everything above
    int m_pendingWorkers = 0;      // workers that have not yet finished the current round
    std::uint64_t m_round = 0;
    std::vector<std::jthread> m_workers; // last, so threads start after the state exists
};

} // namespace tributary::engine
