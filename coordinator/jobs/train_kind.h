#pragma once

// TrainKind: training jobs (tributary.v1.TrainJobSpec) — a single training, a sweep of
// configurations, or low-communication data-parallel training (DiLoCo) — as a JobKind.
//
// Submit: the training set is cut into `workers` equal contiguous shards, stored as blobs
// with the test set and each run's initial parameters. A task is one worker's round
// (train_layout.h): a node fetches the round's global parameters and its shard and runs
// engine::training::trainSteps. When every worker of a round is accepted, the coordinator
// applies the outer optimizer (engine/training/outer_optimizer.h), stores the next global
// parameters, records the round's loss (and, when due, test accuracy and loss), and opens
// the next round. The result is each run's final parameters and evaluation.
//
// Training runs in exact mode only: rounds build on each other, so every result must be
// checked bit for bit before the next round starts — by replicate(k) or the coordinator's
// reference. spot_check is refused, since it may undo a result later, after the rounds
// that followed it were built on it.

#include "coordinator/jobs/job_kind.h"

namespace tributary::coordinator {

class TrainKind final : public JobKind {
public:
    static constexpr std::uint32_t kMaxRuns = 64;
    static constexpr std::uint32_t kMaxWorkers = 64;
    static constexpr std::uint64_t kMaxTasks = 65536;
    static constexpr std::uint32_t kMaxSteps = 1000000;
    static constexpr std::uint32_t kMaxWidth = 4096;
    static constexpr std::uint32_t kMaxClasses = 1000;

    std::string_view name() const override { return "train"; }
    engine::Status validate(const v1::JobSpec &spec) const override;
    engine::Status planTasks(const v1::JobSpec &spec, const JobRecord &job, std::uint32_t needed,
        std::vector<TaskRecord> *tasks) const override;
    engine::Status prepareInputs(StoreTransaction &tx, const v1::JobSpec &spec, JobRecord *job,
        std::vector<JobInputBlob> *blobs) const override;
    engine::Status fillPayload(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task,
        v1::Task *out) const override;
    engine::Status checkOutput(const JobRecord &job, const TaskRecord &task, std::uint64_t size,
        std::string *rejection) const override;
    engine::Status verifyByReference(Store &store, JobKindContext &context, const JobRecord &job,
        const TaskRecord &task, std::string_view output, std::string_view outputSha256,
        std::string *rejection) const override;
    engine::Status resultsAgree(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
        const AttemptRecord &b, bool *agree) const override;
    engine::Status taskAccepted(StoreTransaction &tx, JobKindContext &context, JobRecord &job,
        const TaskRecord &task, std::int64_t nowMs) const override;
    engine::Status assemble(StoreTransaction &tx, JobKindContext &context, JobRecord &job) const override;
    engine::Status result(StoreTransaction &tx, const JobRecord &job, v1::JobResult *out) const override;
};

} // namespace tributary::coordinator
