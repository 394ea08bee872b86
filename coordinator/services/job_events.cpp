#include "coordinator/services/job_events.h"

namespace tributary::coordinator {

std::uint64_t JobEvents::generation() const
{
    std::lock_guard lock(m_mutex);
    return m_generation;
}

void JobEvents::notify()
{
    {
        std::lock_guard lock(m_mutex);
        ++m_generation;
    }
    m_changed.notify_all();
}

std::uint64_t JobEvents::waitForChange(std::uint64_t seen, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return m_shutdown || m_generation != seen; });
    return m_generation;
}

void JobEvents::shutdown()
{
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
    }
    m_changed.notify_all();
}

bool JobEvents::isShutdown() const
{
    std::lock_guard lock(m_mutex);
    return m_shutdown;
}

} // namespace tributary::coordinator
