#include "engine/cpu/thread_pool.h"

namespace tributary::engine {

ThreadPool::ThreadPool(int threadCount)
{
    for (int i = 1; i < threadCount; ++i)
        m_workers.emplace_back([this](std::stop_token stop) { workerLoop(stop); });
}

ThreadPool::~ThreadPool()
{
    for (auto &worker : m_workers)
        worker.request_stop();
    m_wake.notify_all();
    // jthread joins on destruction.
}

void ThreadPool::parallelFor(int count, const std::function<void(int)> &task)
{
    if (count <= 0)
        return;
    if (m_workers.empty() || count == 1) {
        for (int i = 0; i < count; ++i)
            task(i);
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_task = &task;
        m_taskCount = count;
        m_nextTask = 0;
        m_pendingWorkers = static_cast<int>(m_workers.size());
        ++m_round;
    }
    m_wake.notify_all();
    runTasks();
    // Every worker must have finished this round before `task` goes out of scope,
    // otherwise a late one could run a dangling function.
    std::unique_lock lock(m_mutex);
    m_finished.wait(lock, [this] { return m_pendingWorkers == 0; });
    m_task = nullptr;
}

void ThreadPool::runTasks()
{
    for (;;) {
        int index = 0;
        const std::function<void(int)> *task = nullptr;
        {
            std::lock_guard lock(m_mutex);
            if (m_nextTask >= m_taskCount)
                return;
            index = m_nextTask++;
            task = m_task;
        }
        (*task)(index);
    }
}

void ThreadPool::workerLoop(std::stop_token stop)
{
    std::uint64_t seenRound = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (!m_wake.wait(lock, stop, [&] { return m_round != seenRound; }))
                return; // stop requested
            seenRound = m_round;
        }
        runTasks();
        std::lock_guard lock(m_mutex);
        if (--m_pendingWorkers == 0)
            m_finished.notify_one();
    }
}

} // namespace tributary::engine
