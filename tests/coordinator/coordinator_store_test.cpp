// Unit tests for SqliteStore: schema and pragmas, jobs and tasks, the lease state machine
// (lease, expiry, re-lease, renewal, completion, rejection, failure), atomicity, and that
// everything survives closing and reopening the file. Times are passed in explicitly, so
// nothing here sleeps.

#include "coordinator/blob_cache.h"
#include "coordinator/sqlite_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace tributary::coordinator;
using tributary::engine::Status;

namespace {

std::span<const std::byte> bytesOf(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

// One scalar from a query on a separate connection, to look at the file from outside.
std::string queryText(const std::string &path, const char *sql)
{
    sqlite3 *db = nullptr;
    std::string result = "<error>";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW)
            result = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return result;
}

bool execSql(const std::string &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK
        && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

// A job with `count` tasks of one row each; input blobs "a" and "b".
struct JobFixture {
    JobRecord job;
    std::string a = "0123456789abcdef";
    std::string b = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::vector<TaskRecord> tasks;

    JobFixture(const std::string &id, std::int64_t createdMs, int count)
    {
        job.id = id;
        job.name = "job " + id;
        job.kind = "gemm";
        job.spec = std::string("spec\0bytes", 10);
        job.createdMs = createdMs;
        job.inputs = { { "a", "sha-a-" + id }, { "b", "sha-b-" + id } };
        for (int i = 0; i < count; ++i) {
            TaskRecord task;
            task.id = id + "-t" + std::to_string(i);
            task.jobId = id;
            task.index = static_cast<std::uint32_t>(i);
            task.row0 = static_cast<std::uint32_t>(i);
            task.col0 = 0;
            task.rows = 1;
            task.cols = 4;
            task.inputBytes = 100;
            tasks.push_back(task);
        }
    }

    Status create(Store &store) const
    {
        const BlobRecord blobs[] = { { job.inputs.at("a"), bytesOf(a) }, { job.inputs.at("b"), bytesOf(b) } };
        return store.createJob(job, blobs, tasks);
    }
};

NodeRecord node(const std::string &id, std::int64_t nowMs)
{
    NodeRecord record;
    record.id = id;
    record.name = "host " + id;
    record.version = "0.1.0";
    record.devices = std::string("\x0a\x05"
                                 "cpu:0",
        7);
    record.registeredMs = nowMs;
    record.lastSeenMs = nowMs;
    return record;
}

LeaseRequest leaseRequest(const std::string &nodeId, std::uint32_t maxTasks, std::int64_t nowMs,
    std::int64_t durationMs = 200, std::uint32_t maxAttempts = 5)
{
    LeaseRequest request;
    request.nodeId = nodeId;
    request.deviceId = "cpu:0";
    request.maxTasks = maxTasks;
    request.maxInputBytes = 1 << 20;
    request.nowMs = nowMs;
    request.leaseExpiresMs = nowMs + durationMs;
    request.maxAttempts = maxAttempts;
    return request;
}

CompletedTask completion(
    const TaskRecord &task, const std::string &nodeId, const std::string &output, std::int64_t nowMs)
{
    CompletedTask completed;
    completed.taskId = task.id;
    completed.nodeId = nodeId;
    completed.attempt = task.attempt;
    completed.deviceId = "cpu:0";
    completed.output = bytesOf(output);
    completed.outputSha256 = "sha-of-" + output;
    completed.computeMs = 3;
    completed.nowMs = nowMs;
    return completed;
}

// Concatenates the outputs in index order: lets the tests check order and content.
Status concatenate(const JobRecord &, const std::vector<TaskRecord> &tasks, const OutputReader &readOutput,
    AssembledResult *result)
{
    for (const TaskRecord &task : tasks) {
        auto output = readOutput(task);
        if (!output)
            return Status::error("missing output for " + task.id);
        result->data += *output;
    }
    result->sha256 = "sha-of-" + result->data;
    return Status::ok();
}

} // namespace

class CoordinatorStoreTest : public QObject {
    Q_OBJECT

private:
    std::string m_path;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteStore> m_store;

    void reopen()
    {
        m_store.reset();
        Status status = SqliteStore::open(m_path, &m_store);
        QVERIFY2(status, status.message().c_str());
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath("coordinator.db").toStdString();
        reopen();
    }

    void cleanup()
    {
        m_store.reset();
        m_dir.reset();
    }

