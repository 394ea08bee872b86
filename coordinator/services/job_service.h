#pragma once

// JobService: the gRPC service researchers' clients call (tributary.v1.JobService, see
// proto/tributary/v1/job.proto for the contract).
//
//   SubmitJob     validates the spec (INVALID_ARGUMENT naming the field), estimates the
//                 cost, checks it against the caller's balance (FAILED_PRECONDITION), and
//                 stores the inputs, the job, its tasks and the escrow hold atomically.
//   EstimateJob   the same estimate, without submitting.
//   GetJob        the job's status with task counts by state and credits spent.
//   WatchJob      the status now and again whenever it changes, until the job ends, the
//                 client cancels, or the coordinator shuts down (UNAVAILABLE).
//   CancelJob     revokes the job's leases and refunds what is left in escrow.
//   ListJobs      the caller's jobs, newest first.
//   GetJobResult  FAILED_PRECONDITION until the job is COMPLETED, then its result (kind's
//                 JobKind::result) with its SHA-256.
//   GetJobMetrics a training job's loss and accuracy per run and round so far.
//
// A job is visible to its owner and administrators (PERMISSION_DENIED for others);
// unknown ids are NOT_FOUND; storage failures are INTERNAL.

#include "coordinator/services/service_context.h"

#include "tributary/v1/job.grpc.pb.h"

#include <chrono>
#include <optional>
#include <string>

namespace tributary::coordinator {

class JobService final : public v1::JobService::Service {
public:
    // How long a watcher sleeps without a notification before it looks again anyway:
    // catches leases running out and clients that went away.
    static constexpr std::chrono::milliseconds kWatchPoll { 1000 };
    // At most this often a watcher reloads its job: a busy job changes with every result,
    // and a status costs queries over all its tasks.
    static constexpr std::chrono::milliseconds kWatchMinInterval { 100 };

    explicit JobService(ServiceContext context);

    grpc::Status SubmitJob(grpc::ServerContext *context, const v1::SubmitJobRequest *request,
        v1::SubmitJobResponse *response) override;
    grpc::Status EstimateJob(
        grpc::ServerContext *context, const v1::SubmitJobRequest *request, v1::JobEstimate *response) override;
    grpc::Status GetJob(grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobStatus *response) override;
    grpc::Status WatchJob(grpc::ServerContext *context, const v1::GetJobRequest *request,
        grpc::ServerWriter<v1::JobStatus> *writer) override;
    grpc::Status CancelJob(
        grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobStatus *response) override;
    grpc::Status ListJobs(grpc::ServerContext *context, const v1::ListJobsRequest *request,
        v1::ListJobsResponse *response) override;
    grpc::Status GetJobResult(
        grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobResult *response) override;
    grpc::Status GetJobMetrics(
        grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobMetrics *response) override;

private:
    // Loads a job the caller may see, with its status.
    grpc::Status loadStatus(const AccountRecord &caller, const std::string &jobId, v1::JobStatus *status,
        std::optional<JobRecord> *job = nullptr);

    ServiceContext m_context;
};

} // namespace tributary::coordinator
