#pragma once

// Scheduler: who runs what, and until when.
//
//   Scheduler scheduler(options);
//   store.write([&](StoreTransaction &tx) { return scheduler.sweep(tx, now, &ended); });
//   store.write([&](StoreTransaction &tx) { return scheduler.lease(tx, request, &leased); });
//
// Leasing: a node's device gets QUEUED tasks of active jobs whose mode and requirements it
// fits (device_fit.h), whose backoff has passed, and that it has not already run (under
// replicate and spot-check policies a task's results must come from different nodes).
// Fair share: tasks are handed out one at a time to the job with the fewest running
// attempts, the oldest first on a tie, so a big job cannot starve a small one.
//
// Expiry: a lease lasts leaseDuration unless renewed by a heartbeat or progress report.
// sweep() turns run-out leases into failed attempts (retry with backoff, up to the job's
// attempt limit) and fails jobs past their deadline. The coordinator calls it before every
// lease and on a timer, so nothing depends on a node coming back.

#include "coordinator/scheduling/retry_backoff.h"
#include "coordinator/store/store.h"

#include "tributary/v1/common.pb.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tributary::coordinator {

struct SchedulerOptions {
    std::chrono::milliseconds leaseDuration { 15000 };
    RetryBackoff backoff;
};

struct LeaseRequest {
    NodeRecord node;
    v1::Device device; // one of the node's registered devices
    std::uint32_t maxTasks = 1;
    std::int64_t nowMs = 0;
};

struct LeasedTask {
    TaskRecord task;
    AttemptRecord attempt;
    std::shared_ptr<const JobRecord> job; // shared by the batch's tasks of one job
};

struct TaskRef {
    std::string taskId;
    std::uint32_t attempt = 0;
};

class Scheduler {
public:
    explicit Scheduler(SchedulerOptions options);

    const SchedulerOptions &options() const { return m_options; }

    // Expires run-out leases and ends jobs past their deadline; *endedJobs lists the jobs
    // that ended.
    engine::Status sweep(StoreTransaction &tx, std::int64_t nowMs, std::vector<std::string> *endedJobs);
    // Only the leases part of sweep(): cheap enough to run before every lease.
    engine::Status expireLeases(StoreTransaction &tx, std::int64_t nowMs, std::vector<std::string> *endedJobs);

    engine::Status lease(StoreTransaction &tx, const LeaseRequest &request, std::vector<LeasedTask> *leased);

    // Extends the leases the node holds among `tasks` to now + leaseDuration; the ones it
    // no longer holds go to *revoked.
    engine::Status renew(StoreTransaction &tx, const std::string &nodeId, const std::vector<TaskRef> &tasks,
        std::int64_t nowMs, std::vector<TaskRef> *revoked);

    // Takes back leases the node gives up (its user paused or switched off the device, or
    // a task cannot finish in time): each task is open to any node again at once, with no
    // failure counted and no backoff. Leases the node no longer holds go to *notHeld.
    engine::Status release(StoreTransaction &tx, const std::string &nodeId, const std::vector<TaskRef> &tasks,
        const std::string &reason, std::int64_t nowMs, std::vector<TaskRef> *released, std::vector<TaskRef> *notHeld);

    // Cancels a job that has not ended: leases revoked, escrow refunded.
    engine::Status cancel(StoreTransaction &tx, JobRecord &job, const std::string &reason, std::int64_t nowMs);

private:
    SchedulerOptions m_options;
};

} // namespace tributary::coordinator
