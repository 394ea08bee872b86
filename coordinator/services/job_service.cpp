#include "coordinator/services/job_service.h"

#include "coordinator/ledger/ledger.h"
#include "coordinator/ledger/pricing.h"
#include "engine/sha256.h"

#include <grpcpp/server_context.h>

#include <cmath>
#include <cstdio>
#include <thread>

namespace tributary::coordinator {

using grpc::StatusCode;

namespace {

static_assert(int(v1::JOB_STATE_QUEUED) == int(JobState::Queued) && int(v1::JOB_STATE_RUNNING) == int(JobState::Running)
    && int(v1::JOB_STATE_COMPLETED) == int(JobState::Completed) && int(v1::JOB_STATE_FAILED) == int(JobState::Failed)
    && int(v1::JOB_STATE_CANCELLED) == int(JobState::Cancelled));
static_assert(int(v1::EXECUTION_MODE_EXACT) == int(ExecutionMode::Exact)
    && int(v1::EXECUTION_MODE_FAST) == int(ExecutionMode::Fast));

constexpr std::uint32_t kMaxAttemptsLimit = 100;

std::string credits(std::int64_t units)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.9g credits", double(units) / double(kUnitsPerCredit));
    return text;
}

// A checked spec, ready to become a job.
struct PlannedJob {
    JobRecord job;
    const JobKind *kind = nullptr;
    std::vector<TaskRecord> tasks;
    v1::JobEstimate estimate;
};

grpc::Status invalid(const std::string &message)
{
    return grpc::Status(StatusCode::INVALID_ARGUMENT, message);
}

// Checks a spec and plans the job: its policy, its tasks and what it will cost.
grpc::Status planJob(const v1::SubmitJobRequest &request, const AccountRecord &caller, const ServiceContext &context,
    std::int64_t nowMs, PlannedJob *plan)
{
    if (!request.has_spec())
        return invalid("spec is missing");
    const v1::JobSpec &spec = request.spec();
    if (spec.name().size() > 200)
        return invalid("spec.name is longer than 200 characters");
    if (spec.kind_case() == v1::JobSpec::kInference)
        return invalid("spec.inference: this coordinator does not run inference jobs yet");
    plan->kind = context.kinds.forSpec(spec);
    if (!plan->kind)
        return invalid("spec.kind is not set: name a gemm or train job");
    if (auto status = plan->kind->validate(spec); !status)
        return invalid(status.message());

    JobRecord &job = plan->job;
    job.accountId = caller.id;
    job.name = spec.name();
    job.kind = std::string(plan->kind->name());
    job.createdMs = nowMs;
    job.mode = spec.mode() == v1::EXECUTION_MODE_FAST ? ExecutionMode::Fast : ExecutionMode::Exact;
    if (spec.mode() != v1::EXECUTION_MODE_UNSPECIFIED && spec.mode() != v1::EXECUTION_MODE_EXACT
        && spec.mode() != v1::EXECUTION_MODE_FAST)
        return invalid("spec.mode " + std::to_string(spec.mode()) + " is not a known execution mode");

    double expectedRuns = 2;
    switch (spec.verification().policy_case()) {
    case v1::Verification::POLICY_NOT_SET:
        job.policy = VerificationPolicy::Replicate;
        job.replicas = 2;
        break;
    case v1::Verification::kReplicate:
        if (spec.verification().replicate().k() < 2 || spec.verification().replicate().k() > 5)
            return invalid("spec.verification.replicate.k must be between 2 and 5, not "
                + std::to_string(spec.verification().replicate().k()));
        job.policy = VerificationPolicy::Replicate;
        job.replicas = spec.verification().replicate().k();
        expectedRuns = job.replicas;
        break;
    case v1::Verification::kSpotCheck: {
        const double p = spec.verification().spot_check().p();
        if (!(p > 0.0 && p <= 1.0))
            return invalid("spec.verification.spot_check.p must be in (0, 1], not " + std::to_string(p));
        job.policy = VerificationPolicy::SpotCheck;
        job.replicas = 1;
        job.spotCheckP = p;
        expectedRuns = 1.0 + p;
        break;
    }
    case v1::Verification::kReference:
        if (job.mode != ExecutionMode::Exact)
            return invalid("spec.verification.reference compares bit for bit and needs exact mode");
        job.policy = VerificationPolicy::Reference;
        job.replicas = 1;
        expectedRuns = 1;
        break;
    }

    for (int i = 0; i < spec.requirements().backends_size(); ++i) {
        if (!v1::BackendKind_IsValid(spec.requirements().backends(i))
            || spec.requirements().backends(i) == v1::BACKEND_KIND_UNSPECIFIED)
            return invalid("spec.requirements.backends[" + std::to_string(i) + "] is not a backend kind");
    }
    if (spec.deadline_unix_ms() != 0 && std::int64_t(spec.deadline_unix_ms()) <= nowMs)
        return invalid("spec.deadline_unix_ms is in the past");
    job.deadlineMs = std::int64_t(spec.deadline_unix_ms());
    if (spec.max_attempts() > kMaxAttemptsLimit)
        return invalid("spec.max_attempts must be at most " + std::to_string(kMaxAttemptsLimit));
    job.maxAttempts = spec.max_attempts() == 0 ? context.limits.defaultMaxAttempts : spec.max_attempts();
    if (spec.max_cost_units() < 0)
        return invalid("spec.max_cost_units must not be negative");

    job.spec = spec.SerializeAsString();
    job.id = context.ids.next("job");
    if (auto status = plan->kind->planTasks(spec, job, job.policy == VerificationPolicy::Replicate ? job.replicas : 1,
            &plan->tasks);
        !status)
        return invalid(status.message());
    job.tasksTotal = static_cast<std::uint32_t>(plan->tasks.size());

    std::uint64_t flops = 0;
    std::int64_t oneRun = 0;
    for (const TaskRecord &task : plan->tasks) {
        flops += task.flops;
        oneRun += unitsForFlops(task.flops);
    }
    const auto expected = static_cast<std::int64_t>(std::ceil(double(oneRun) * expectedRuns));
    plan->estimate.set_task_count(job.tasksTotal);
    plan->estimate.set_flops(flops);
    plan->estimate.set_expected_runs_per_task(expectedRuns);
    plan->estimate.set_expected_cost_units(expected);
    plan->estimate.set_cost_units(expected);
    if (spec.max_cost_units() > 0 && expected > spec.max_cost_units())
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "the estimated cost, " + credits(expected) + ", is over spec.max_cost_units (" + credits(spec.max_cost_units())
                + ")");
    return grpc::Status::OK;
}

} // namespace

