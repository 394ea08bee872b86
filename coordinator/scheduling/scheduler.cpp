#include "coordinator/scheduling/scheduler.h"

#include "coordinator/scheduling/device_fit.h"
#include "coordinator/scheduling/job_lifecycle.h"

#include "tributary/v1/job.pb.h"

#include <algorithm>
#include <array>
#include <map>

namespace tributary::coordinator {

using engine::Status;

namespace {

// Expired leases handled per sweep; the rest wait for the next one.
constexpr std::uint32_t kExpiryBatch = 4096;

std::span<const AttemptState> excludedStates(VerificationPolicy policy)
{
    // Results compared between nodes must come from different nodes.
    static constexpr std::array<AttemptState, 4> kDistinctNodes
        = { AttemptState::Leased, AttemptState::Submitted, AttemptState::Accepted, AttemptState::Rejected };
    static constexpr std::array<AttemptState, 1> kOneLeaseAtATime = { AttemptState::Leased };
    if (policy == VerificationPolicy::Reference)
        return kOneLeaseAtATime;
    return kDistinctNodes;
}

struct Candidates {
    JobRecord job;
    std::vector<TaskRecord> tasks;
    std::size_t next = 0;
    std::uint32_t live = 0; // the job's running attempts, counting this round's grants
};

} // namespace

Scheduler::Scheduler(SchedulerOptions options)
    : m_options(options)
{
}

Status Scheduler::sweep(StoreTransaction &tx, std::int64_t nowMs, std::vector<std::string> *endedJobs)
{
    if (auto status = expireLeases(tx, nowMs, endedJobs); !status)
        return status;

    std::vector<JobRecord> active;
    if (auto status = tx.activeJobs(&active); !status)
        return status;
    for (JobRecord &job : active) {
        if (job.deadlineMs <= 0 || job.deadlineMs > nowMs)
            continue;
        if (auto status = endJob(tx, job, JobState::Failed,
                "deadline passed with " + std::to_string(job.tasksDone) + " of " + std::to_string(job.tasksTotal)
                    + " tasks done",
                nowMs);
            !status)
            return status;
        endedJobs->push_back(job.id);
    }
    return Status::ok();
}

Status Scheduler::expireLeases(StoreTransaction &tx, std::int64_t nowMs, std::vector<std::string> *endedJobs)
{
    endedJobs->clear();
    std::vector<AttemptRecord> expired;
    if (auto status = tx.expiredAttempts(nowMs, kExpiryBatch, &expired); !status)
        return status;
    for (AttemptRecord &attempt : expired) {
        std::optional<TaskRecord> task;
        std::optional<JobRecord> job;
        if (auto status = tx.findTask(attempt.taskId, &task); !status)
            return status;
        if (auto status = tx.findJobRow(attempt.jobId, &job); !status)
            return status;
        if (!task || !job)
            return Status::error("attempt " + std::to_string(attempt.attempt) + " of task " + attempt.taskId
                + " has no task or job");
        if (isTerminal(job->state))
            continue;
        if (auto status = failAttempt(tx, *job, *task, attempt, AttemptState::Expired,
                "lease ran out on node " + attempt.nodeId, m_options.backoff, nowMs);
            !status)
            return status;
        if (isTerminal(job->state))
            endedJobs->push_back(job->id);
    }
    return Status::ok();
}

Status Scheduler::lease(StoreTransaction &tx, const LeaseRequest &request, std::vector<LeasedTask> *leased)
{
    leased->clear();
    // A node caught returning wrong results gets no more work (the services refuse it
    // first; this keeps the rule true for every caller).
    if (request.node.dishonestMs != 0)
        return Status::ok();
    std::vector<JobRecord> active;
    if (auto status = tx.activeJobs(&active); !status)
        return status;

    std::vector<Candidates> candidates;
    for (JobRecord &job : active) {
        v1::JobSpec spec;
        if (!spec.ParseFromString(job.spec))
            return Status::error("job " + job.id + " has an unreadable spec");
        if (!whyDeviceDoesNotFit(request.device, job.mode, spec.requirements()).empty())
            continue;
        Candidates entry;
        entry.live = job.liveAttempts;
        entry.job = std::move(job);
        if (auto status = tx.openTasks(entry.job.id, request.nowMs, request.node.id, excludedStates(entry.job.policy),
                request.maxTasks, &entry.tasks);
            !status)
            return status;
        if (!entry.tasks.empty())
            candidates.push_back(std::move(entry));
    }

    const std::int64_t expiresMs = request.nowMs + m_options.leaseDuration.count();
    std::map<std::string, std::uint32_t> grantedPerJob;
    leased->reserve(request.maxTasks);
    while (leased->size() < request.maxTasks) {
        Candidates *pick = nullptr;
        for (Candidates &entry : candidates) {
            if (entry.next >= entry.tasks.size())
                continue;
            // `candidates` is oldest first, so a strict comparison keeps the oldest on a tie.
            if (!pick || entry.live < pick->live)
                pick = &entry;
        }
        if (!pick)
            break;
        TaskRecord &task = pick->tasks[pick->next++];
        ++pick->live;

        AttemptRecord attempt;
        attempt.taskId = task.id;
        attempt.attempt = ++task.lastAttempt;
        attempt.jobId = task.jobId;
        attempt.nodeId = request.node.id;
        attempt.deviceId = request.device.id();
        attempt.state = AttemptState::Leased;
        attempt.leasedMs = request.nowMs;
        attempt.leaseExpiresMs = expiresMs;
        if (auto status = tx.insertAttempt(attempt); !status)
            return status;
        ++task.live;
        task.state = openTaskState(task);
        if (auto status = tx.updateTask(task); !status)
            return status;
        ++grantedPerJob[task.jobId];
        leased->push_back(LeasedTask { task, std::move(attempt), nullptr });
    }

    for (Candidates &entry : candidates) {
        const auto granted = grantedPerJob.find(entry.job.id);
        if (granted == grantedPerJob.end())
            continue;
        entry.job.liveAttempts += granted->second;
        if (entry.job.state == JobState::Queued)
            entry.job.state = JobState::Running;
        if (auto status = tx.updateJob(entry.job); !status)
            return status;
        const auto job = std::make_shared<const JobRecord>(std::move(entry.job));
        for (LeasedTask &task : *leased) {
            if (task.task.jobId == job->id)
                task.job = job;
        }
    }
    return Status::ok();
}

Status Scheduler::renew(StoreTransaction &tx, const std::string &nodeId, const std::vector<TaskRef> &tasks,
    std::int64_t nowMs, std::vector<TaskRef> *revoked)
{
    revoked->clear();
    for (const TaskRef &ref : tasks) {
        std::optional<AttemptRecord> attempt;
        if (auto status = tx.findAttempt(ref.taskId, ref.attempt, &attempt); !status)
            return status;
        // A lease that ran out but was not swept yet is still the node's: renew it.
        if (!attempt || attempt->nodeId != nodeId || attempt->state != AttemptState::Leased) {
            revoked->push_back(ref);
            continue;
        }
        attempt->leaseExpiresMs = nowMs + m_options.leaseDuration.count();
        if (auto status = tx.updateAttempt(*attempt); !status)
            return status;
    }
    return Status::ok();
}

Status Scheduler::release(StoreTransaction &tx, const std::string &nodeId, const std::vector<TaskRef> &tasks,
    const std::string &reason, std::int64_t nowMs, std::vector<TaskRef> *released, std::vector<TaskRef> *notHeld)
{
    released->clear();
    notHeld->clear();
    for (const TaskRef &ref : tasks) {
        std::optional<AttemptRecord> attempt;
        if (auto status = tx.findAttempt(ref.taskId, ref.attempt, &attempt); !status)
            return status;
        if (!attempt || attempt->nodeId != nodeId || attempt->state != AttemptState::Leased) {
            notHeld->push_back(ref);
            continue;
        }
        std::optional<TaskRecord> task;
        std::optional<JobRecord> job;
        if (auto status = tx.findTask(ref.taskId, &task); !status)
            return status;
        if (task) {
            if (auto status = tx.findJobRow(task->jobId, &job); !status)
                return status;
        }
        if (!task || !job)
            return Status::error("task " + ref.taskId + " or its job vanished");
        attempt->state = AttemptState::Revoked;
        attempt->message = "handed back by node " + nodeId + (reason.empty() ? std::string() : ": " + reason);
        attempt->leaseExpiresMs = nowMs;
        if (auto status = tx.updateAttempt(*attempt); !status)
            return status;
        leaseEnded(*task, *job);
        task->state = openTaskState(*task);
        if (auto status = tx.updateTask(*task); !status)
            return status;
        if (auto status = tx.updateJob(*job); !status)
            return status;
        released->push_back(ref);
    }
    return Status::ok();
}

Status Scheduler::cancel(StoreTransaction &tx, JobRecord &job, const std::string &reason, std::int64_t nowMs)
{
    if (isTerminal(job.state))
        return Status::ok();
    return endJob(tx, job, JobState::Cancelled, reason, nowMs);
}

} // namespace tributary::coordinator
