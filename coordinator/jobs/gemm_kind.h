#pragma once

// GemmKind: GEMM jobs (tributary.v1.GemmJobSpec) as a JobKind, over GemmJob (the maths)
// and gemm_tasks.h (tasks, payloads, assembly).

#include "coordinator/jobs/job_kind.h"

namespace tributary::coordinator {

class GemmKind final : public JobKind {
public:
    std::string_view name() const override { return "gemm"; }
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
        const TaskRecord &task, std::string_view output, std::string_view outputSha256, std::string *rejection) const override;
    engine::Status resultsAgree(StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
        const AttemptRecord &b, bool *agree) const override;
    engine::Status assemble(StoreTransaction &tx, JobKindContext &context, JobRecord &job) const override;
    engine::Status result(StoreTransaction &tx, const JobRecord &job, v1::JobResult *out) const override;
};

} // namespace tributary::coordinator