    void schemaAndPragmas()
    {
        QCOMPARE(queryText(m_path, "SELECT version FROM schema_version"),
            std::to_string(SqliteStore::kSchemaVersion));
        // WAL is a property of the file: another connection sees it.
        QCOMPARE(queryText(m_path, "PRAGMA journal_mode"), std::string("wal"));
        for (const char *table : { "jobs", "tasks", "nodes", "blobs", "job_inputs" }) {
            const std::string sql
                = std::string("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '") + table
                + "'";
            QCOMPARE(queryText(m_path, sql.c_str()), std::string(table));
        }
        // Opening an existing file again keeps the schema and does not fail.
        reopen();
        QCOMPARE(queryText(m_path, "SELECT COUNT(*) FROM schema_version"), std::string("1"));
    }

    void inMemory()
    {
        std::unique_ptr<SqliteStore> store;
        Status status = SqliteStore::open(":memory:", &store);
        QVERIFY2(status, status.message().c_str());
        QVERIFY(JobFixture("job-1", 1000, 2).create(*store));
        std::optional<JobRecord> job;
        QVERIFY(store->findJob("job-1", 1000, &job));
        QVERIFY(job);
        QCOMPARE(job->tasksTotal, 2u);
    }

    void openFailures()
    {
        std::unique_ptr<SqliteStore> store;
        Status status = SqliteStore::open(m_dir->filePath("missing/dir/x.db").toStdString(), &store);
        QVERIFY(!status);
        QVERIFY2(status.message().starts_with("cannot open database "), status.message().c_str());
        QVERIFY(!store);

        const std::string garbage = m_dir->filePath("garbage.db").toStdString();
        {
            std::FILE *file = std::fopen(garbage.c_str(), "wb");
            QVERIFY(file);
            std::fputs(
                "this is not an SQLite database, not even close; it is long enough to have a header", file);
            std::fclose(file);
        }
        status = SqliteStore::open(garbage, &store);
        QVERIFY(!status);
        QVERIFY2(status.message().find("not a database") != std::string::npos, status.message().c_str());

        // A file from a newer coordinator is refused, not misread.
        m_store.reset();
        QVERIFY(execSql(m_path, "UPDATE schema_version SET version = 99"));
        status = SqliteStore::open(m_path, &store);
        QVERIFY(!status);
        QVERIFY2(status.message().find("newer") != std::string::npos, status.message().c_str());
    }

    void createAndReadJob()
    {
        JobFixture fixture("job-1", 1000, 4);
        Status status = fixture.create(*m_store);
        QVERIFY2(status, status.message().c_str());

        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1000, &job));
        QVERIFY(job);
        QCOMPARE(job->name, fixture.job.name);
        QCOMPARE(job->kind, std::string("gemm"));
        QCOMPARE(job->spec, fixture.job.spec); // binary-safe
        QCOMPARE(job->state, JobState::Queued);
        QCOMPARE(job->tasksTotal, 4u);
        QCOMPARE(job->tasksDone, 0u);
        QCOMPARE(job->tasksLeased, 0u);
        QCOMPARE(job->createdMs, std::int64_t(1000));
        QVERIFY(job->inputs == fixture.job.inputs);

        std::vector<TaskRecord> tasks;
        QVERIFY(m_store->jobTasks("job-1", &tasks));
        QCOMPARE(tasks.size(), std::size_t(4));
        for (std::uint32_t i = 0; i < 4; ++i) {
            QCOMPARE(tasks[i].index, i);
            QCOMPARE(tasks[i].id, fixture.tasks[i].id);
            QCOMPARE(tasks[i].state, TaskState::Queued);
            QCOMPARE(tasks[i].attempt, 0u);
            QCOMPARE(tasks[i].row0, i);
            QCOMPARE(tasks[i].cols, 4u);
            QCOMPARE(tasks[i].inputBytes, std::uint64_t(100));
        }

        std::optional<std::string> blob;
        QVERIFY(m_store->readBlob("sha-a-job-1", &blob));
        QCOMPARE(*blob, fixture.a);
        const ByteRange ranges[] = { { 2, 3 }, { 10, 0 }, { 0, 1 }, { 15, 1 } };
        // Ranges come through the in-memory cache; a 1-byte capacity exercises the
        // uncached path, a large one the cached path.
        for (std::uint64_t capacity : { std::uint64_t(1), std::uint64_t(1) << 20 }) {
            BlobCache cache(*m_store, capacity);
            for (int pass = 0; pass < 2; ++pass) {
                std::string slices;
                QVERIFY(cache.readRanges("sha-a-job-1", ranges, &slices));
                QCOMPARE(slices, std::string("2340f"));
            }
            const ByteRange outside[] = { { 14, 3 } };
            std::string slices;
            QVERIFY(!cache.readRanges("sha-a-job-1", outside, &slices));
            QVERIFY(!cache.readRanges("no-such-blob", ranges, &slices));
        }

