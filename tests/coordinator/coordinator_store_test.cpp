// Unit tests for SqliteStore on its own: the schema on a new file and data surviving a
// reopen, the files it refuses (not a database, schema version 1, a newer version), the
// transaction rules (read() refuses writes, a failing write() rolls everything back),
// partial uploads, and the ledger's own checks (balanced postings, idempotency keys).

#include "coordinator/store/sqlite_schema.h"
#include "coordinator/store/sqlite_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace tributary::coordinator;
using tributary::engine::Status;

namespace {

std::span<const std::byte> bytesOf(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

// Runs SQL on a separate connection, to prepare files the store must refuse.
bool execSql(const std::string &path, const char *sql)
{
    sqlite3 *db = nullptr;
    const bool ok = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK
        && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

AccountRecord makeAccount(const std::string &id)
{
    AccountRecord account;
    account.id = id;
    account.name = "name of " + id;
    account.tokenSha256 = "hash-of-" + id;
    account.createdMs = 1000;
    return account;
}

JobRecord makeJob(const std::string &id, const std::string &accountId)
{
    JobRecord job;
    job.id = id;
    job.accountId = accountId;
    job.name = "job " + id;
    job.kind = "gemm";
    job.spec = std::string("spec\0bytes", 10);
    job.createdMs = 2000;
    job.tasksTotal = 1;
    job.inputs = { { "a", "sha-a" }, { "b", "sha-b" } };
    return job;
}

LedgerTransactionRecord transfer(const std::string &key, const std::string &from, const std::string &to,
    std::int64_t units)
{
    LedgerTransactionRecord transaction;
    transaction.idempotencyKey = key;
    transaction.kind = "grant";
    transaction.memo = "test";
    transaction.createdMs = 3000;
    transaction.postings = { { from, -units }, { to, units } };
    return transaction;
}

// Account "acc-r", the blobs makeJob() names as inputs, and its job "job-1".
Status insertJobOfAccount(StoreTransaction &tx)
{
    if (auto s = tx.insertAccount(makeAccount("acc-r")); !s)
        return s;
    for (const char *blob : { "sha-a", "sha-b" }) {
        if (auto s = tx.insertBlob(blob, bytesOf("x")); !s)
            return s;
    }
    return tx.insertJob(makeJob("job-1", "acc-r"));
}

} // namespace

class CoordinatorStoreTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;

    std::string path(const char *name) const { return m_dir->filePath(name).toStdString(); }

    static std::unique_ptr<SqliteStore> openOk(const std::string &path)
    {
        std::unique_ptr<SqliteStore> store;
        const Status status = SqliteStore::open(path, &store);
        if (!status)
            qWarning("open %s: %s", path.c_str(), status.message().c_str());
        return store;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void createsSchemaAndReopensKeepingData()
    {
        const std::string file = path("c.db");
        {
            auto store = openOk(file);
            QVERIFY(store);
            const Status status = store->write([](StoreTransaction &tx) -> Status {
                if (auto s = tx.insertAccount(makeAccount("acc-1")); !s)
                    return s;
                // A job's inputs must be stored blobs.
                if (auto s = tx.insertBlob("sha-a", bytesOf("A")); !s)
                    return s;
                if (auto s = tx.insertBlob("sha-b", bytesOf("B")); !s)
                    return s;
                if (auto s = tx.insertJob(makeJob("job-1", "acc-1")); !s)
                    return s;
                return tx.insertBlob("blob-1", bytesOf(std::string("hello\0world", 11)));
            });
            QVERIFY2(status, status.message().c_str());
        }
        QVERIFY(QFile::exists(QString::fromStdString(file)));

        auto store = openOk(file);
        QVERIFY(store);
        std::optional<AccountRecord> account;
        std::optional<AccountRecord> byToken;
        std::optional<JobRecord> job;
        std::optional<std::string> blob;
        std::optional<std::uint64_t> size;
        const Status status = store->read([&](StoreTransaction &tx) -> Status {
            if (auto s = tx.findAccount("acc-1", &account); !s)
                return s;
            if (auto s = tx.findAccountByToken("hash-of-acc-1", &byToken); !s)
                return s;
            if (auto s = tx.findJob("job-1", &job); !s)
                return s;
            if (auto s = tx.readBlob("blob-1", &blob); !s)
                return s;
            return tx.blobSize("blob-1", &size);
        });
        QVERIFY2(status, status.message().c_str());
        QVERIFY(account);
        QCOMPARE(account->name, std::string("name of acc-1"));
        QVERIFY(byToken);
        QCOMPARE(byToken->id, std::string("acc-1"));
        QVERIFY(job);
        QCOMPARE(job->accountId, std::string("acc-1"));
        QCOMPARE(job->spec, std::string("spec\0bytes", 10));
        QCOMPARE(job->inputs.at("b"), std::string("sha-b"));
        QVERIFY(blob);
        QCOMPARE(*blob, std::string("hello\0world", 11));
        QVERIFY(size);
        QCOMPARE(*size, std::uint64_t(11));
    }

    void refusesNonDatabaseFile()
    {
        const std::string file = path("notes.txt");
        {
            std::ofstream out(file);
            out << "this is plainly not an SQLite database, just some text that is long enough "
                   "to fill a header page and then some more text after it.\n";
        }
        std::unique_ptr<SqliteStore> store;
        const Status status = SqliteStore::open(file, &store);
        QVERIFY(!status);
        QVERIFY(!store);
        QVERIFY2(status.message().find(file) != std::string::npos, status.message().c_str());
    }

    void refusesOldAndNewerSchemas_data()
    {
        QTest::addColumn<int>("version");
        QTest::addColumn<QString>("expected");
        QTest::newRow("version 1") << 1 << "schema version 1";
        QTest::newRow("version 5") << 5 << "schema version 5 is newer";
    }

    void refusesOldAndNewerSchemas()
    {
        QFETCH(int, version);
        QFETCH(QString, expected);
        const std::string file = path("old.db");
        const std::string sql = "CREATE TABLE schema_version(version INTEGER); INSERT INTO schema_version VALUES("
            + std::to_string(version) + ");";
        QVERIFY(execSql(file, sql.c_str()));
        std::unique_ptr<SqliteStore> store;
        const Status status = SqliteStore::open(file, &store);
        QVERIFY(!status);
        QVERIFY(!store);
        QVERIFY2(status.message().find(expected.toStdString()) != std::string::npos, status.message().c_str());
        QVERIFY2(status.message().find(file) != std::string::npos, status.message().c_str());
    }

    // A version-2 file, as the previous release wrote it, gains the job cost column with
    // the cost its ledger already shows.
    void upgradesVersion2KeepingJobCosts()
    {
        const std::string file = path("v2.db");
        std::string sql = kSqliteSchemaV2;
        sql += "INSERT INTO accounts VALUES ('acc-r', 'researcher', 'h1', 0, 1);"
               "INSERT INTO accounts VALUES ('acc-n', 'contributor', 'h2', 0, 1);"
               "INSERT INTO jobs (id, account_id, name, kind, spec, state, policy, replicas, spot_check_p, mode, "
               "max_attempts, deadline_ms, tasks_total, created_ms) "
               "VALUES ('job-1', 'acc-r', 'j', 'gemm', x'', 2, 1, 2, 0, 0, 3, 0, 2, 1);"
               "INSERT INTO tasks (id, job_id, idx, state, flops, needed, row0, col0, rows, cols) VALUES "
               "('t1', 'job-1', 0, 4, 8, 2, 0, 0, 1, 1), ('t2', 'job-1', 1, 1, 8, 2, 0, 1, 1, 1);"
               "INSERT INTO ledger_transactions VALUES (1, 'pay:t1:1', 'payment', '', 'job-1', 't1', 1);"
               "INSERT INTO ledger_entries (transaction_id, book, amount) VALUES (1, 'acc-n', 70), "
               "(1, 'escrow:job-1', -70);"
               "INSERT INTO ledger_transactions VALUES (2, 'pay:t2:1', 'payment', '', 'job-1', 't2', 1);"
               "INSERT INTO ledger_entries (transaction_id, book, amount) VALUES (2, 'acc-n', 30), "
               "(2, 'escrow:job-1', -30);"
               "INSERT INTO ledger_transactions VALUES (3, 'clawback:t2:1', 'clawback', '', 'job-1', 't2', 1);"
               "INSERT INTO ledger_entries (transaction_id, book, amount) VALUES (3, 'acc-n', -30), "
               "(3, 'escrow:job-1', 30);";
        QVERIFY(execSql(file, sql.c_str()));

        auto store = openOk(file);
        QVERIFY(store);
        std::int64_t cost = -1;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.jobCost("job-1", &cost); }));
        QCOMPARE(cost, std::int64_t(70));
        TaskCounts counts;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.countTasks("job-1", &counts); }));
        QCOMPARE(counts.done, 1u);
        QCOMPARE(counts.queued, 1u);
        QCOMPARE(counts.running + counts.verifying + counts.failed, 0u);
        // ...and keeps counting from there.
        LedgerTransactionRecord payment;
        payment.idempotencyKey = "pay:t3:1";
        payment.kind = "payment";
        payment.jobId = "job-1";
        payment.taskId = "t3";
        payment.postings = { { "acc-n", 5 }, { "escrow:job-1", -5 } };
        bool duplicate = true;
        QVERIFY(store->write([&](StoreTransaction &tx) { return tx.postLedgerTransaction(payment, &duplicate); }));
        QVERIFY(!duplicate);
        store.reset();
        store = openOk(file);
        QVERIFY(store);
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.jobCost("job-1", &cost); }));
        QCOMPARE(cost, std::int64_t(75));
        std::int64_t escrow = 0;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.balance("escrow:job-1", &escrow); }));
        QCOMPARE(escrow, std::int64_t(-5)); // v2 rows inserted by hand carry no balances
    }

    void readRefusesWrites()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        const Status status
            = store->read([](StoreTransaction &tx) -> Status { return tx.insertAccount(makeAccount("acc-r")); });
        QVERIFY(!status);
        std::optional<AccountRecord> account;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.findAccount("acc-r", &account); }));
        QVERIFY(!account);
    }

    void failedWriteRollsBack()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        const Status status = store->write([](StoreTransaction &tx) -> Status {
            if (auto s = tx.insertAccount(makeAccount("acc-x")); !s)
                return s;
            bool duplicate = false;
            if (auto s = tx.postLedgerTransaction(transfer("k1", "system:issuance", "acc-x", 50), &duplicate); !s)
                return s;
            if (auto s = tx.insertBlob("blob-x", bytesOf("xyz")); !s)
                return s;
            return Status::error("changed my mind");
        });
        QVERIFY(!status);
        QCOMPARE(status.message(), std::string("changed my mind"));

        std::optional<AccountRecord> account;
        std::optional<std::string> blob;
        std::int64_t units = -1;
        QVERIFY(store->read([&](StoreTransaction &tx) -> Status {
            if (auto s = tx.findAccount("acc-x", &account); !s)
                return s;
            if (auto s = tx.readBlob("blob-x", &blob); !s)
                return s;
            return tx.balance("acc-x", &units);
        }));
        QVERIFY(!account);
        QVERIFY(!blob);
        QCOMPARE(units, std::int64_t(0));

        // The same key is free again: the rolled-back transaction never used it.
        bool duplicate = true;
        QVERIFY(store->write([&](StoreTransaction &tx) {
            return tx.postLedgerTransaction(transfer("k1", "system:issuance", "acc-y", 7), &duplicate);
        }));
        QVERIFY(!duplicate);
    }

    // Job rows, node counters and balances are written back at commit: a transaction must
    // still read its own changes, a bulk query must see them, and a rollback must drop them.
    void cachedChangesAreSeenCommittedOrDropped()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        NodeRecord node;
        node.id = "node-1";
        node.accountId = "acc-r";
        QVERIFY(store->write([&](StoreTransaction &tx) -> Status {
            if (auto s = insertJobOfAccount(tx); !s)
                return s;
            return tx.saveNode(node);
        }));

        const auto change = [&](bool fail) {
            return store->write([&](StoreTransaction &tx) -> Status {
                std::optional<JobRecord> job;
                if (auto s = tx.findJobRow("job-1", &job); !s || !job)
                    return s ? Status::error("no job") : s;
                job->state = JobState::Running;
                job->tasksDone = 1;
                if (auto s = tx.updateJob(*job); !s)
                    return s;
                if (auto s = tx.addVerifiedResult("node-1"); !s)
                    return s;
                bool duplicate = false;
                if (auto s = tx.postLedgerTransaction(transfer(fail ? "k-fail" : "k-ok", "system:issuance", "acc-r", 9),
                        &duplicate);
                    !s)
                    return s;
                std::optional<JobRecord> again;
                std::optional<NodeRecord> counted;
                std::vector<JobRecord> active;
                std::vector<LedgerPosting> balances;
                std::int64_t units = 0;
                if (auto s = tx.findJob("job-1", &again); !s)
                    return s;
                if (auto s = tx.findNode("node-1", &counted); !s)
                    return s;
                if (auto s = tx.activeJobs(&active); !s)
                    return s;
                if (auto s = tx.balance("acc-r", &units); !s)
                    return s;
                if (auto s = tx.allBalances(&balances); !s)
                    return s;
                if (!again || again->tasksDone != 1 || again->inputs.size() != 2)
                    return Status::error("findJob missed the transaction's own update");
                if (!counted || counted->verifiedTotal != 1)
                    return Status::error("findNode missed the verified result");
                if (active.size() != 1 || active[0].state != JobState::Running)
                    return Status::error("activeJobs missed the update");
                if (units != 9 || balances.empty())
                    return Status::error("balance missed the posting");
                return fail ? Status::error("changed my mind") : Status::ok();
            });
        };

        QVERIFY(!change(true));
        std::optional<JobRecord> job;
        std::optional<NodeRecord> found;
        std::int64_t units = -1;
        const auto reload = [&] {
            return store->read([&](StoreTransaction &tx) -> Status {
                if (auto s = tx.findJobRow("job-1", &job); !s)
                    return s;
                if (auto s = tx.findNode("node-1", &found); !s)
                    return s;
                return tx.balance("acc-r", &units);
            });
        };
        QVERIFY(reload());
        QVERIFY(job && found);
        QCOMPARE(job->tasksDone, 0u);
        QCOMPARE(job->state, JobState::Queued);
        QCOMPARE(found->verifiedTotal, std::uint64_t(0));
        QCOMPARE(units, std::int64_t(0));

        QVERIFY(change(false));
        QVERIFY(reload());
        QCOMPARE(job->tasksDone, 1u);
        QCOMPARE(job->state, JobState::Running);
        QCOMPARE(found->verifiedTotal, std::uint64_t(1));
        QCOMPARE(found->verifiedStreak, 1u);
        QCOMPARE(units, std::int64_t(9));
    }

    // Writes queued behind a running one commit together, each in its own savepoint: one
    // that fails is rolled back alone and the others keep their changes.
    void groupedWritesFailAlone()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        std::atomic<bool> firstRunning = false;
        std::vector<std::thread> writers;
        std::vector<Status> results(9);
        writers.emplace_back([&] {
            results[0] = store->write([&](StoreTransaction &tx) {
                firstRunning = true;
                // Hold the writer while the others queue up behind it.
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return tx.insertAccount(makeAccount("acc-0"));
            });
        });
        while (!firstRunning)
            std::this_thread::yield();
        for (int i = 1; i < 9; ++i) {
            writers.emplace_back([&, i] {
                results[i] = store->write([i](StoreTransaction &tx) -> Status {
                    if (auto s = tx.insertAccount(makeAccount("acc-" + std::to_string(i))); !s)
                        return s;
                    bool duplicate = false;
                    if (auto s = tx.postLedgerTransaction(
                            transfer("k" + std::to_string(i), "system:issuance", "acc-" + std::to_string(i), i),
                            &duplicate);
                        !s)
                        return s;
                    return i % 2 ? Status::error("write " + std::to_string(i) + " fails") : Status::ok();
                });
            });
        }
        for (std::thread &writer : writers)
            writer.join();

        for (int i = 0; i < 9; ++i) {
            const bool shouldFail = i % 2 == 1;
            QCOMPARE(bool(results[i]), !shouldFail);
            if (shouldFail)
                QCOMPARE(results[i].message(), "write " + std::to_string(i) + " fails");
            std::optional<AccountRecord> account;
            std::int64_t units = -1;
            QVERIFY(store->read([&](StoreTransaction &tx) -> Status {
                if (auto s = tx.findAccount("acc-" + std::to_string(i), &account); !s)
                    return s;
                return tx.balance("acc-" + std::to_string(i), &units);
            }));
            QCOMPARE(account.has_value(), !shouldFail);
            QCOMPARE(units, std::int64_t(shouldFail || i == 0 ? 0 : i));
        }
        std::int64_t issued = 0;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.balance("system:issuance", &issued); }));
        QCOMPARE(issued, std::int64_t(-(2 + 4 + 6 + 8)));
    }

    // The writer never checkpoints (wal_autocheckpoint = 0); the store's checkpoint thread
    // must copy the log into the database file once it passes 1000 pages.
    void checkpointThreadCopiesTheLogIntoTheFile()
    {
        const std::string file = path("c.db");
        auto store = openOk(file);
        QVERIFY(store);
        const std::string chunk(64 * 1024, 'x');
        for (int i = 0; i < 96; ++i) { // 6 MiB in 96 commits: ~1500 pages of log
            QVERIFY(store->write([&](StoreTransaction &tx) {
                return tx.insertBlob("blob-" + std::to_string(i), bytesOf(chunk + std::to_string(i)));
            }));
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::filesystem::file_size(file) > 4u * 1024 * 1024, 10000);
        // Still whole: every blob reads back.
        std::optional<std::string> last;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.readBlob("blob-95", &last); }));
        QVERIFY(last);
        QCOMPARE(*last, chunk + "95");
    }

    // A job's count of tasks in each state is kept on its row; it must follow every state
    // change, ignore changes rolled back, and count a record the transaction did not read.
    void taskCountsFollowStateChanges()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        std::vector<TaskRecord> tasks(5);
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            tasks[i].id = "task-" + std::to_string(i);
            tasks[i].jobId = "job-1";
            tasks[i].index = std::uint32_t(i);
        }
        QVERIFY(store->write([&](StoreTransaction &tx) -> Status {
            if (auto s = insertJobOfAccount(tx); !s)
                return s;
            return tx.insertTasks(tasks);
        }));
        const auto counts = [&] {
            TaskCounts counted;
            if (!store->read([&](StoreTransaction &tx) { return tx.countTasks("job-1", &counted); }))
                qWarning("countTasks failed");
            return std::vector<std::uint32_t> { counted.queued, counted.running, counted.verifying, counted.done,
                counted.failed };
        };
        QCOMPARE(counts(), (std::vector<std::uint32_t> { 5, 0, 0, 0, 0 }));

        const auto setStates = [&](std::vector<std::pair<int, TaskState>> changes, bool fail) {
            return store->write([&](StoreTransaction &tx) -> Status {
                for (const auto &[index, state] : changes) {
                    std::optional<TaskRecord> task;
                    if (auto s = tx.findTask(tasks[index].id, &task); !s || !task)
                        return s ? Status::error("no task") : s;
                    task->state = state;
                    if (auto s = tx.updateTask(*task); !s)
                        return s;
                }
                TaskCounts seen;
                if (auto s = tx.countTasks("job-1", &seen); !s)
                    return s;
                if (seen.queued + seen.running + seen.verifying + seen.done + seen.failed != 5)
                    return Status::error("counts inside the transaction do not add up");
                return fail ? Status::error("changed my mind") : Status::ok();
            });
        };
        // Task 0 runs, is verified, then done, all in one transaction: one net change.
        QVERIFY(setStates({ { 0, TaskState::Running }, { 0, TaskState::Verifying }, { 0, TaskState::Done },
                              { 1, TaskState::Running }, { 2, TaskState::Failed } },
            false));
        QCOMPARE(counts(), (std::vector<std::uint32_t> { 2, 1, 0, 1, 1 }));
        QVERIFY(!setStates({ { 3, TaskState::Done }, { 4, TaskState::Done } }, true));
        QCOMPARE(counts(), (std::vector<std::uint32_t> { 2, 1, 0, 1, 1 }));

        // A record built without reading the row (as a caller might keep one across
        // transactions) is counted from the row's stored state.
        TaskRecord kept = tasks[1];
        kept.state = TaskState::Verifying;
        QVERIFY(store->write([&](StoreTransaction &tx) { return tx.updateTask(kept); }));
        QCOMPARE(counts(), (std::vector<std::uint32_t> { 2, 0, 1, 1, 1 }));
    }

    void uploadChunks()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);
        std::uint64_t received = 99;
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.uploadReceived("up", &received); }));
        QCOMPARE(received, std::uint64_t(0));

        QVERIFY(store->write([](StoreTransaction &tx) { return tx.appendUploadChunk("up", 0, bytesOf("abc"), 1); }));
        QVERIFY(store->write([](StoreTransaction &tx) { return tx.appendUploadChunk("up", 3, bytesOf("defg"), 2); }));
        QVERIFY(store->write([](StoreTransaction &tx) { return tx.appendUploadChunk("other", 0, bytesOf("zz"), 2); }));

        std::string data;
        QVERIFY(store->read([&](StoreTransaction &tx) -> Status {
            if (auto s = tx.uploadReceived("up", &received); !s)
                return s;
            return tx.readUpload("up", &data);
        }));
        QCOMPARE(received, std::uint64_t(7));
        QCOMPARE(data, std::string("abcdefg"));

        QVERIFY(store->write([](StoreTransaction &tx) { return tx.deleteUpload("up"); }));
        QVERIFY(store->read([&](StoreTransaction &tx) -> Status {
            if (auto s = tx.uploadReceived("up", &received); !s)
                return s;
            return tx.readUpload("up", &data);
        }));
        QCOMPARE(received, std::uint64_t(0));
        QVERIFY(data.empty());
        // Another upload is untouched.
        QVERIFY(store->read([&](StoreTransaction &tx) { return tx.uploadReceived("other", &received); }));
        QCOMPARE(received, std::uint64_t(2));
    }

    void ledgerRefusesUnbalancedAndIgnoresDuplicates()
    {
        auto store = openOk(path("c.db"));
        QVERIFY(store);

        LedgerTransactionRecord unbalanced = transfer("bad", "system:issuance", "acc-1", 10);
        unbalanced.postings[1].amountUnits = 11;
        bool duplicate = false;
        const Status refused
            = store->write([&](StoreTransaction &tx) { return tx.postLedgerTransaction(unbalanced, &duplicate); });
        QVERIFY(!refused);
        QVERIFY2(refused.message().find("unbalanced") != std::string::npos, refused.message().c_str());

        QVERIFY(store->write([&](StoreTransaction &tx) {
            return tx.postLedgerTransaction(transfer("grant-1", "system:issuance", "acc-1", 100), &duplicate);
        }));
        QVERIFY(!duplicate);
        // A retry with the same key changes nothing, even with other amounts.
        QVERIFY(store->write([&](StoreTransaction &tx) {
            return tx.postLedgerTransaction(transfer("grant-1", "system:issuance", "acc-1", 500), &duplicate);
        }));
        QVERIFY(duplicate);

        std::int64_t account = 0;
        std::int64_t issuance = 0;
        std::vector<LedgerEntryRecord> entries;
        QVERIFY(store->read([&](StoreTransaction &tx) -> Status {
            if (auto s = tx.balance("acc-1", &account); !s)
                return s;
            if (auto s = tx.balance("system:issuance", &issuance); !s)
                return s;
            return tx.ledgerEntries("acc-1", 0, 100, &entries);
        }));
        QCOMPARE(account, std::int64_t(100));
        QCOMPARE(issuance, std::int64_t(-100));
        QCOMPARE(entries.size(), std::size_t(1));
        QCOMPARE(entries[0].amountUnits, std::int64_t(100));
        QCOMPARE(entries[0].kind, std::string("grant"));
    }
};

QTEST_GUILESS_MAIN(CoordinatorStoreTest)
#include "coordinator_store_test.moc"