JobService::JobService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status JobService::loadStatus(
    const AccountRecord &caller, const std::string &jobId, v1::JobStatus *status, std::optional<JobRecord> *job)
{
    if (jobId.empty())
        return invalid("job_id is empty");
    std::optional<JobRecord> found;
    TaskCounts counts;
    std::int64_t cost = 0, held = 0;
    if (auto stored = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
            if (auto read = tx.findJob(jobId, &found); !read || !found)
                return read;
            if (auto read = tx.countTasks(jobId, &counts); !read)
                return read;
            if (auto read = tx.jobCost(jobId, &cost); !read)
                return read;
            return tx.balance(Ledger::escrowBook(jobId), &held);
        });
        !stored)
        return m_context.internalError("loading job " + jobId, stored);
    if (!found)
        return grpc::Status(StatusCode::NOT_FOUND, "job " + jobId + " not found");
    if (found->accountId != caller.id && !caller.isAdmin)
        return grpc::Status(StatusCode::PERMISSION_DENIED, "job " + jobId + " belongs to another account");

    status->set_job_id(found->id);
    status->set_name(found->name);
    status->set_state(static_cast<v1::JobState>(found->state));
    status->set_tasks_total(found->tasksTotal);
    status->set_tasks_done(counts.done);
    status->set_tasks_running(counts.running);
    status->set_tasks_queued(counts.queued);
    status->set_tasks_verifying(counts.verifying);
    status->set_tasks_failed(counts.failed);
    status->set_message(found->message);
    status->set_result_sha256(found->resultSha256);
    status->set_created_unix_ms(static_cast<std::uint64_t>(found->createdMs));
    status->set_finished_unix_ms(static_cast<std::uint64_t>(found->finishedMs));
    status->set_cost_units(cost);
    status->set_held_units(held);
    status->set_owner_account_id(found->accountId);
    status->set_mode(static_cast<v1::ExecutionMode>(found->mode));
    status->set_kind(found->kind);
    v1::JobSpec spec;
    if (spec.ParseFromString(found->spec))
        *status->mutable_verification() = spec.verification();
    if (job)
        *job = std::move(found);
    return grpc::Status::OK;
}

