#include "coordinator/sqlite_store.h"

#include "coordinator/sqlite_statement.h"

#include <sqlite3.h>

#include <algorithm>

namespace tributary::coordinator {

using engine::Status;

namespace {

// Version 1. A later version adds a migration step in migrate() and bumps kSchemaVersion.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    spec          BLOB NOT NULL,
    state         INTEGER NOT NULL,
    tasks_total   INTEGER NOT NULL,
    tasks_done    INTEGER NOT NULL DEFAULT 0,
    created_ms    INTEGER NOT NULL,
    finished_ms   INTEGER NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    result_sha256 TEXT REFERENCES blobs(sha256)
);
CREATE TABLE job_inputs (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    role   TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (job_id, role)
) WITHOUT ROWID;
CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    devices       BLOB NOT NULL,
    registered_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL
);
CREATE TABLE tasks (
    id               TEXT PRIMARY KEY,
    job_id           TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx              INTEGER NOT NULL,
    state            INTEGER NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    lease_node       TEXT REFERENCES nodes(id),
    lease_expires_ms INTEGER NOT NULL DEFAULT 0,
    row0             INTEGER NOT NULL,
    col0             INTEGER NOT NULL,
    rows             INTEGER NOT NULL,
    cols             INTEGER NOT NULL,
    input_bytes      INTEGER NOT NULL,
    output           BLOB,
    output_sha256    TEXT,
    device_id        TEXT,
    compute_ms       INTEGER NOT NULL DEFAULT 0,
    completed_ms     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job_id, idx)
);
CREATE INDEX tasks_by_state ON tasks(state, lease_expires_ms);
CREATE INDEX tasks_by_job_state ON tasks(job_id, state);
INSERT INTO schema_version(version) VALUES (1);
)sql";

// The columns readTask() expects, in its order, for a query on `tasks t`.
#define TRIBUTARY_TASK_COLUMNS                                                                               \
    "t.id, t.job_id, t.idx, t.state, t.attempt, t.lease_node, t.device_id, t.lease_expires_ms, t.row0, "     \
    "t.col0, "                                                                                               \
    "t.rows, t.cols, t.input_bytes, t.output_sha256, t.compute_ms, t.completed_ms"

TaskRecord readTask(const SqliteStatement &row)
{
    TaskRecord task;
    task.id = row.columnText(0);
    task.jobId = row.columnText(1);
    task.index = static_cast<std::uint32_t>(row.columnInt64(2));
    task.state = static_cast<TaskState>(row.columnInt64(3));
    task.attempt = static_cast<std::uint32_t>(row.columnInt64(4));
    task.leaseNode = row.columnText(5);
    task.deviceId = row.columnText(6);
    task.leaseExpiresMs = row.columnInt64(7);
    task.row0 = static_cast<std::uint32_t>(row.columnInt64(8));
    task.col0 = static_cast<std::uint32_t>(row.columnInt64(9));
    task.rows = static_cast<std::uint32_t>(row.columnInt64(10));
    task.cols = static_cast<std::uint32_t>(row.columnInt64(11));
    task.inputBytes = static_cast<std::uint64_t>(row.columnInt64(12));
    task.outputSha256 = row.columnText(13);
    task.computeMs = static_cast<std::uint64_t>(row.columnInt64(14));
    task.completedMs = row.columnInt64(15);
    return task;
}

std::span<const std::byte> asBytes(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

} // namespace