        std::optional<JobRecord> missing;
        QVERIFY(m_store->findJob("job-2", 1000, &missing));
        QVERIFY(!missing);
    }

    void createJobIsAtomic()
    {
        JobFixture fixture("job-1", 1000, 3);
        fixture.tasks[2].id = fixture.tasks[0].id; // violates the primary key on the last insert
        QVERIFY(!fixture.create(*m_store));
        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1000, &job));
        QVERIFY(!job);
        std::optional<std::string> blob;
        QVERIFY(m_store->readBlob("sha-a-job-1", &blob));
        QVERIFY(!blob);
        QCOMPARE(queryText(m_path, "SELECT COUNT(*) FROM tasks"), std::string("0"));
    }

    void nodes()
    {
        QVERIFY(m_store->saveNode(node("node-a", 100)));
        NodeRecord changed = node("node-a", 500);
        changed.name = "renamed";
        changed.devices = std::string("\0\1\2", 3);
        QVERIFY(m_store->saveNode(changed));
        std::optional<NodeRecord> found;
        QVERIFY(m_store->findNode("node-a", &found));
        QVERIFY(found);
        QCOMPARE(found->name, std::string("renamed"));
        QCOMPARE(found->devices, changed.devices);
        QCOMPARE(found->registeredMs, std::int64_t(100)); // kept from the first registration
        QCOMPARE(found->lastSeenMs, std::int64_t(500));

        bool known = false;
        QVERIFY(m_store->touchNode("node-a", 900, &known));
        QVERIFY(known);
        QVERIFY(m_store->findNode("node-a", &found));
        QCOMPARE(found->lastSeenMs, std::int64_t(900));
        QVERIFY(m_store->touchNode("node-x", 900, &known));
        QVERIFY(!known);
    }

    void leaseExpireRelease()
    {
        QVERIFY(JobFixture("job-1", 1000, 4).create(*m_store));
        QVERIFY(m_store->saveNode(node("node-a", 0)));
        QVERIFY(m_store->saveNode(node("node-b", 0)));

        LeaseResult leased;
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 2, 1000), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(2));
        QCOMPARE(leased.tasks[0].index, 0u);
        QCOMPARE(leased.tasks[1].index, 1u);
        QCOMPARE(leased.tasks[0].attempt, 1u);
        QCOMPARE(leased.tasks[0].leaseNode, std::string("node-a"));
        QCOMPARE(leased.tasks[0].leaseExpiresMs, std::int64_t(1200));
        const std::string heldByA = leased.tasks[0].id;

        QVERIFY(m_store->leaseTasks(leaseRequest("node-b", 10, 1100), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(2));
        QCOMPARE(leased.tasks[0].index, 2u);
        QCOMPARE(leased.tasks[1].index, 3u);

        QVERIFY(m_store->leaseTasks(leaseRequest("node-b", 10, 1199), &leased));
        QVERIFY(leased.tasks.empty());

        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1199, &job));
        QCOMPARE(job->tasksLeased, 4u);
        QVERIFY(m_store->findJob("job-1", 1200, &job));
        QCOMPARE(job->tasksLeased, 2u); // node-a's leases ran out at 1200

        // At expiry node-a's tasks go to node-b, one attempt later.
        QVERIFY(m_store->leaseTasks(leaseRequest("node-b", 10, 1200), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(2));
        QCOMPARE(leased.tasks[0].id, heldByA);
        QCOMPARE(leased.tasks[0].attempt, 2u);
        QCOMPARE(leased.tasks[0].leaseNode, std::string("node-b"));
        std::optional<TaskRecord> task;
        QVERIFY(m_store->findTask(heldByA, &task));
        QCOMPARE(task->state, TaskState::Leased);
        QCOMPARE(task->attempt, 2u);
        QCOMPARE(task->leaseNode, std::string("node-b"));
        QCOMPARE(task->leaseExpiresMs, std::int64_t(1400));

        // node-a no longer holds it; node-b renews its own, and an unknown id is revoked.
        const std::string renewA[] = { heldByA };
        std::vector<std::string> revoked;
        QVERIFY(m_store->renewLeases("node-a", renewA, 5000, &revoked));
        QCOMPARE(revoked, std::vector<std::string> { heldByA });
        const std::string renewB[] = { heldByA, "job-1-t99" };
        QVERIFY(m_store->renewLeases("node-b", renewB, 5000, &revoked));
        QCOMPARE(revoked, std::vector<std::string> { "job-1-t99" });
        QVERIFY(m_store->findTask(heldByA, &task));
        QCOMPARE(task->leaseExpiresMs, std::int64_t(5000));
    }

    void leaseBudgetAndOrder()
    {
        // The older job's tasks come first, whatever the insertion order.
        QVERIFY(JobFixture("job-new", 2000, 2).create(*m_store));
        QVERIFY(JobFixture("job-old", 1000, 2).create(*m_store));
        QVERIFY(m_store->saveNode(node("node-a", 0)));

        LeaseRequest request = leaseRequest("node-a", 10, 3000);
        request.maxInputBytes = 250; // 100 bytes per task
        LeaseResult leased;
        QVERIFY(m_store->leaseTasks(request, &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(2));
        QCOMPARE(leased.tasks[0].jobId, std::string("job-old"));
        QCOMPARE(leased.tasks[1].jobId, std::string("job-old"));

        request.maxInputBytes = 10; // smaller than one task: one is still allowed
        QVERIFY(m_store->leaseTasks(request, &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(1));
        QCOMPARE(leased.tasks[0].id, std::string("job-new-t0"));
    }

    void completeAndAssemble()
    {
        QVERIFY(JobFixture("job-1", 1000, 3).create(*m_store));
        QVERIFY(m_store->saveNode(node("node-a", 0)));
        QVERIFY(m_store->saveNode(node("node-b", 0)));
        LeaseResult leased;
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 3, 1000), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(3));
        const std::vector<TaskRecord> tasks = leased.tasks;

        // Not the holder, or not the attempt: nothing changes.
        CompleteOutcome outcome = CompleteOutcome::Accepted;
        const std::string out1 = "one";
        QVERIFY(m_store->completeTask(completion(tasks[1], "node-b", out1, 1100), concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::NotHeld);
        CompletedTask wrongAttempt = completion(tasks[1], "node-a", out1, 1100);
        wrongAttempt.attempt = 2;
        QVERIFY(m_store->completeTask(wrongAttempt, concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::NotHeld);

        QVERIFY(m_store->completeTask(completion(tasks[1], "node-a", out1, 1100), concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::Accepted);
        QVERIFY(m_store->completeTask(completion(tasks[1], "node-a", out1, 1150), concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::Duplicate);

        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1100, &job));
        QCOMPARE(job->state, JobState::Running);
        QCOMPARE(job->tasksDone, 1u);
        QCOMPARE(job->tasksLeased, 2u);
        std::optional<TaskRecord> task;
        QVERIFY(m_store->findTask(tasks[1].id, &task));
        QCOMPARE(task->state, TaskState::Done);
        QCOMPARE(task->outputSha256, std::string("sha-of-one"));
        QCOMPARE(task->completedMs, std::int64_t(1100));
        QCOMPARE(task->computeMs, std::uint64_t(3));
        std::optional<std::string> output;
        QVERIFY(m_store->readTaskOutput(tasks[1].id, &output));
        QCOMPARE(*output, out1);

        // A failing assembler rolls back the last completion with it.
        const std::string out0 = "zero", out2 = "two";
        QVERIFY(m_store->completeTask(completion(tasks[0], "node-a", out0, 1200), concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::Accepted);
        const Assembler failing = [](const JobRecord &, const std::vector<TaskRecord> &, const OutputReader &,
                                      AssembledResult *) { return Status::error("no"); };
        QVERIFY(!m_store->completeTask(completion(tasks[2], "node-a", out2, 1300), failing, &outcome));
        QVERIFY(m_store->findTask(tasks[2].id, &task));
        QCOMPARE(task->state, TaskState::Leased);
        QVERIFY(m_store->findJob("job-1", 1300, &job));
        QCOMPARE(job->tasksDone, 2u);

        // The last one assembles in index order and completes the job.
        QVERIFY(m_store->completeTask(completion(tasks[2], "node-a", out2, 1300), concatenate, &outcome));
        QCOMPARE(outcome, CompleteOutcome::JobCompleted);
        QVERIFY(m_store->findJob("job-1", 1300, &job));
        QCOMPARE(job->state, JobState::Completed);
        QCOMPARE(job->tasksDone, 3u);
        QCOMPARE(job->tasksLeased, 0u);
        QCOMPARE(job->finishedMs, std::int64_t(1300));
        QCOMPARE(job->resultSha256, std::string("sha-of-zeroonetwo"));
        std::optional<std::string> result;
        QVERIFY(m_store->readBlob(job->resultSha256, &result));
        QCOMPARE(*result, std::string("zeroonetwo"));

        // Nothing of a completed job is leased again.
        QVERIFY(m_store->leaseTasks(leaseRequest("node-b", 10, 99999), &leased));
        QVERIFY(leased.tasks.empty());

        // Everything is still there after closing and reopening the file.
        reopen();
        QVERIFY(m_store->findJob("job-1", 1300, &job));
        QVERIFY(job);
        QCOMPARE(job->state, JobState::Completed);
        QCOMPARE(job->resultSha256, std::string("sha-of-zeroonetwo"));
        QVERIFY(m_store->readBlob(job->resultSha256, &result));
        QCOMPARE(*result, std::string("zeroonetwo"));
        std::vector<TaskRecord> stored;
        QVERIFY(m_store->jobTasks("job-1", &stored));
        QCOMPARE(stored.size(), std::size_t(3));
        for (const TaskRecord &each : stored) {
            QCOMPARE(each.state, TaskState::Done);
            QCOMPARE(each.leaseNode, std::string("node-a"));
        }
        std::optional<NodeRecord> nodeA;
        QVERIFY(m_store->findNode("node-a", &nodeA));
        QVERIFY(nodeA);
        QCOMPARE(queryText(m_path, "PRAGMA journal_mode"), std::string("wal"));
    }

    void requeueUntilJobFails()
    {
        QVERIFY(JobFixture("job-1", 1000, 2).create(*m_store));
        QVERIFY(m_store->saveNode(node("node-a", 0)));
        const std::uint32_t maxAttempts = 2;
        LeaseResult leased;
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 1, 1000, 200, maxAttempts), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(1));
        const TaskRecord first = leased.tasks[0];

        RejectedTask rejected { first.id, "node-a", 1, "wrong bits", maxAttempts, 1100 };
        RequeueOutcome outcome = RequeueOutcome::NotHeld;
        QVERIFY(m_store->requeueTask(rejected, &outcome));
        QCOMPARE(outcome, RequeueOutcome::Requeued);
        std::optional<TaskRecord> task;
        QVERIFY(m_store->findTask(first.id, &task));
        QCOMPARE(task->state, TaskState::Queued);
        QVERIFY(task->leaseNode.empty());
        // Rejecting again at the same attempt: no longer held.
        QVERIFY(m_store->requeueTask(rejected, &outcome));
        QCOMPARE(outcome, RequeueOutcome::NotHeld);

        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 1, 1200, 200, maxAttempts), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(1));
        QCOMPARE(leased.tasks[0].id, first.id);
        QCOMPARE(leased.tasks[0].attempt, 2u);

        rejected.attempt = 2;
        QVERIFY(m_store->requeueTask(rejected, &outcome));
        QCOMPARE(outcome, RequeueOutcome::JobFailed);
        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1300, &job));
        QCOMPARE(job->state, JobState::Failed);
        QVERIFY2(job->message.find("task 0") != std::string::npos, job->message.c_str());
        QVERIFY2(job->message.find("wrong bits") != std::string::npos, job->message.c_str());
        QCOMPARE(job->finishedMs, std::int64_t(1100));
        std::vector<TaskRecord> tasks;
        QVERIFY(m_store->jobTasks("job-1", &tasks));
        for (const TaskRecord &each : tasks)
            QCOMPARE(each.state, TaskState::Failed);
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 10, 1400, 200, maxAttempts), &leased));
        QVERIFY(leased.tasks.empty());
    }

    void expiredLeasesFailJob()
    {
        QVERIFY(JobFixture("job-1", 1000, 2).create(*m_store));
        QVERIFY(JobFixture("job-2", 2000, 1).create(*m_store));
        QVERIFY(m_store->saveNode(node("node-a", 0)));
        LeaseResult leased;
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 1, 1000, 200, 1), &leased));
        QCOMPARE(leased.tasks.size(), std::size_t(1));

        // With one attempt allowed, the run-out lease fails job-1; the request is filled
        // from what is left (job-1's other task failed with it, so job-2's).
        QVERIFY(m_store->leaseTasks(leaseRequest("node-a", 5, 1300, 200, 1), &leased));
        QCOMPARE(leased.failedJobs, std::vector<std::string> { "job-1" });
        QCOMPARE(leased.tasks.size(), std::size_t(1));
        QCOMPARE(leased.tasks[0].jobId, std::string("job-2"));
        std::optional<JobRecord> job;
        QVERIFY(m_store->findJob("job-1", 1300, &job));
        QCOMPARE(job->state, JobState::Failed);
        QVERIFY2(job->message.find("lease ran out") != std::string::npos, job->message.c_str());
    }
};

QTEST_GUILESS_MAIN(CoordinatorStoreTest)
#include "coordinator_store_test.moc"
