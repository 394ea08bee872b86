#pragma once

// JobKind: everything the coordinator's generic machinery (services, scheduler, verifier)
// needs to know about one kind of job — GEMM, training, inference. Each kind lives in its
// own files under jobs/; JobKinds (job_kinds.h) holds one of each and finds the kind of a
// spec or a stored job.
//
// The path of a job through a kind:
//   validate + plan      SubmitJob / EstimateJob: check the spec, lay out the tasks
//   prepareInputs        SubmitJob: build the input blobs (matrices, dataset shards,
//                        initial parameters) stored with the job
//   fillPayload          LeaseTasks: what a node needs to run one task
//   checkOutput          SubmitResults: is the output the right size
//   verifyByReference    SubmitResults under the reference policy: recompute and compare
//   taskAccepted         the verifier accepted a task (a training round may now advance)
//   assemble             the last task was accepted: build and store the job's result
//   result               GetJobResult

#include "coordinator/cpu_backend_pool.h"
#include "coordinator/store/blob_cache.h"
#include "coordinator/store/store.h"
#include "engine/status.h"

#include "tributary/v1/job.pb.h"
#include "tributary/v1/node.pb.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::coordinator {

// A blob a job brings with it, stored in the transaction that stores the job.
struct JobInputBlob {
    std::string role; // job_inputs role: "a", "shard-3/features", …
    std::string bytes;
};

// What a kind may use besides the store transaction it is handed.
struct JobKindContext {
    BlobCache &inputs;
    CpuBackendPool &cpu;
};

class JobKind {
public:
    virtual ~JobKind() = default;

    // "gemm", "train", "inference": JobRecord::kind.
    virtual std::string_view name() const = 0;

    // Checks the kind's part of the spec; the message names the field. Cheap: no data is
    // read (EstimateJob calls it too).
    virtual engine::Status validate(const v1::JobSpec &spec) const = 0;

    // The job's tasks (job.id is set), each QUEUED and needing `needed` agreeing results.
    // A task that must wait for others (a later training round) gets notBeforeMs =
    // kWaitingForOtherTasks. The spec has passed validate().
    virtual engine::Status planTasks(const v1::JobSpec &spec, const JobRecord &job, std::uint32_t needed,
        std::vector<TaskRecord> *tasks) const = 0;

    // The input blobs, and job->inputs naming them. May read blobs the client uploaded.
    virtual engine::Status prepareInputs(StoreTransaction &tx, const v1::JobSpec &spec, JobRecord *job,
        std::vector<JobInputBlob> *blobs) const = 0;

    virtual engine::Status fillPayload(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task,
        v1::Task *out) const = 0;

    // Sets *rejection when an output of `size` bytes cannot be the task's result.
    virtual engine::Status checkOutput(const JobRecord &job, const TaskRecord &task, std::uint64_t size,
        std::string *rejection) const = 0;

    // Recomputes the task on the coordinator's CPU and compares bit for bit; sets
    // *rejection to what is wrong, or clears it. Runs outside any store transaction.
    virtual engine::Status verifyByReference(Store &store, JobKindContext &context, const JobRecord &job,
        const TaskRecord &task, std::string_view output, std::string_view outputSha256, std::string *rejection) const = 0;

    // Whether two fast-mode outputs agree (kinds that run only in exact mode leave *agree
    // false: their digests must be equal).
    virtual engine::Status resultsAgree(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
        const AttemptRecord &b, bool *agree) const = 0;

    // Called in the transaction that accepts `task`, before the job's completion is
    // checked. Default: nothing.
    virtual engine::Status taskAccepted(StoreTransaction &tx, JobKindContext &context, JobRecord &job,
        const TaskRecord &task, std::int64_t nowMs) const;

    virtual engine::Status assemble(StoreTransaction &tx, JobKindContext &context, JobRecord &job) const = 0;

    // Fills a completed job's result (job_id, verified and sha256 are the caller's). `job`
    // comes with its inputs (StoreTransaction::findJob).
    virtual engine::Status result(StoreTransaction &tx, const JobRecord &job, v1::JobResult *out) const = 0;
};

// notBeforeMs of a task that waits for other tasks (the previous round) to be accepted.
constexpr std::int64_t kWaitingForOtherTasks = INT64_MAX;

// Reads the output an accepted (or submitted) attempt left: stored with the attempt, or
// uploaded as a blob of its own.
engine::Status attemptOutput(StoreTransaction &tx, const AttemptRecord &attempt, std::string *output);

} // namespace tributary::coordinator