// BEGIN IMMEDIATE takes the write lock up front, so that a read-then-write transaction
// never fails half-way with SQLITE_BUSY. Rolls back unless commit() succeeded.
class SqliteStore::Transaction {
public:
    explicit Transaction(SqliteStore &store)
        : m_store(store)
    {
        m_begun = m_store.exec("BEGIN IMMEDIATE");
    }
    ~Transaction()
    {
        if (m_begun && !m_committed)
            m_store.exec("ROLLBACK");
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    const Status &begun() const { return m_begun; }
    Status commit()
    {
        Status status = m_store.exec("COMMIT");
        m_committed = status.isOk();
        return status;
    }

private:
    SqliteStore &m_store;
    Status m_begun;
    bool m_committed = false;
};

Status SqliteStore::open(const std::string &path, std::unique_ptr<SqliteStore> *store)
{
    store->reset();
    const auto fail = [&path](const std::string &why) {
        return Status::error("cannot open database " + path + ": " + why);
    };
    if (path.empty())
        return fail("no path given");

    sqlite3 *db = nullptr;
    // NOMUTEX: SqliteStore serialises use of its one connection itself.
    const int rc = sqlite3_open_v2(
        path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return fail(why);
    }
    std::unique_ptr<SqliteStore> opened(new SqliteStore(db));
    if (auto status = opened->configure(); !status)
        return fail(status.message());
    if (auto status = opened->migrate(); !status)
        return fail(status.message());
    *store = std::move(opened);
    return Status::ok();
}

SqliteStore::SqliteStore(sqlite3 *db)
    : m_db(db)
{
}

SqliteStore::~SqliteStore()
{
    m_statements.clear(); // finalize before closing
    sqlite3_close(m_db);
}

Status SqliteStore::configure()
{
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 5000);

    // The first statement to read the file: a file that is not a database fails here.
    SqliteStatement journal(m_db, "PRAGMA journal_mode = WAL");
    bool row = false;
    if (auto status = journal.step(&row); !status)
        return engine::Status::error(sqlite3_errmsg(m_db)); // "file is not a database" says it all
    const std::string mode = row ? journal.columnText(0) : std::string();
    journal.reset();
    // An in-memory database has no WAL; any file-backed one must, or durability and
    // concurrent reads are not what the header promises.
    if (mode != "wal" && mode != "memory")
        return Status::error("cannot switch to WAL journal mode (got \"" + mode + "\")");

    if (auto status = exec("PRAGMA synchronous = NORMAL"); !status)
        return status;
    return exec("PRAGMA foreign_keys = ON");
}

Status SqliteStore::migrate()
{
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    auto &exists = statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    SqliteStatement::Scope existsScope(exists);
    bool row = false;
    if (auto status = exists.step(&row); !status)
        return status;
    if (!row) {
        if (auto status = exec(kSchemaV1); !status)
            return status;
        return transaction.commit();
    }

    auto &version = statement("SELECT MAX(version) FROM schema_version");
    SqliteStatement::Scope versionScope(version);
    if (auto status = version.step(&row); !status)
        return status;
    const std::int64_t found = row ? version.columnInt64(0) : 0;
    if (found > kSchemaVersion)
        return Status::error("schema version " + std::to_string(found) + " is newer than this coordinator's ("
            + std::to_string(kSchemaVersion) + ")");
    if (found < 1)
        return Status::error("schema_version table is empty");
    return transaction.commit();
}

Status SqliteStore::exec(const char *sql)
{
    char *error = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(m_db);
        sqlite3_free(error);
        return Status::error("sqlite: " + message);
    }
    return Status::ok();
}

SqliteStatement &SqliteStore::statement(const char *sql)
{
    auto &cached = m_statements[sql];
    if (!cached)
        cached = std::make_unique<SqliteStatement>(m_db, sql);
    return *cached;
}

std::int64_t SqliteStore::changes() const
{
    return sqlite3_changes64(m_db);
}

// --- Jobs

