#pragma once

// The steps that move tasks and jobs between states, shared by the scheduler (leases,
// expiry, deadlines, cancel) and the verifier (results). Each works inside the caller's
// StoreTransaction and keeps the counters on the task and job rows in step with the
// attempts.

#include "coordinator/scheduling/retry_backoff.h"
#include "coordinator/store/store.h"

#include <cstdint>
#include <string>

namespace tributary::coordinator {

// The state a non-terminal task is in, from its counters: QUEUED while it needs more
// results than are in or being computed, VERIFYING while results wait for the others,
// RUNNING otherwise.
TaskState openTaskState(const TaskRecord &task);

// Counters on task and job rows drop by one as attempts move on; they never go below zero
// (a row edited by hand must not wrap an unsigned count around).
inline void countDown(std::uint32_t &counter)
{
    counter -= counter > 0 ? 1 : 0;
}

// A leased attempt ended (submitted, failed, expired, revoked): one fewer running on the
// task and on its job.
inline void leaseEnded(TaskRecord &task, JobRecord &job)
{
    countDown(task.live);
    countDown(job.liveAttempts);
}

// Ends a job: its leased and waiting attempts are revoked, its unfinished tasks FAILED,
// what is left in escrow refunded, and the job put in `state` (FAILED, CANCELLED or
// COMPLETED) with `message`.
engine::Status endJob(StoreTransaction &tx, JobRecord &job, JobState state, const std::string &message,
    std::int64_t nowMs);

// An attempt that produced no usable result: its lease ran out (Expired), its node
// reported an error (Failed) or the reference rejected it (Rejected). The task waits out
// the backoff and is leased again, or fails its job once it used up the job's attempts.
// Updates `attempt`, `task` and `job` in the store.
engine::Status failAttempt(StoreTransaction &tx, JobRecord &job, TaskRecord &task, AttemptRecord &attempt,
    AttemptState state, const std::string &message, const RetryBackoff &backoff, std::int64_t nowMs);

} // namespace tributary::coordinator
