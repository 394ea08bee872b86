#include "app/contributor/lease_keeper.h"

#include <pthread.h>

namespace tributary {

LeaseKeeper::LeaseKeeper(client::NodeClient &client, std::string nodeId, std::chrono::milliseconds leaseDuration)
    : m_client(client)
    , m_nodeId(std::move(nodeId))
    // A third of the lease: two heartbeats may be lost before the lease runs out.
    , m_interval(std::max(leaseDuration / 3, std::chrono::milliseconds(10)))
    , m_thread([this] { run(); })
{
}

LeaseKeeper::~LeaseKeeper()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void LeaseKeeper::hold(const std::string &taskId, std::uint32_t attempt)
{
    {
        std::lock_guard lock(m_mutex);
        m_taskId = taskId;
        m_attempt = attempt;
        m_revoked = false;
    }
    m_changed.notify_all();
}

void LeaseKeeper::release()
{
    std::lock_guard lock(m_mutex);
    m_taskId.clear();
}

bool LeaseKeeper::revoked() const
{
    std::lock_guard lock(m_mutex);
    return m_revoked;
}

int LeaseKeeper::heartbeats() const
{
    std::lock_guard lock(m_mutex);
    return m_heartbeats;
}

void LeaseKeeper::run()
{
    pthread_setname_np(pthread_self(), "lease-keeper");
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_taskId.empty()) {
            m_changed.wait(lock, [this] { return m_stopping || !m_taskId.empty(); });
            continue;
        }
        // Wait one interval; a new hold() or release() in between starts the wait over.
        const std::string taskId = m_taskId;
        const std::uint32_t attempt = m_attempt;
        if (m_changed.wait_for(lock, m_interval,
                [&] { return m_stopping || m_taskId != taskId || m_attempt != attempt; }))
            continue;

        lock.unlock();
        v1::HeartbeatRequest request;
        request.set_node_id(m_nodeId);
        v1::TaskRef *ref = request.add_tasks();
        ref->set_task_id(taskId);
        ref->set_attempt(attempt);
        v1::HeartbeatResponse response;
        const grpc::Status status = m_client.heartbeat(request, &response);
        lock.lock();
        ++m_heartbeats;
        // An unreachable coordinator is not a revocation: the lease may still be ours when
        // it comes back, and the submit will tell.
        if (status.ok() && response.revoked_size() > 0 && m_taskId == taskId && m_attempt == attempt)
            m_revoked = true;
    }
}

} // namespace tributary
