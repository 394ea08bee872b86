#include "domain_fixture.h"

#include "coordinator/ledger/pricing.h"

#include "tributary/v1/job.pb.h"

#include <algorithm>

namespace tributary::coordinator {

namespace {

char *named(const char *name, int value)
{
    return qstrdup((QByteArray(name) + "(" + QByteArray::number(value) + ")").constData());
}

} // namespace

char *toString(JobState state)
{
    static constexpr const char *kNames[] = { "?", "Queued", "Running", "Completed", "Failed", "Cancelled" };
    const int value = int(state);
    return named(value >= 1 && value <= 5 ? kNames[value] : "JobState", value);
}

char *toString(TaskState state)
{
    static constexpr const char *kNames[] = { "?", "Queued", "Running", "Verifying", "Done", "Failed" };
    const int value = int(state);
    return named(value >= 1 && value <= 5 ? kNames[value] : "TaskState", value);
}

char *toString(AttemptState state)
{
    static constexpr const char *kNames[]
        = { "?", "Leased", "Submitted", "Accepted", "Rejected", "Expired", "Failed", "Revoked" };
    const int value = int(state);
    return named(value >= 1 && value <= 7 ? kNames[value] : "AttemptState", value);
}

char *toString(SubmitOutcome outcome)
{
    static constexpr const char *kNames[] = { "?", "Accepted", "Rejected", "Duplicate", "NotHeld" };
    const int value = int(outcome);
    return named(value >= 1 && value <= 4 ? kNames[value] : "SubmitOutcome", value);
}

} // namespace tributary::coordinator

