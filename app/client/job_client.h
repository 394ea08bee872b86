#pragma once

// JobClient: the researcher's side of JobService. Blocking calls; use it from a worker
// thread. watchJob() blocks until the job ends, the stream fails or cancel() is called
// from another thread.

#include "app/client/channel.h"

#include "tributary/v1/job.grpc.pb.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace tributary::client {

class JobClient {
public:
    explicit JobClient(Endpoint endpoint, std::chrono::milliseconds callTimeout = std::chrono::seconds(30));

    grpc::Status submitJob(const v1::JobSpec &spec, v1::SubmitJobResponse *response);
    grpc::Status getJob(const QString &jobId, v1::JobStatus *status);
    grpc::Status getJobResult(const QString &jobId, v1::JobResult *result);
    // A training job's loss and accuracy per run and round so far.
    grpc::Status getJobMetrics(const QString &jobId, v1::JobMetrics *metrics);

    // Calls onStatus for every status the coordinator streams, until the job reaches a
    // final state (returns OK), the stream breaks, or cancel() is called (CANCELLED).
    grpc::Status watchJob(const QString &jobId,
                          const std::function<void(const v1::JobStatus &)> &onStatus);

    // Ends a watchJob() running on another thread. Safe to call at any time.
    void cancel();

private:
    Endpoint m_endpoint;
    std::unique_ptr<v1::JobService::Stub> m_stub;
    std::chrono::milliseconds m_callTimeout;

    std::mutex m_watchMutex;
    grpc::ClientContext *m_watchContext = nullptr; // guarded by m_watchMutex
    bool m_cancelled = false;                       // guarded by m_watchMutex
};

// True for COMPLETED, FAILED and CANCELLED.
bool isFinalState(v1::JobState state);

} // namespace tributary::client
