#pragma once

// JobService: the gRPC service researchers' clients call (tributary.v1.JobService, see
// proto/tributary/v1/job.proto for the contract).
//
//   SubmitJob     validates the spec (INVALID_ARGUMENT naming the field), generates the
//                 inputs (GEMM: A from seed, B from seed + 1, see gemm_job.h) and stores
//                 them with the job and one task per tile, atomically.
//   GetJob        the job's status.
//   WatchJob      the status now and again whenever it changes, until the job ends
//                 (COMPLETED, FAILED, CANCELLED), the client cancels, or the coordinator
//                 shuts down (the stream then ends with UNAVAILABLE).
//   GetJobResult  FAILED_PRECONDITION until the job is COMPLETED, then C with its SHA-256.
//
// Unknown job ids are NOT_FOUND; storage failures are INTERNAL.

#include "coordinator/service_context.h"

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

    explicit JobService(ServiceContext context);

    grpc::Status SubmitJob(grpc::ServerContext *context, const v1::SubmitJobRequest *request,
        v1::SubmitJobResponse *response) override;
    grpc::Status GetJob(
        grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobStatus *response) override;
    grpc::Status WatchJob(grpc::ServerContext *context, const v1::GetJobRequest *request,
        grpc::ServerWriter<v1::JobStatus> *writer) override;
    grpc::Status GetJobResult(
        grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobResult *response) override;

private:
    // Loads a job's status; NOT_FOUND for an unknown id.
    grpc::Status loadStatus(
        const std::string &jobId, v1::JobStatus *status, std::optional<JobRecord> *job = nullptr);

    ServiceContext m_context;
};

} // namespace tributary::coordinator