grpc::Status JobService::EstimateJob(
    grpc::ServerContext *context, const v1::SubmitJobRequest *request, v1::JobEstimate *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    PlannedJob plan;
    if (auto status = planJob(*request, caller, m_context, m_context.clock.nowMs(), &plan); !status.ok())
        return status;
    *response = plan.estimate;
    return grpc::Status::OK;
}

grpc::Status JobService::SubmitJob(
    grpc::ServerContext *context, const v1::SubmitJobRequest *request, v1::SubmitJobResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    const std::int64_t now = m_context.clock.nowMs();
    PlannedJob plan;
    if (auto status = planJob(*request, caller, m_context, now, &plan); !status.ok())
        return status;

    const std::int64_t cost = plan.estimate.cost_units();
    std::int64_t balance = 0;
    bool covered = false;
    std::string badInput;
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            if (auto read = tx.balance(caller.id, &balance); !read)
                return read;
            covered = balance >= cost;
            if (!covered)
                return engine::Status::ok();
            std::vector<JobInputBlob> blobs;
            if (auto prepared = plan.kind->prepareInputs(tx, request->spec(), &plan.job, &blobs); !prepared) {
                badInput = prepared.message(); // the client's mistake (a missing upload, a bad label)
                return engine::Status::ok();
            }
            for (const JobInputBlob &blob : blobs) {
                const auto bytes = std::as_bytes(std::span(blob.bytes.data(), blob.bytes.size()));
                if (auto stored = tx.insertBlob(plan.job.inputs.at(blob.role), bytes); !stored)
                    return stored;
            }
            if (auto stored = tx.insertJob(plan.job); !stored)
                return stored;
            if (auto stored = tx.insertTasks(plan.tasks); !stored)
                return stored;
            return Ledger::hold(tx, plan.job, cost, now);
        });
        !status)
        return m_context.internalError("storing job " + plan.job.id, status);
    if (!badInput.empty())
        return invalid(badInput);
    if (!covered)
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "your balance, " + credits(balance) + ", does not cover the job's estimated cost of " + credits(cost));

    m_context.logMessage(engine::LogLevel::Info,
        "job " + plan.job.id + " (\"" + plan.job.name + "\") submitted by " + caller.name + ": "
            + std::to_string(plan.tasks.size()) + " tasks, " + credits(cost) + " held");
    m_context.events.notify();
    response->set_job_id(plan.job.id);
    response->set_task_count(plan.job.tasksTotal);
    *response->mutable_estimate() = plan.estimate;
    return grpc::Status::OK;
}

grpc::Status JobService::GetJob(grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobStatus *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    return loadStatus(caller, request->job_id(), response);
}

grpc::Status JobService::WatchJob(
    grpc::ServerContext *context, const v1::GetJobRequest *request, grpc::ServerWriter<v1::JobStatus> *writer)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    std::string lastSent;
    for (;;) {
        // Read the generation before loading, so that a change committed in between
        // wakes the next wait at once instead of being missed.
        const std::uint64_t seen = m_context.events.generation();
        v1::JobStatus status;
        if (auto loaded = loadStatus(caller, request->job_id(), &status); !loaded.ok())
            return loaded;
        std::string serialized = status.SerializeAsString();
        if (serialized != lastSent) {
            if (!writer->Write(status))
                return grpc::Status(StatusCode::CANCELLED, "the client went away");
            lastSent = std::move(serialized);
        }
        if (isTerminal(static_cast<JobState>(status.state())))
            return grpc::Status::OK;

        const auto loadedAt = std::chrono::steady_clock::now();
        m_context.events.waitForChange(seen, kWatchPoll);
        const auto sinceLoad = std::chrono::steady_clock::now() - loadedAt;
        if (sinceLoad < kWatchMinInterval && !m_context.events.isShutdown())
            std::this_thread::sleep_for(kWatchMinInterval - sinceLoad);
        if (m_context.events.isShutdown())
            return grpc::Status(StatusCode::UNAVAILABLE, "the coordinator is shutting down");
        if (context->IsCancelled())
            return grpc::Status(StatusCode::CANCELLED, "cancelled by the client");
    }
}

