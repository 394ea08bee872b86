#pragma once

// Store: the coordinator's durable state behind one interface. SqliteStore implements it;
// a PostgreSQL store can implement it later without the rest of the coordinator noticing.
//
// Everything happens inside a transaction:
//
//   store.write([&](StoreTransaction &tx) -> engine::Status {
//       std::optional<TaskRecord> task;
//       if (auto status = tx.findTask(id, &task); !status) return status;
//       ...
//       return tx.updateTask(*task);
//   });
//
// write() commits when the function returns ok and rolls everything back otherwise, so a
// coordinator killed at any point finds either all or none of a change when it starts
// again; transactions run one at a time. read() gives a consistent snapshot and refuses
// changes. The rules (who may lease what, when a result is accepted, who is paid) live
// above the store, in scheduling/, verification/ and ledger/; the store only keeps rows.
//
// Methods report storage failures through engine::Status and put their results in
// out-parameters, in the engine's style. "Not found" is not a failure: it is an empty
// optional.

#include "coordinator/store/records.h"
#include "engine/status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::coordinator {

struct LedgerPosting {
    std::string book;
    std::int64_t amountUnits = 0;
};

struct LedgerTransactionRecord {
    // Unique: a second transaction with the same key is not applied ("pay:<task>:<attempts>").
    std::string idempotencyKey;
    std::string kind; // "grant", "hold", "payment", "refund", "clawback"
    std::string memo;
    std::string jobId;
    std::string taskId;
    std::int64_t createdMs = 0;
    std::vector<LedgerPosting> postings; // must sum to zero
};

class StoreTransaction {
public:
    virtual ~StoreTransaction() = default;

    // --- Accounts
    virtual engine::Status insertAccount(const AccountRecord &account) = 0;
    virtual engine::Status findAccount(const std::string &id, std::optional<AccountRecord> *account) = 0;
    virtual engine::Status findAccountByName(const std::string &name, std::optional<AccountRecord> *account) = 0;
    virtual engine::Status findAccountByToken(
        const std::string &tokenSha256, std::optional<AccountRecord> *account)
        = 0;

    // --- Ledger
    // Applies a balanced transaction and updates the books' balances; *duplicate is set
    // (and nothing changes) when its idempotency key was used before. Fails on postings
    // that do not sum to zero.
    virtual engine::Status postLedgerTransaction(const LedgerTransactionRecord &transaction, bool *duplicate) = 0;
    virtual engine::Status balance(const std::string &book, std::int64_t *units) = 0;
    // Newest first; beforeEntryId 0 starts at the newest.
    virtual engine::Status ledgerEntries(const std::string &book, std::int64_t beforeEntryId, std::uint32_t limit,
        std::vector<LedgerEntryRecord> *entries)
        = 0;
    // What the account's nodes were paid for verified work: the account's payment credits
    // less its clawbacks (the same rule as jobCost, by payee instead of by job). A payment
    // the account makes as a job's owner, when the escrow ran short, is not counted.
    virtual engine::Status earnings(const std::string &accountId, std::int64_t *units) = 0;
    // What a job has paid to nodes so far: payments less clawbacks.
    virtual engine::Status jobCost(const std::string &jobId, std::int64_t *units) = 0;
    // Every book's balance, for invariant checks.
    virtual engine::Status allBalances(std::vector<LedgerPosting> *balances) = 0;

    // --- Blobs (content-addressed; inserting a present blob keeps it)
    virtual engine::Status insertBlob(const std::string &sha256, std::span<const std::byte> data) = 0;
    virtual engine::Status readBlob(const std::string &sha256, std::optional<std::string> *data) = 0;
    virtual engine::Status blobSize(const std::string &sha256, std::optional<std::uint64_t> *size) = 0;
    // Partial uploads, kept chunk by chunk until complete so that a client can resume.
    virtual engine::Status appendUploadChunk(const std::string &sha256, std::uint64_t offset,
        std::span<const std::byte> data, std::int64_t nowMs)
        = 0;
    // Bytes received so far (0 when there is no upload).
    virtual engine::Status uploadReceived(const std::string &sha256, std::uint64_t *bytes) = 0;
    // The chunks joined in order.
    virtual engine::Status readUpload(const std::string &sha256, std::string *data) = 0;
    virtual engine::Status deleteUpload(const std::string &sha256) = 0;

    // --- Nodes
    // Inserts or replaces the whole row.
    virtual engine::Status saveNode(const NodeRecord &node) = 0;
    virtual engine::Status findNode(const std::string &id, std::optional<NodeRecord> *node) = 0;
    // One more result of the node confirmed by another node or the reference: streak and
    // total + 1.
    virtual engine::Status addVerifiedResult(const std::string &nodeId) = 0;