Status SqliteStore::createJob(
    const JobRecord &job, std::span<const BlobRecord> blobs, std::span<const TaskRecord> tasks)
{
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    for (const BlobRecord &blob : blobs) {
        if (auto status = insertBlobLocked(blob); !status)
            return status;
    }

    auto &insertJob = statement("INSERT INTO jobs (id, name, kind, spec, state, tasks_total, created_ms) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement::Scope jobScope(insertJob);
    insertJob.bind(1, job.id);
    insertJob.bind(2, job.name);
    insertJob.bind(3, job.kind);
    insertJob.bindBlob(4, asBytes(job.spec));
    insertJob.bind(5, static_cast<std::int64_t>(JobState::Queued));
    insertJob.bind(6, static_cast<std::int64_t>(tasks.size()));
    insertJob.bind(7, job.createdMs);
    if (auto status = insertJob.run(); !status)
        return status;

    auto &insertInput = statement("INSERT INTO job_inputs (job_id, role, sha256) VALUES (?, ?, ?)");
    for (const auto &[role, sha256] : job.inputs) {
        SqliteStatement::Scope scope(insertInput);
        insertInput.bind(1, job.id);
        insertInput.bind(2, role);
        insertInput.bind(3, sha256);
        if (auto status = insertInput.run(); !status)
            return status;
    }

    auto &insertTask
        = statement("INSERT INTO tasks (id, job_id, idx, state, row0, col0, rows, cols, input_bytes) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const TaskRecord &task : tasks) {
        SqliteStatement::Scope scope(insertTask);
        insertTask.bind(1, task.id);
        insertTask.bind(2, job.id);
        insertTask.bind(3, static_cast<std::int64_t>(task.index));
        insertTask.bind(4, static_cast<std::int64_t>(TaskState::Queued));
        insertTask.bind(5, static_cast<std::int64_t>(task.row0));
        insertTask.bind(6, static_cast<std::int64_t>(task.col0));
        insertTask.bind(7, static_cast<std::int64_t>(task.rows));
        insertTask.bind(8, static_cast<std::int64_t>(task.cols));
        insertTask.bind(9, static_cast<std::int64_t>(task.inputBytes));
        if (auto status = insertTask.run(); !status)
            return status;
    }
    return transaction.commit();
}

Status SqliteStore::findJob(const std::string &id, std::int64_t nowMs, std::optional<JobRecord> *job)
{
    std::lock_guard lock(m_mutex);
    return findJobLocked(id, nowMs, job);
}

Status SqliteStore::findJobLocked(const std::string &id, std::int64_t nowMs, std::optional<JobRecord> *job)
{
    job->reset();
    auto &select = statement(
        "SELECT id, name, kind, spec, state, tasks_total, tasks_done, created_ms, finished_ms, message, "
        "result_sha256, (SELECT COUNT(*) FROM tasks t WHERE t.job_id = jobs.id AND t.state = ? "
        "AND t.lease_expires_ms > ?) FROM jobs WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, static_cast<std::int64_t>(TaskState::Leased));
    select.bind(2, nowMs);
    select.bind(3, id);
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (!row)
        return Status::ok();

    JobRecord record;
    record.id = select.columnText(0);
    record.name = select.columnText(1);
    record.kind = select.columnText(2);
    record.spec = select.columnBlob(3);
    record.state = static_cast<JobState>(select.columnInt64(4));
    record.tasksTotal = static_cast<std::uint32_t>(select.columnInt64(5));
    record.tasksDone = static_cast<std::uint32_t>(select.columnInt64(6));
    record.createdMs = select.columnInt64(7);
    record.finishedMs = select.columnInt64(8);
    record.message = select.columnText(9);
    record.resultSha256 = select.columnText(10);
    record.tasksLeased = static_cast<std::uint32_t>(select.columnInt64(11));

    auto &inputs = statement("SELECT role, sha256 FROM job_inputs WHERE job_id = ?");
    SqliteStatement::Scope inputsScope(inputs);
    inputs.bind(1, id);
    for (;;) {
        if (auto status = inputs.step(&row); !status)
            return status;
        if (!row)
            break;
        record.inputs.emplace(inputs.columnText(0), inputs.columnText(1));
    }
    *job = std::move(record);
    return Status::ok();
}

Status SqliteStore::jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks)
{
    std::lock_guard lock(m_mutex);
    return jobTasksLocked(jobId, tasks);
}

Status SqliteStore::jobTasksLocked(const std::string &jobId, std::vector<TaskRecord> *tasks)
{
    tasks->clear();
    auto &select
        = statement("SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks t WHERE t.job_id = ? ORDER BY t.idx");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    for (;;) {
        bool row = false;
        if (auto status = select.step(&row); !status)
            return status;
        if (!row)
            return Status::ok();
        tasks->push_back(readTask(select));
    }
}

// --- Tasks

Status SqliteStore::findTask(const std::string &id, std::optional<TaskRecord> *task)
{
    std::lock_guard lock(m_mutex);
    task->reset();
    auto &select = statement("SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks t WHERE t.id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (row)
        *task = readTask(select);
    return Status::ok();
}

Status SqliteStore::readTaskOutput(const std::string &id, std::optional<std::string> *output)
{
    std::lock_guard lock(m_mutex);
    return readTaskOutputLocked(id, output);
}

Status SqliteStore::readTaskOutputLocked(const std::string &id, std::optional<std::string> *output)
{
    output->reset();
    auto &select = statement("SELECT output FROM tasks WHERE id = ? AND output IS NOT NULL");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (row)
        *output = select.columnBlob(0);
    return Status::ok();
}

Status SqliteStore::leaseTasks(const LeaseRequest &request, LeaseResult *result)
{
    result->tasks.clear();
    result->failedJobs.clear();
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    auto &candidates = statement(
        "SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks t JOIN jobs j ON j.id = t.job_id "
        "WHERE j.state IN (?1, ?2) AND (t.state = ?3 OR (t.state = ?4 AND t.lease_expires_ms <= ?5)) "
        "ORDER BY j.created_ms, j.rowid, t.idx LIMIT ?6");
    auto &lease
        = statement("UPDATE tasks SET state = ?, attempt = attempt + 1, lease_node = ?, device_id = ?, "
                    "lease_expires_ms = ? WHERE id = ?");

    std::uint64_t inputBytes = 0;
    bool budgetFull = false;
    // Failing a job removes its tasks from the candidates, so ask again until the request
    // is filled, the budget is spent, or nothing is left.
    while (!budgetFull && result->tasks.size() < request.maxTasks) {
        std::vector<TaskRecord> found;
        {
            SqliteStatement::Scope scope(candidates);
            candidates.bind(1, static_cast<std::int64_t>(JobState::Queued));
            candidates.bind(2, static_cast<std::int64_t>(JobState::Running));
            candidates.bind(3, static_cast<std::int64_t>(TaskState::Queued));
            candidates.bind(4, static_cast<std::int64_t>(TaskState::Leased));
            candidates.bind(5, request.nowMs);
            candidates.bind(6, static_cast<std::int64_t>(request.maxTasks - result->tasks.size()));
            for (;;) {
                bool row = false;
                if (auto status = candidates.step(&row); !status)
                    return status;
                if (!row)
                    break;
                found.push_back(readTask(candidates));
            }
        }
        if (found.empty())
            break;

        bool failedAny = false;
        for (TaskRecord &task : found) {
            if (task.state == TaskState::Leased && task.attempt >= request.maxAttempts) {
                // A task in a job that was failed a moment ago in this loop is gone from
                // the candidates on the next query; skip it here.
                if (std::find(result->failedJobs.begin(), result->failedJobs.end(), task.jobId)
                    != result->failedJobs.end())
                    continue;
                const std::string message = "task " + std::to_string(task.index) + " failed after "
                    + std::to_string(task.attempt) + " attempts: lease ran out";
                if (auto status = failJobLocked(task.jobId, message, request.nowMs); !status)
                    return status;
                result->failedJobs.push_back(task.jobId);
                failedAny = true;
                continue;
            }
            if (std::find(result->failedJobs.begin(), result->failedJobs.end(), task.jobId)
                != result->failedJobs.end())
                continue;
            if (!result->tasks.empty() && inputBytes + task.inputBytes > request.maxInputBytes) {
                budgetFull = true;
                break;
            }
            SqliteStatement::Scope scope(lease);
            lease.bind(1, static_cast<std::int64_t>(TaskState::Leased));
            lease.bind(2, request.nodeId);
            lease.bind(3, request.deviceId);
            lease.bind(4, request.leaseExpiresMs);
            lease.bind(5, task.id);
            if (auto status = lease.run(); !status)
                return status;
            inputBytes += task.inputBytes;
            task.state = TaskState::Leased;
            task.attempt += 1;
            task.leaseNode = request.nodeId;
            task.deviceId = request.deviceId;
            task.leaseExpiresMs = request.leaseExpiresMs;
            result->tasks.push_back(std::move(task));
        }
        if (!failedAny)
            break; // the query returned all it had to give
    }
    if (auto status = transaction.commit(); !status) {
        result->tasks.clear();
        result->failedJobs.clear();
        return status;
    }
    return Status::ok();
}

Status SqliteStore::renewLeases(const std::string &nodeId, std::span<const std::string> taskIds,
    std::int64_t expiresMs, std::vector<std::string> *revoked)
{
    revoked->clear();
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    auto &renew
        = statement("UPDATE tasks SET lease_expires_ms = ? WHERE id = ? AND state = ? AND lease_node = ?");
    for (const std::string &id : taskIds) {
        SqliteStatement::Scope scope(renew);
        renew.bind(1, expiresMs);
        renew.bind(2, id);
        renew.bind(3, static_cast<std::int64_t>(TaskState::Leased));
        renew.bind(4, nodeId);
        if (auto status = renew.run(); !status)
            return status;
        if (changes() == 0)
            revoked->push_back(id);
    }
    if (auto status = transaction.commit(); !status) {
        revoked->clear();
        return status;
    }
    return Status::ok();
}

Status SqliteStore::completeTask(
    const CompletedTask &result, const Assembler &assemble, CompleteOutcome *outcome)
{
    *outcome = CompleteOutcome::NotHeld;
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    std::string jobId;
    {
        auto &select = statement("SELECT state, attempt, lease_node, job_id FROM tasks WHERE id = ?");
        SqliteStatement::Scope scope(select);
        select.bind(1, result.taskId);
        bool row = false;
        if (auto status = select.step(&row); !status)
            return status;
        if (!row)
            return Status::ok();
        const auto state = static_cast<TaskState>(select.columnInt64(0));
        const auto attempt = static_cast<std::uint32_t>(select.columnInt64(1));
        const bool byNode = select.columnText(2) == result.nodeId;
        jobId = select.columnText(3);
        if (state == TaskState::Done && attempt == result.attempt && byNode) {
            *outcome = CompleteOutcome::Duplicate;
            return Status::ok();
        }
        if (state != TaskState::Leased || attempt != result.attempt || !byNode)
            return Status::ok();
    }

    auto &done = statement("UPDATE tasks SET state = ?, output = ?, output_sha256 = ?, device_id = ?, "
                           "compute_ms = ?, completed_ms = ?, lease_expires_ms = 0 WHERE id = ?");
    {
        SqliteStatement::Scope scope(done);
        done.bind(1, static_cast<std::int64_t>(TaskState::Done));
        done.bindBlob(2, result.output);
        done.bind(3, result.outputSha256);
        done.bind(4, result.deviceId);
        done.bind(5, static_cast<std::int64_t>(result.computeMs));
        done.bind(6, result.nowMs);
        done.bind(7, result.taskId);
        if (auto status = done.run(); !status)
            return status;
    }

    auto &count = statement("UPDATE jobs SET tasks_done = tasks_done + 1, "
                            "state = CASE WHEN state = ?1 THEN ?2 ELSE state END WHERE id = ?3 "
                            "RETURNING tasks_done, tasks_total");
    bool last = false;
    {
        SqliteStatement::Scope scope(count);
        count.bind(1, static_cast<std::int64_t>(JobState::Queued));
        count.bind(2, static_cast<std::int64_t>(JobState::Running));
        count.bind(3, jobId);
        bool row = false;
        if (auto status = count.step(&row); !status)
            return status;
        if (!row)
            return Status::error("task " + result.taskId + " belongs to a missing job " + jobId);
        last = count.columnInt64(0) >= count.columnInt64(1);
        if (auto status = count.run(); !status) // let RETURNING finish the update
            return status;
    }

    *outcome = CompleteOutcome::Accepted;
    if (last) {
        std::optional<JobRecord> job;
        if (auto status = findJobLocked(jobId, result.nowMs, &job); !status)
            return status;
        std::vector<TaskRecord> tasks;
        if (auto status = jobTasksLocked(jobId, &tasks); !status)
            return status;
        Status readFailure;
        const OutputReader readOutput = [this, &readFailure](const TaskRecord &task) {
            std::optional<std::string> output;
            if (auto status = readTaskOutputLocked(task.id, &output); !status && readFailure)
                readFailure = status;
            return output;
        };
        AssembledResult assembled;
        if (auto status = assemble(*job, tasks, readOutput, &assembled); !status)
            return readFailure ? status : readFailure;
        if (auto status = insertBlobLocked({ assembled.sha256, asBytes(assembled.data) }); !status)
            return status;
        auto &complete
            = statement("UPDATE jobs SET state = ?, finished_ms = ?, result_sha256 = ? WHERE id = ?");
        SqliteStatement::Scope scope(complete);
        complete.bind(1, static_cast<std::int64_t>(JobState::Completed));
        complete.bind(2, result.nowMs);
        complete.bind(3, assembled.sha256);
        complete.bind(4, jobId);
        if (auto status = complete.run(); !status)
            return status;
        *outcome = CompleteOutcome::JobCompleted;
    }
    if (auto status = transaction.commit(); !status) {
        *outcome = CompleteOutcome::NotHeld;
        return status;
    }
    return Status::ok();
}

Status SqliteStore::requeueTask(const RejectedTask &rejected, RequeueOutcome *outcome)
{
    *outcome = RequeueOutcome::NotHeld;
    std::lock_guard lock(m_mutex);
    Transaction transaction(*this);
    if (!transaction.begun())
        return transaction.begun();

    std::string jobId;
    std::uint32_t index = 0;
    std::uint32_t attempt = 0;
    {
        auto &select = statement("SELECT state, attempt, lease_node, job_id, idx FROM tasks WHERE id = ?");
        SqliteStatement::Scope scope(select);
        select.bind(1, rejected.taskId);
        bool row = false;
        if (auto status = select.step(&row); !status)
            return status;
        if (!row)
            return Status::ok();
        const auto state = static_cast<TaskState>(select.columnInt64(0));
        attempt = static_cast<std::uint32_t>(select.columnInt64(1));
        if (state != TaskState::Leased || attempt != rejected.attempt
            || select.columnText(2) != rejected.nodeId)
            return Status::ok();
        jobId = select.columnText(3);
        index = static_cast<std::uint32_t>(select.columnInt64(4));
    }

    if (attempt >= rejected.maxAttempts) {
        const std::string message = "task " + std::to_string(index) + " failed after "
            + std::to_string(attempt) + " attempts: " + rejected.reason;
        if (auto status = failJobLocked(jobId, message, rejected.nowMs); !status)
            return status;
        *outcome = RequeueOutcome::JobFailed;
    } else {
        auto &requeue = statement("UPDATE tasks SET state = ?, lease_node = NULL, device_id = NULL, "
                                  "lease_expires_ms = 0 WHERE id = ?");
        SqliteStatement::Scope scope(requeue);
        requeue.bind(1, static_cast<std::int64_t>(TaskState::Queued));
        requeue.bind(2, rejected.taskId);
        if (auto status = requeue.run(); !status)
            return status;
        *outcome = RequeueOutcome::Requeued;
    }
    if (auto status = transaction.commit(); !status) {
        *outcome = RequeueOutcome::NotHeld;
        return status;
    }
    return Status::ok();
}

Status SqliteStore::failJobLocked(const std::string &jobId, const std::string &message, std::int64_t nowMs)
{
    auto &failJob = statement("UPDATE jobs SET state = ?, message = ?, finished_ms = ? WHERE id = ? "
                              "AND state IN (?, ?)");
    {
        SqliteStatement::Scope scope(failJob);
        failJob.bind(1, static_cast<std::int64_t>(JobState::Failed));
        failJob.bind(2, message);
        failJob.bind(3, nowMs);
        failJob.bind(4, jobId);
        failJob.bind(5, static_cast<std::int64_t>(JobState::Queued));
        failJob.bind(6, static_cast<std::int64_t>(JobState::Running));
        if (auto status = failJob.run(); !status)
            return status;
    }
    // Open tasks fail with their job, so that holders see their leases revoked.
    auto &failTasks
        = statement("UPDATE tasks SET state = ?, lease_expires_ms = 0 WHERE job_id = ? AND state IN (?, ?)");
    SqliteStatement::Scope scope(failTasks);
    failTasks.bind(1, static_cast<std::int64_t>(TaskState::Failed));
    failTasks.bind(2, jobId);
    failTasks.bind(3, static_cast<std::int64_t>(TaskState::Queued));
    failTasks.bind(4, static_cast<std::int64_t>(TaskState::Leased));
    return failTasks.run();
}

// --- Nodes

Status SqliteStore::saveNode(const NodeRecord &node)
{
    std::lock_guard lock(m_mutex);
    auto &upsert = statement("INSERT INTO nodes (id, name, version, devices, registered_ms, last_seen_ms) "
                             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                             "version = excluded.version, devices = excluded.devices, "
                             "last_seen_ms = excluded.last_seen_ms");
    SqliteStatement::Scope scope(upsert);
    upsert.bind(1, node.id);
    upsert.bind(2, node.name);
    upsert.bind(3, node.version);
    upsert.bindBlob(4, asBytes(node.devices));
    upsert.bind(5, node.registeredMs);
    upsert.bind(6, node.lastSeenMs);
    return upsert.run();
}

Status SqliteStore::findNode(const std::string &id, std::optional<NodeRecord> *node)
{
    std::lock_guard lock(m_mutex);
    node->reset();
    auto &select
        = statement("SELECT id, name, version, devices, registered_ms, last_seen_ms FROM nodes WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (row) {
        NodeRecord record;
        record.id = select.columnText(0);
        record.name = select.columnText(1);
        record.version = select.columnText(2);
        record.devices = select.columnBlob(3);
        record.registeredMs = select.columnInt64(4);
        record.lastSeenMs = select.columnInt64(5);
        *node = std::move(record);
    }
    return Status::ok();
}

Status SqliteStore::touchNode(const std::string &id, std::int64_t nowMs, bool *known)
{
    std::lock_guard lock(m_mutex);
    *known = false;
    auto &touch = statement("UPDATE nodes SET last_seen_ms = ? WHERE id = ?");
    SqliteStatement::Scope scope(touch);
    touch.bind(1, nowMs);
    touch.bind(2, id);
    if (auto status = touch.run(); !status)
        return status;
    *known = changes() > 0;
    return Status::ok();
}

// --- Blobs

Status SqliteStore::insertBlobLocked(const BlobRecord &blob)
{
    auto &insert = statement("INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)");
    SqliteStatement::Scope scope(insert);
    insert.bind(1, blob.sha256);
    insert.bind(2, static_cast<std::int64_t>(blob.data.size()));
    insert.bindBlob(3, blob.data);
    return insert.run();
}

Status SqliteStore::readBlob(const std::string &sha256, std::optional<std::string> *data)
{
    std::lock_guard lock(m_mutex);
    data->reset();
    auto &select = statement("SELECT data FROM blobs WHERE sha256 = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, sha256);
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (row)
        *data = select.columnBlob(0);
    return Status::ok();
}

#undef TRIBUTARY_TASK_COLUMNS

} // namespace tributary::coordinator