namespace tributary::coordinator::test {

using engine::Status;

namespace {

VerifierOptions verifierOptions(const RetryBackoff &backoff, std::chrono::milliseconds recheckWindow,
    const std::shared_ptr<AssemblerLog> &log)
{
    VerifierOptions options;
    options.backoff = backoff;
    options.recheckWindow = recheckWindow;
    options.assemble = [log](StoreTransaction &, JobRecord &job) {
        log->jobIds.push_back(job.id);
        job.resultSha256 = DomainFixture::kAssembledSha256;
        return Status::ok();
    };
    return options;
}

Status loadNode(StoreTransaction &tx, const std::string &id, NodeRecord *node)
{
    std::optional<NodeRecord> found;
    if (auto status = tx.findNode(id, &found); !status)
        return status;
    if (!found)
        return Status::error("fixture: no node " + id);
    *node = std::move(*found);
    return Status::ok();
}

} // namespace

int AssemblerLog::callsFor(const std::string &jobId) const
{
    return int(std::count(jobIds.begin(), jobIds.end(), jobId));
}

std::string taskId(const std::string &jobId, std::uint32_t index)
{
    return jobId + "-t" + std::to_string(index);
}

DomainFixture::DomainFixture(SchedulerOptions schedulerOptions, std::chrono::milliseconds recheckWindow)
    : m_schedulerOptions(schedulerOptions)
    , m_assemblerLog(std::make_shared<AssemblerLog>())
    , m_scheduler(schedulerOptions)
    , m_verifier(verifierOptions(schedulerOptions.backoff, recheckWindow, m_assemblerLog))
{
}

Status DomainFixture::open()
{
    return SqliteStore::open(":memory:", &m_store);
}

Status DomainFixture::setUp(const std::vector<std::string> &nodeIds, std::int64_t ownerGrantUnits)
{
    if (auto status = open(); !status)
        return status;
    if (auto status = addAccount(kOwner, ownerGrantUnits); !status)
        return status;
    for (const std::string &nodeId : nodeIds) {
        if (auto status = addAccount(accountOf(nodeId)); !status)
            return status;
        if (auto status = addNode(nodeId, accountOf(nodeId)); !status)
            return status;
    }
    return Status::ok();
}

Status DomainFixture::addAccount(const std::string &id, std::int64_t grantUnits)
{
    return m_store->write([&](StoreTransaction &tx) -> Status {
        AccountRecord account;
        account.id = id;
        account.name = id;
        account.tokenSha256 = "token-of-" + id;
        if (auto status = tx.insertAccount(account); !status)
            return status;
        if (grantUnits <= 0)
            return Status::ok();
        bool duplicate = false;
        return Ledger::grant(tx, id, grantUnits, "test grant", "grant:" + id, 0, &duplicate);
    });
}

Status DomainFixture::addNode(
    const std::string &id, const std::string &accountId, std::uint32_t verifiedStreak)
{
    return m_store->write([&](StoreTransaction &tx) {
        NodeRecord node;
        node.id = id;
        node.accountId = accountId;
        node.name = id;
        node.version = "test";
        node.verifiedStreak = verifiedStreak;
        node.verifiedTotal = verifiedStreak;
        return tx.saveNode(node);
    });
}

Status DomainFixture::addJob(const JobOptions &options)
{
    v1::JobSpec spec;
    spec.set_name(options.id);
    spec.set_mode(options.mode == ExecutionMode::Exact ? v1::EXECUTION_MODE_EXACT : v1::EXECUTION_MODE_FAST);
    *spec.mutable_requirements() = options.requirements;

    JobRecord job;
    job.id = options.id;
    job.accountId = options.owner;
    job.name = options.id;
    job.kind = "gemm";
    job.spec = spec.SerializeAsString();
    job.state = JobState::Queued;
    job.policy = options.policy;
    job.replicas = options.replicas;
    job.spotCheckP = options.spotCheckP;
    job.mode = options.mode;
    job.maxAttempts = options.maxAttempts;
    job.deadlineMs = options.deadlineMs;
    job.tasksTotal = options.tasks;
    job.createdMs = options.createdMs;

    const std::uint32_t needed = options.policy == VerificationPolicy::Replicate ? options.replicas : 1;
    std::vector<TaskRecord> tasks;
    for (std::uint32_t i = 0; i < options.tasks; ++i) {
        TaskRecord task;
        task.id = taskId(options.id, i);
        task.jobId = options.id;
        task.index = i;
        task.state = TaskState::Queued;
        task.flops = options.flopsPerTask;
        task.needed = needed;
        task.row0 = i;
        task.rows = 1;
        task.cols = 1;
        tasks.push_back(task);
    }
    const std::int64_t hold = options.holdUnits.value_or(
        std::int64_t(options.tasks) * needed * unitsForFlops(options.flopsPerTask));

    return m_store->write([&](StoreTransaction &tx) -> Status {
        if (auto status = tx.insertJob(job); !status)
            return status;
        if (auto status = tx.insertTasks(tasks); !status)
            return status;
        return Ledger::hold(tx, job, hold, options.createdMs);
    });
}

v1::Device DomainFixture::exactDevice(const std::string &id)
{
    v1::Device device;
    device.set_id(id);
    device.set_backend(v1::BACKEND_KIND_CPU);
    device.set_name("test cpu");
    device.set_memory_bytes(std::uint64_t(8) << 30);
    device.set_available(true);
    device.set_reproducibility(v1::REPRODUCIBILITY_EXACT);
    return device;
}

Status DomainFixture::lease(const std::string &nodeId, std::uint32_t maxTasks, std::int64_t nowMs,
    std::vector<LeasedTask> *leased, const std::optional<v1::Device> &device)
{
    return m_store->write([&](StoreTransaction &tx) -> Status {
        LeaseRequest request;
        if (auto status = loadNode(tx, nodeId, &request.node); !status)
            return status;
        request.device = device.value_or(exactDevice());
        request.maxTasks = maxTasks;
        request.nowMs = nowMs;
        return m_scheduler.lease(tx, request, leased);
    });
}

Status DomainFixture::sweep(std::int64_t nowMs, std::vector<std::string> *endedJobs)
{
    return m_store->write([&](StoreTransaction &tx) { return m_scheduler.sweep(tx, nowMs, endedJobs); });
}

Status DomainFixture::renew(const std::string &nodeId, const std::vector<TaskRef> &tasks, std::int64_t nowMs,
    std::vector<TaskRef> *revoked)
{
    return m_store->write(
        [&](StoreTransaction &tx) { return m_scheduler.renew(tx, nodeId, tasks, nowMs, revoked); });
}

Status DomainFixture::release(const std::string &nodeId, const std::vector<TaskRef> &tasks, std::int64_t nowMs,
    std::vector<TaskRef> *released, std::vector<TaskRef> *notHeld)
{
    return m_store->write([&](StoreTransaction &tx) {
        return m_scheduler.release(tx, nodeId, tasks, "paused by the user", nowMs, released, notHeld);
    });
}

Status DomainFixture::cancel(const std::string &jobId, const std::string &reason, std::int64_t nowMs)
{
    return m_store->write([&](StoreTransaction &tx) -> Status {
        std::optional<JobRecord> job;
        if (auto status = tx.findJob(jobId, &job); !status)
            return status;
        if (!job)
            return Status::error("fixture: no job " + jobId);
        return m_scheduler.cancel(tx, *job, reason, nowMs);
    });
}

Status DomainFixture::submit(const std::string &nodeId, const std::string &taskId, std::uint32_t attempt,
    const std::string &digest, std::int64_t nowMs, SubmitVerdict *verdict, const std::string &error,
    const std::optional<std::string> &referenceRejection)
{
    return m_store->write([&](StoreTransaction &tx) -> Status {
        SubmittedResult result;
        if (auto status = loadNode(tx, nodeId, &result.node); !status)
            return status;
        result.taskId = taskId;
        result.attempt = attempt;
        result.outputSha256 = digest;
        result.computeMs = 10;
        result.error = error;
        result.referenceRejection = referenceRejection;
        return m_verifier.submit(tx, result, nowMs, verdict);
    });
}

Status DomainFixture::submit(const std::string &nodeId, const LeasedTask &leased, const std::string &digest,
    std::int64_t nowMs, SubmitVerdict *verdict)
{
    return submit(nodeId, leased.task.id, leased.attempt.attempt, digest, nowMs, verdict);
}

Status DomainFixture::job(const std::string &id, JobRecord *job)
{
    return m_store->read([&](StoreTransaction &tx) -> Status {
        std::optional<JobRecord> found;
        if (auto status = tx.findJob(id, &found); !status)
            return status;
        if (!found)
            return Status::error("fixture: no job " + id);
        *job = std::move(*found);
        return Status::ok();
    });
}

Status DomainFixture::task(const std::string &id, TaskRecord *task)
{
    return m_store->read([&](StoreTransaction &tx) -> Status {
        std::optional<TaskRecord> found;
        if (auto status = tx.findTask(id, &found); !status)
            return status;
        if (!found)
            return Status::error("fixture: no task " + id);
        *task = std::move(*found);
        return Status::ok();
    });
}

Status DomainFixture::attempt(const std::string &taskId, std::uint32_t attempt, AttemptRecord *record)
{
    return m_store->read([&](StoreTransaction &tx) -> Status {
        std::optional<AttemptRecord> found;
        if (auto status = tx.findAttempt(taskId, attempt, &found); !status)
            return status;
        if (!found)
            return Status::error("fixture: no attempt " + std::to_string(attempt) + " of task " + taskId);
        *record = std::move(*found);
        return Status::ok();
    });
}

Status DomainFixture::node(const std::string &id, NodeRecord *node)
{
    return m_store->read([&](StoreTransaction &tx) { return loadNode(tx, id, node); });
}

Status DomainFixture::balance(const std::string &book, std::int64_t *units)
{
    return m_store->read([&](StoreTransaction &tx) { return tx.balance(book, units); });
}

Status DomainFixture::entries(const std::string &book, std::vector<LedgerEntryRecord> *entries)
{
    return m_store->read([&](StoreTransaction &tx) -> Status {
        if (auto status = tx.ledgerEntries(book, 0, 1'000'000, entries); !status)
            return status;
        std::reverse(entries->begin(), entries->end());
        return Status::ok();
    });
}

} // namespace tributary::coordinator::test
