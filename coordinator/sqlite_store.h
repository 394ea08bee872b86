#pragma once

// SqliteStore: the Store on one SQLite file.
//
//   std::unique_ptr<SqliteStore> store;
//   if (auto status = SqliteStore::open("/var/lib/tributary/coordinator.db", &store); !status)
//       ...;   // status.message(): "cannot open database <path>: <sqlite error>"
//
// The file is opened in WAL mode with synchronous=NORMAL: a committed change survives the
// process being killed (not necessarily a power cut, which is the usual SQLite trade-off
// for a write-heavy server), and readers never wait for the writer. Foreign keys are on,
// and a busy timeout lets another process (an operator's sqlite3 shell) hold a lock
// briefly. The schema is created on first open and versioned in `schema_version`; a file
// written by a newer coordinator is refused rather than misread.
//
// One connection, behind a mutex: gRPC threads take turns. Statements are prepared once
// and reused.

#include "coordinator/store.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

struct sqlite3;

namespace tributary::coordinator {

class SqliteStatement;

class SqliteStore final : public Store {
public:
    // The schema version this code writes and reads.
    static constexpr int kSchemaVersion = 1;

    // Opens or creates the database at path (":memory:" for a private in-memory one).
    static engine::Status open(const std::string &path, std::unique_ptr<SqliteStore> *store);

    ~SqliteStore() override;

    engine::Status createJob(
        const JobRecord &job, std::span<const BlobRecord> blobs, std::span<const TaskRecord> tasks) override;
    engine::Status findJob(const std::string &id, std::int64_t nowMs, std::optional<JobRecord> *job) override;
    engine::Status jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks) override;

    engine::Status findTask(const std::string &id, std::optional<TaskRecord> *task) override;
    engine::Status readTaskOutput(const std::string &id, std::optional<std::string> *output) override;
    engine::Status leaseTasks(const LeaseRequest &request, LeaseResult *result) override;
    engine::Status renewLeases(const std::string &nodeId, std::span<const std::string> taskIds,
        std::int64_t expiresMs, std::vector<std::string> *revoked) override;
    engine::Status completeTask(
        const CompletedTask &result, const Assembler &assemble, CompleteOutcome *outcome) override;
    engine::Status requeueTask(const RejectedTask &rejected, RequeueOutcome *outcome) override;

    engine::Status saveNode(const NodeRecord &node) override;
    engine::Status findNode(const std::string &id, std::optional<NodeRecord> *node) override;
    engine::Status touchNode(const std::string &id, std::int64_t nowMs, bool *known) override;

    engine::Status readBlob(const std::string &sha256, std::optional<std::string> *data) override;

private:
    class Transaction;

    explicit SqliteStore(sqlite3 *db);

    engine::Status configure();
    engine::Status migrate();
    engine::Status exec(const char *sql);

    // The cached prepared statement for sql (a string literal).
    SqliteStatement &statement(const char *sql);
    std::int64_t changes() const;

    // Unlocked bodies shared by several public methods; the caller holds m_mutex.
    engine::Status findJobLocked(const std::string &id, std::int64_t nowMs, std::optional<JobRecord> *job);
    engine::Status jobTasksLocked(const std::string &jobId, std::vector<TaskRecord> *tasks);
    engine::Status readTaskOutputLocked(const std::string &id, std::optional<std::string> *output);
    engine::Status failJobLocked(const std::string &jobId, const std::string &message, std::int64_t nowMs);
    engine::Status insertBlobLocked(const BlobRecord &blob);

    std::mutex m_mutex;
    sqlite3 *m_db;
    std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> m_statements;
};

} // namespace tributary::coordinator