    // --- Jobs
    virtual engine::Status insertJob(const JobRecord &job) = 0;
    virtual engine::Status findJob(const std::string &id, std::optional<JobRecord> *job) = 0;
    // The job row without its inputs (job->inputs stays empty): the hot path's lookup.
    virtual engine::Status findJobRow(const std::string &id, std::optional<JobRecord> *job) = 0;
    // Writes the mutable columns: state, counters, message, result, finish time.
    virtual engine::Status updateJob(const JobRecord &job) = 0;
    // Jobs that may still lease tasks (QUEUED or RUNNING), oldest first.
    virtual engine::Status activeJobs(std::vector<JobRecord> *jobs) = 0;
    // An account's jobs newest first; every account's when accountId is empty.
    virtual engine::Status listJobs(const std::string &accountId, std::uint32_t limit, std::vector<JobRecord> *jobs)
        = 0;
    virtual engine::Status countTasks(const std::string &jobId, TaskCounts *counts) = 0;
    // Adds or replaces one of a job's inputs (a training job's parameters after a round).
    virtual engine::Status setJobInput(const std::string &jobId, const std::string &role, const std::string &sha256)
        = 0;
    // A training job's metrics: one row per run and round, replaced when written again.
    virtual engine::Status saveMetric(const TrainingMetricRecord &metric) = 0;
    virtual engine::Status jobMetrics(const std::string &jobId, std::vector<TrainingMetricRecord> *metrics) = 0;

    // --- Tasks
    virtual engine::Status insertTasks(std::span<const TaskRecord> tasks) = 0;
    virtual engine::Status findTask(const std::string &id, std::optional<TaskRecord> *task) = 0;
    // Writes the mutable columns (everything but id, job, index, shape and flops).
    virtual engine::Status updateTask(const TaskRecord &task) = 0;
    // Up to `limit` QUEUED tasks of a job whose backoff has passed, by index, skipping
    // those on which excludeNode has an attempt in one of excludeStates (empty node: skip
    // none).
    virtual engine::Status openTasks(const std::string &jobId, std::int64_t nowMs, const std::string &excludeNode,
        std::span<const AttemptState> excludeStates, std::uint32_t limit, std::vector<TaskRecord> *tasks)
        = 0;
    // The job's tasks in index order.
    virtual engine::Status jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks) = 0;
    // The job's tasks in index order, each with the stored output of its accepted attempt
    // (no output for a task not done, or whose output was uploaded as a blob of its own):
    // assembling a job's result in one pass rather than a query per task.
    using TaskOutputVisitor
        = std::function<engine::Status(const TaskRecord &task, const std::optional<std::string> &output)>;
    virtual engine::Status acceptedOutputs(const std::string &jobId, const TaskOutputVisitor &visit) = 0;

    // --- Attempts
    virtual engine::Status insertAttempt(const AttemptRecord &attempt) = 0;
    virtual engine::Status findAttempt(
        const std::string &taskId, std::uint32_t attempt, std::optional<AttemptRecord> *record)
        = 0;
    // Writes state, output digest, compute time, submit time, progress, lease expiry and
    // message.
    virtual engine::Status updateAttempt(const AttemptRecord &attempt) = 0;
    virtual engine::Status storeAttemptOutput(
        const std::string &taskId, std::uint32_t attempt, std::span<const std::byte> output)
        = 0;
    virtual engine::Status readAttemptOutput(
        const std::string &taskId, std::uint32_t attempt, std::optional<std::string> *output)
        = 0;
    // Drops outputs that lost a vote or are no longer needed.
    virtual engine::Status clearAttemptOutput(const std::string &taskId, std::uint32_t attempt) = 0;
    virtual engine::Status taskAttempts(const std::string &taskId, std::vector<AttemptRecord> *attempts) = 0;
    // LEASED attempts whose lease ran out at nowMs, oldest first.
    virtual engine::Status expiredAttempts(std::int64_t nowMs, std::uint32_t limit, std::vector<AttemptRecord> *attempts)
        = 0;
    // A job's attempts in the given state.
    virtual engine::Status jobAttempts(
        const std::string &jobId, AttemptState state, std::vector<AttemptRecord> *attempts)
        = 0;
    // A node's attempts in the given state submitted at or after sinceMs.
    virtual engine::Status nodeAttempts(const std::string &nodeId, AttemptState state, std::int64_t sinceMs,
        std::vector<AttemptRecord> *attempts)
        = 0;
};

class Store {
public:
    using Work = std::function<engine::Status(StoreTransaction &)>;

    virtual ~Store() = default;

    // Runs `work` in one write transaction: commits when it returns ok, rolls back
    // otherwise and returns its status.
    virtual engine::Status write(const Work &work) = 0;
    // Runs `work` on a consistent snapshot; writes fail.
    virtual engine::Status read(const Work &work) = 0;
};

} // namespace tributary::coordinator
