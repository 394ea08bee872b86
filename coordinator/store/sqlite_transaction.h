#pragma once

// SqliteTransaction: StoreTransaction over one SqliteConnection. Each connection owns one,
// and SqliteStore hands it to the work it runs inside BEGIN ... COMMIT; nothing else
// creates one.

#include "coordinator/store/store.h"
#include "coordinator/store/write_back_cache.h"

namespace tributary::coordinator {

class SqliteConnection;
class SqliteStatement;

class SqliteTransaction final : public StoreTransaction {
public:
    explicit SqliteTransaction(SqliteConnection &connection);

    // SqliteStore calls these around each piece of work it runs. begin() starts with an
    // empty cache; inside SqliteStore::read() every method that writes fails.
    void begin(bool readOnly);
    // Writes the cached changes (job and node rows, balances, job costs): before COMMIT.
    engine::Status flush();
    // Forgets the cached changes: after ROLLBACK.
    void discard() { m_cache.clear(); }

    engine::Status insertAccount(const AccountRecord &account) override;
    engine::Status findAccount(const std::string &id, std::optional<AccountRecord> *account) override;
    engine::Status findAccountByName(const std::string &name, std::optional<AccountRecord> *account) override;
    engine::Status findAccountByToken(const std::string &tokenSha256, std::optional<AccountRecord> *account) override;

    engine::Status postLedgerTransaction(const LedgerTransactionRecord &transaction, bool *duplicate) override;
    engine::Status balance(const std::string &book, std::int64_t *units) override;
    engine::Status ledgerEntries(const std::string &book, std::int64_t beforeEntryId, std::uint32_t limit,
        std::vector<LedgerEntryRecord> *entries) override;
    engine::Status earnings(const std::string &accountId, std::int64_t *units) override;
    engine::Status jobCost(const std::string &jobId, std::int64_t *units) override;
    engine::Status allBalances(std::vector<LedgerPosting> *balances) override;

    engine::Status insertBlob(const std::string &sha256, std::span<const std::byte> data) override;
    engine::Status readBlob(const std::string &sha256, std::optional<std::string> *data) override;
    engine::Status blobSize(const std::string &sha256, std::optional<std::uint64_t> *size) override;
    engine::Status appendUploadChunk(const std::string &sha256, std::uint64_t offset, std::span<const std::byte> data,
        std::int64_t nowMs) override;
    engine::Status uploadReceived(const std::string &sha256, std::uint64_t *bytes) override;
    engine::Status readUpload(const std::string &sha256, std::string *data) override;
    engine::Status deleteUpload(const std::string &sha256) override;

    engine::Status saveNode(const NodeRecord &node) override;
    engine::Status findNode(const std::string &id, std::optional<NodeRecord> *node) override;
    engine::Status addVerifiedResult(const std::string &nodeId) override;

    engine::Status insertJob(const JobRecord &job) override;
    engine::Status findJob(const std::string &id, std::optional<JobRecord> *job) override;
    engine::Status findJobRow(const std::string &id, std::optional<JobRecord> *job) override;
    engine::Status updateJob(const JobRecord &job) override;
    engine::Status activeJobs(std::vector<JobRecord> *jobs) override;
    engine::Status listJobs(const std::string &accountId, std::uint32_t limit, std::vector<JobRecord> *jobs) override;
    engine::Status countTasks(const std::string &jobId, TaskCounts *counts) override;

    engine::Status setJobInput(const std::string &jobId, const std::string &role, const std::string &sha256) override;
    engine::Status saveMetric(const TrainingMetricRecord &metric) override;
    engine::Status jobMetrics(const std::string &jobId, std::vector<TrainingMetricRecord> *metrics) override;
    engine::Status insertTasks(std::span<const TaskRecord> tasks) override;
    engine::Status findTask(const std::string &id, std::optional<TaskRecord> *task) override;
    engine::Status updateTask(const TaskRecord &task) override;
    engine::Status openTasks(const std::string &jobId, std::int64_t nowMs, const std::string &excludeNode,
        std::span<const AttemptState> excludeStates, std::uint32_t limit, std::vector<TaskRecord> *tasks) override;
    engine::Status jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks) override;
    engine::Status acceptedOutputs(const std::string &jobId, const TaskOutputVisitor &visit) override;

    engine::Status insertAttempt(const AttemptRecord &attempt) override;
    engine::Status findAttempt(
        const std::string &taskId, std::uint32_t attempt, std::optional<AttemptRecord> *record) override;
    engine::Status updateAttempt(const AttemptRecord &attempt) override;
    engine::Status storeAttemptOutput(
        const std::string &taskId, std::uint32_t attempt, std::span<const std::byte> output) override;
    engine::Status readAttemptOutput(
        const std::string &taskId, std::uint32_t attempt, std::optional<std::string> *output) override;
    engine::Status clearAttemptOutput(const std::string &taskId, std::uint32_t attempt) override;
    engine::Status taskAttempts(const std::string &taskId, std::vector<AttemptRecord> *attempts) override;
    engine::Status expiredAttempts(
        std::int64_t nowMs, std::uint32_t limit, std::vector<AttemptRecord> *attempts) override;
    engine::Status jobAttempts(
        const std::string &jobId, AttemptState state, std::vector<AttemptRecord> *attempts) override;
    engine::Status nodeAttempts(const std::string &nodeId, AttemptState state, std::int64_t sinceMs,
        std::vector<AttemptRecord> *attempts) override;

private:
    SqliteStatement &statement(const char *sql);
    engine::Status writable(const char *what) const;
    engine::Status findAccountWhere(const char *sql, const std::string &key, std::optional<AccountRecord> *account);
    engine::Status readJobInputs(JobRecord &job);
    engine::Status readJobs(SqliteStatement &select, std::vector<JobRecord> *jobs);
    engine::Status readAttempts(SqliteStatement &select, std::vector<AttemptRecord> *attempts);
    engine::Status flushBalances();
    engine::Status flushJobs();
    // Before a query that selects attempts by state: their rows must be current.
    engine::Status flushAttempts();
    engine::Status writeNode(const NodeRecord &node);
    // Notes the state a task's row holds, for updateTask's count of each state.
    TaskRecord remember(TaskRecord task);
    void countTaskState(const std::string &jobId, TaskState state, std::int64_t change);

    SqliteConnection &m_connection;
    bool m_readOnly = false;
    WriteBackCache m_cache;
};

} // namespace tributary::coordinator
