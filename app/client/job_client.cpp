#include "app/client/job_client.h"

#include "app/client/channel.h"

namespace tributary::client {

JobClient::JobClient(Endpoint endpoint, std::chrono::milliseconds callTimeout)
    : m_endpoint(std::move(endpoint))
    , m_stub(v1::JobService::NewStub(makeChannel(m_endpoint)))
    , m_callTimeout(callTimeout)
{
}

grpc::Status JobClient::submitJob(const v1::JobSpec &spec, v1::SubmitJobResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    return m_stub->SubmitJob(&context, request, response);
}

grpc::Status JobClient::getJob(const QString &jobId, v1::JobStatus *status)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    v1::GetJobRequest request;
    request.set_job_id(jobId.toStdString());
    return m_stub->GetJob(&context, request, status);
}

grpc::Status JobClient::getJobResult(const QString &jobId, v1::JobResult *result)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    v1::GetJobRequest request;
    request.set_job_id(jobId.toStdString());
    return m_stub->GetJobResult(&context, request, result);
}

grpc::Status JobClient::getJobMetrics(const QString &jobId, v1::JobMetrics *metrics)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    v1::GetJobRequest request;
    request.set_job_id(jobId.toStdString());
    return m_stub->GetJobMetrics(&context, request, metrics);
}

grpc::Status JobClient::watchJob(const QString &jobId,
                                 const std::function<void(const v1::JobStatus &)> &onStatus)
{
    grpc::ClientContext context;
    if (!m_endpoint.token.isEmpty())
        context.AddMetadata("authorization", "Bearer " + m_endpoint.token.toStdString());
    {
        std::lock_guard lock(m_watchMutex);
        if (m_cancelled)
            return grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled");
        m_watchContext = &context;
    }
    v1::GetJobRequest request;
    request.set_job_id(jobId.toStdString());
    auto reader = m_stub->WatchJob(&context, request);
    v1::JobStatus status;
    bool sawFinal = false;
    while (reader->Read(&status)) {
        onStatus(status);
        if (isFinalState(status.state()))
            sawFinal = true;
    }
    grpc::Status result = reader->Finish();
    {
        std::lock_guard lock(m_watchMutex);
        m_watchContext = nullptr;
    }
    if (result.ok() && !sawFinal)
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the coordinator ended the watch early");
    return result;
}

void JobClient::cancel()
{
    std::lock_guard lock(m_watchMutex);
    m_cancelled = true;
    if (m_watchContext)
        m_watchContext->TryCancel();
}

bool isFinalState(v1::JobState state)
{
    return state == v1::JOB_STATE_COMPLETED || state == v1::JOB_STATE_FAILED
        || state == v1::JOB_STATE_CANCELLED;
}

} // namespace tributary::client
