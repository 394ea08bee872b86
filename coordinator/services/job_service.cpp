#include "coordinator/job_service.h"

#include "coordinator/gemm_job.h"
#include "engine/sha256.h"

#include <grpcpp/server_context.h>

namespace tributary::coordinator {

using grpc::StatusCode;

namespace {

static_assert(int(v1::JOB_STATE_QUEUED) == int(JobState::Queued)
    && int(v1::JOB_STATE_RUNNING) == int(JobState::Running)
    && int(v1::JOB_STATE_COMPLETED) == int(JobState::Completed)
    && int(v1::JOB_STATE_FAILED) == int(JobState::Failed)
    && int(v1::JOB_STATE_CANCELLED) == int(JobState::Cancelled));

std::span<const std::byte> asBytes(const std::vector<float> &values)
{
    return std::as_bytes(std::span(values));
}

void toStatus(const JobRecord &job, v1::JobStatus *status)
{
    status->set_job_id(job.id);
    status->set_name(job.name);
    status->set_state(static_cast<v1::JobState>(job.state));
    status->set_tasks_total(job.tasksTotal);
    status->set_tasks_done(job.tasksDone);
    status->set_tasks_leased(job.tasksLeased);
    status->set_message(job.message);
    status->set_result_sha256(job.resultSha256);
    status->set_created_unix_ms(static_cast<std::uint64_t>(job.createdMs));
    status->set_finished_unix_ms(static_cast<std::uint64_t>(job.finishedMs));
}

} // namespace

JobService::JobService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status JobService::loadStatus(
    const std::string &jobId, v1::JobStatus *status, std::optional<JobRecord> *job)
{
    if (jobId.empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "job_id is empty");
    std::optional<JobRecord> found;
    if (auto stored = m_context.store.findJob(jobId, m_context.clock.nowMs(), &found); !stored)
        return m_context.internalError("loading job " + jobId, stored);
    if (!found)
        return grpc::Status(StatusCode::NOT_FOUND, "job " + jobId + " not found");
    toStatus(*found, status);
    if (job)
        *job = std::move(found);
    return grpc::Status::OK;
}

grpc::Status JobService::SubmitJob(
    grpc::ServerContext *, const v1::SubmitJobRequest *request, v1::SubmitJobResponse *response)
{
    if (!request->has_spec())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "spec is missing");
    const v1::JobSpec &spec = request->spec();
    if (spec.kind_case() != v1::JobSpec::kGemm)
        return grpc::Status(
            StatusCode::INVALID_ARGUMENT, "spec.kind is not set: this coordinator runs gemm jobs");
    if (auto status = GemmJob::validate(spec.gemm()); !status)
        return grpc::Status(StatusCode::INVALID_ARGUMENT, status.message());

    const GemmJob gemm(spec.gemm());
    const std::vector<float> a = gemm.generateA();
    const std::vector<float> b = gemm.generateB();
    const BlobRecord blobs[]
        = { { engine::sha256Hex(asBytes(a)), asBytes(a) }, { engine::sha256Hex(asBytes(b)), asBytes(b) } };

    JobRecord job;
    job.id = m_context.ids.next("job");
    job.name = spec.name();
    job.kind = "gemm";
    job.spec = spec.SerializeAsString();
    job.createdMs = m_context.clock.nowMs();
    job.inputs = { { "a", blobs[0].sha256 }, { "b", blobs[1].sha256 } };

    std::vector<TaskRecord> tasks;
    for (const GemmTile &tile : gemm.tiles()) {
        TaskRecord task;
        task.id = job.id + "-t" + std::to_string(tile.index);
        task.jobId = job.id;
        task.index = tile.index;
        task.row0 = tile.row0;
        task.col0 = tile.col0;
        task.rows = tile.rows;
        task.cols = tile.cols;
        task.inputBytes = gemm.inputBytes(tile);
        tasks.push_back(std::move(task));
    }
    if (auto status = m_context.store.createJob(job, blobs, tasks); !status)
        return m_context.internalError("storing job " + job.id, status);

    m_context.logMessage(engine::LogLevel::Info,
        "job " + job.id + " (\"" + job.name + "\") submitted: gemm " + std::to_string(spec.gemm().m()) + "×"
            + std::to_string(spec.gemm().n()) + "×" + std::to_string(spec.gemm().k()) + ", "
            + std::to_string(tasks.size()) + " tasks");
    m_context.events.notify();
    response->set_job_id(job.id);
    response->set_task_count(static_cast<std::uint32_t>(tasks.size()));
    return grpc::Status::OK;
}

grpc::Status JobService::GetJob(
    grpc::ServerContext *, const v1::GetJobRequest *request, v1::JobStatus *response)
{
    return loadStatus(request->job_id(), response);
}

grpc::Status JobService::WatchJob(
    grpc::ServerContext *context, const v1::GetJobRequest *request, grpc::ServerWriter<v1::JobStatus> *writer)
{
    std::string lastSent;
    for (;;) {
        // Read the generation before loading, so that a change committed in between
        // wakes the next wait at once instead of being missed.
        const std::uint64_t seen = m_context.events.generation();
        v1::JobStatus status;
        if (auto loaded = loadStatus(request->job_id(), &status); !loaded.ok())
            return loaded;
        std::string serialized = status.SerializeAsString();
        if (serialized != lastSent) {
            if (!writer->Write(status))
                return grpc::Status(StatusCode::CANCELLED, "the client went away");
            lastSent = std::move(serialized);
        }
        if (isTerminal(static_cast<JobState>(status.state())))
            return grpc::Status::OK;

        m_context.events.waitForChange(seen, kWatchPoll);
        if (m_context.events.isShutdown())
            return grpc::Status(StatusCode::UNAVAILABLE, "the coordinator is shutting down");
        if (context->IsCancelled())
            return grpc::Status(StatusCode::CANCELLED, "cancelled by the client");
    }
}

grpc::Status JobService::GetJobResult(
    grpc::ServerContext *, const v1::GetJobRequest *request, v1::JobResult *response)
{
    v1::JobStatus status;
    std::optional<JobRecord> job;
    if (auto loaded = loadStatus(request->job_id(), &status, &job); !loaded.ok())
        return loaded;
    if (job->state != JobState::Completed)
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "job " + job->id + " is " + v1::JobState_Name(status.state()) + ", not COMPLETED"
                + (job->message.empty() ? "" : ": " + job->message));

    v1::JobSpec spec;
    if (!spec.ParseFromString(job->spec) || !spec.has_gemm())
        return m_context.internalError("reading job " + job->id, engine::Status::error("unreadable spec"));
    std::optional<std::string> data;
    if (auto stored = m_context.store.readBlob(job->resultSha256, &data); !stored)
        return m_context.internalError("reading the result of job " + job->id, stored);
    if (!data)
        return m_context.internalError("reading the result of job " + job->id,
            engine::Status::error("result blob " + job->resultSha256 + " is missing"));
    response->set_job_id(job->id);
    response->set_rows(spec.gemm().m());
    response->set_cols(spec.gemm().n());
    response->set_data(std::move(*data));
    response->set_sha256(job->resultSha256);
    // Only verified tiles are ever stored, so a completed job's result is verified.
    response->set_verified(true);
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