grpc::Status JobService::CancelJob(grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobStatus *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    v1::JobStatus before;
    std::optional<JobRecord> job;
    if (auto loaded = loadStatus(caller, request->job_id(), &before, &job); !loaded.ok())
        return loaded;
    if (isTerminal(job->state))
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "job " + job->id + " has already ended (" + v1::JobState_Name(before.state()) + ")");
    const std::int64_t now = m_context.clock.nowMs();
    if (auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            std::optional<JobRecord> current;
            if (auto read = tx.findJob(job->id, &current); !read || !current)
                return read;
            return m_context.scheduler.cancel(tx, *current, "cancelled by " + caller.name, now);
        });
        !status)
        return m_context.internalError("cancelling job " + job->id, status);
    m_context.logMessage(engine::LogLevel::Info, "job " + job->id + " cancelled by " + caller.name);
    m_context.events.notify();
    return loadStatus(caller, job->id, response);
}

grpc::Status JobService::ListJobs(
    grpc::ServerContext *context, const v1::ListJobsRequest *request, v1::ListJobsResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (request->limit() > 1000)
        return invalid("limit must be at most 1000, not " + std::to_string(request->limit()));
    std::vector<JobRecord> jobs;
    if (auto status = m_context.store.read([&](StoreTransaction &tx) {
            return tx.listJobs(caller.id, request->limit() == 0 ? 100 : request->limit(), &jobs);
        });
        !status)
        return m_context.internalError("listing jobs of " + caller.id, status);
    for (const JobRecord &job : jobs) {
        if (auto status = loadStatus(caller, job.id, response->add_jobs()); !status.ok())
            return status;
    }
    return grpc::Status::OK;
}

grpc::Status JobService::GetJobResult(
    grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobResult *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    v1::JobStatus status;
    std::optional<JobRecord> job;
    if (auto loaded = loadStatus(caller, request->job_id(), &status, &job); !loaded.ok())
        return loaded;
    if (job->state != JobState::Completed)
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "job " + job->id + " is " + v1::JobState_Name(status.state()) + ", not COMPLETED"
                + (job->message.empty() ? "" : ": " + job->message));

    const JobKind *kind = m_context.kinds.forJob(*job);
    if (!kind)
        return m_context.internalError("reading job " + job->id, engine::Status::error("unknown kind " + job->kind));
    if (auto read = m_context.store.read([&](StoreTransaction &tx) { return kind->result(tx, *job, response); }); !read)
        return m_context.internalError("reading the result of job " + job->id, read);
    response->set_job_id(job->id);
    response->set_kind(job->kind);
    response->set_sha256(job->resultSha256);
    // Only verified results are ever accepted, so a completed job's result is verified.
    response->set_verified(true);
    return grpc::Status::OK;
}

grpc::Status JobService::GetJobMetrics(
    grpc::ServerContext *context, const v1::GetJobRequest *request, v1::JobMetrics *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    v1::JobStatus status;
    std::optional<JobRecord> job;
    if (auto loaded = loadStatus(caller, request->job_id(), &status, &job); !loaded.ok())
        return loaded;
    std::vector<TrainingMetricRecord> metrics;
    if (auto read = m_context.store.read([&](StoreTransaction &tx) { return tx.jobMetrics(job->id, &metrics); }); !read)
        return m_context.internalError("reading the metrics of job " + job->id, read);
    response->set_job_id(job->id);
    for (const TrainingMetricRecord &metric : metrics) {
        v1::TrainingMetric *out = response->add_metrics();
        out->set_run(metric.run);
        out->set_round(metric.round);
        out->set_step(metric.step);
        out->set_train_loss(float(metric.trainLoss));
        out->set_test_accuracy(float(metric.testAccuracy));
        out->set_test_loss(float(metric.testLoss));
    }
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
