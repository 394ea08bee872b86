#include "coordinator/scheduling/job_lifecycle.h"

#include "coordinator/ledger/ledger.h"

namespace tributary::coordinator {

using engine::Status;

TaskState openTaskState(const TaskRecord &task)
{
    if (task.needed > task.submitted + task.live)
        return TaskState::Queued;
    if (task.submitted > 0)
        return TaskState::Verifying;
    return TaskState::Running;
}

Status endJob(StoreTransaction &tx, JobRecord &job, JobState state, const std::string &message, std::int64_t nowMs)
{
    for (AttemptState open : { AttemptState::Leased, AttemptState::Submitted }) {
        std::vector<AttemptRecord> attempts;
        if (auto status = tx.jobAttempts(job.id, open, &attempts); !status)
            return status;
        for (AttemptRecord &attempt : attempts) {
            attempt.state = AttemptState::Revoked;
            attempt.message = "job ended: " + message;
            if (auto status = tx.updateAttempt(attempt); !status)
                return status;
        }
    }
    if (state != JobState::Completed) {
        std::vector<TaskRecord> tasks;
        if (auto status = tx.jobTasks(job.id, &tasks); !status)
            return status;
        for (TaskRecord &task : tasks) {
            if (isTerminal(task.state))
                continue;
            task.state = TaskState::Failed;
            task.live = 0;
            task.submitted = 0;
            if (auto status = tx.updateTask(task); !status)
                return status;
        }
    }
    job.state = state;
    job.message = message;
    job.liveAttempts = 0;
    job.finishedMs = nowMs;
    if (auto status = Ledger::refund(tx, job, nowMs); !status)
        return status;
    return tx.updateJob(job);
}

Status failAttempt(StoreTransaction &tx, JobRecord &job, TaskRecord &task, AttemptRecord &attempt,
    AttemptState state, const std::string &message, const RetryBackoff &backoff, std::int64_t nowMs)
{
    const bool wasLeased = attempt.state == AttemptState::Leased;
    const bool wasSubmitted = attempt.state == AttemptState::Submitted;
    attempt.state = state;
    attempt.message = message;
    if (auto status = tx.updateAttempt(attempt); !status)
        return status;
    if (wasLeased) {
        leaseEnded(task, job);
    }
    if (wasSubmitted)
        countDown(task.submitted);
    ++task.failures;
    if (task.failures >= job.maxAttempts) {
        task.state = TaskState::Failed;
        if (auto status = tx.updateTask(task); !status)
            return status;
        return endJob(tx, job,
            JobState::Failed,
            "task " + std::to_string(task.index) + " failed " + std::to_string(task.failures)
                + " times; last: " + message,
            nowMs);
    }
    task.notBeforeMs = nowMs + backoff.delayMs(task.failures);
    task.state = openTaskState(task);
    if (auto status = tx.updateTask(task); !status)
        return status;
    return tx.updateJob(job);
}

} // namespace tributary::coordinator
