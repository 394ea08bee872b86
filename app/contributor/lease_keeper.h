#pragma once

// LeaseKeeper: renews the lease of the task a contributor is running, from a thread of its
// own, because the contributor's thread is busy computing. Without it a task that runs
// longer than the coordinator's lease duration would be handed to another node half-way
// and the work thrown away.
//
//   LeaseKeeper keeper(client, nodeId, leaseDurationMs);
//   keeper.hold(taskId, attempt);          // heartbeats every third of the lease
//   ... run the task ...
//   keeper.release();                       // before submitting the result
//   if (keeper.revoked()) ...               // the coordinator took the task back meanwhile
//
// The thread is named "lease-keeper" and lives as long as the object.

#include "app/client/node_client.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace tributary {

class LeaseKeeper {
public:
    LeaseKeeper(client::NodeClient &client, std::string nodeId, std::chrono::milliseconds leaseDuration);
    ~LeaseKeeper();

    LeaseKeeper(const LeaseKeeper &) = delete;
    LeaseKeeper &operator=(const LeaseKeeper &) = delete;

    // Starts renewing this task's lease (replacing any other).
    void hold(const std::string &taskId, std::uint32_t attempt);
    // Stops renewing.
    void release();
    // Whether the coordinator answered, since hold(), that the node no longer holds the task.
    bool revoked() const;
    // Heartbeats sent since construction (for tests and logs).
    int heartbeats() const;

private:
    void run();

    client::NodeClient &m_client;
    const std::string m_nodeId;
    const std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::string m_taskId;        // guarded by m_mutex; empty: nothing held
    std::uint32_t m_attempt = 0; // guarded by m_mutex
    bool m_revoked = false;      // guarded by m_mutex
    bool m_stopping = false;     // guarded by m_mutex
    int m_heartbeats = 0;        // guarded by m_mutex
    std::thread m_thread;
};

} // namespace tributary
