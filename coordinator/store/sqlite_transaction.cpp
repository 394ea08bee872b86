#include "coordinator/store/sqlite_transaction.h"

#include "coordinator/store/sqlite_statement.h"
#include "coordinator/store/sqlite_connection.h"

#include <sqlite3.h>

namespace tributary::coordinator {

using engine::Status;

namespace {

std::span<const std::byte> asBytes(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

std::int64_t i64(std::uint64_t value)
{
    return static_cast<std::int64_t>(value);
}

std::uint32_t u32(std::int64_t value)
{
    return static_cast<std::uint32_t>(value);
}

// Steps `select` to the end, calling onRow for each row.
template<typename OnRow>
Status forEachRow(SqliteStatement &select, OnRow onRow)
{
    for (;;) {
        bool row = false;
        if (auto status = select.step(&row); !status)
            return status;
        if (!row)
            return Status::ok();
        onRow();
    }
}

// Steps `select` once and calls onRow when a row came: the shape of every lookup by key.
template<typename OnRow>
Status readFirstRow(SqliteStatement &select, OnRow onRow)
{
    bool row = false;
    if (auto status = select.step(&row); !status)
        return status;
    if (row)
        onRow();
    return Status::ok();
}

#define TRIBUTARY_JOB_COLUMNS                                                                                \
    "id, account_id, name, kind, spec, state, policy, replicas, spot_check_p, mode, max_attempts, "         \
    "deadline_ms, tasks_total, tasks_done, live_attempts, created_ms, finished_ms, message, result_sha256"

JobRecord readJob(const SqliteStatement &row)
{
    JobRecord job;
    job.id = row.columnText(0);
    job.accountId = row.columnText(1);
    job.name = row.columnText(2);
    job.kind = row.columnText(3);
    job.spec = row.columnBlob(4);
    job.state = static_cast<JobState>(row.columnInt64(5));
    job.policy = static_cast<VerificationPolicy>(row.columnInt64(6));
    job.replicas = u32(row.columnInt64(7));
    job.spotCheckP = row.columnDouble(8);
    job.mode = static_cast<ExecutionMode>(row.columnInt64(9));
    job.maxAttempts = u32(row.columnInt64(10));
    job.deadlineMs = row.columnInt64(11);
    job.tasksTotal = u32(row.columnInt64(12));
    job.tasksDone = u32(row.columnInt64(13));
    job.liveAttempts = u32(row.columnInt64(14));
    job.createdMs = row.columnInt64(15);
    job.finishedMs = row.columnInt64(16);
    job.message = row.columnText(17);
    job.resultSha256 = row.columnText(18);
    return job;
}

#define TRIBUTARY_TASK_COLUMNS                                                                               \
    "id, job_id, idx, state, flops, needed, live, submitted, failures, last_attempt, not_before_ms, "       \
    "accepted_attempt, output_sha256, unconfirmed, completed_ms, row0, col0, rows, cols"

TaskRecord readTask(const SqliteStatement &row)
{
    TaskRecord task;
    task.id = row.columnText(0);
    task.jobId = row.columnText(1);
    task.index = u32(row.columnInt64(2));
    task.state = static_cast<TaskState>(row.columnInt64(3));
    task.flops = static_cast<std::uint64_t>(row.columnInt64(4));
    task.needed = u32(row.columnInt64(5));
    task.live = u32(row.columnInt64(6));
    task.submitted = u32(row.columnInt64(7));
    task.failures = u32(row.columnInt64(8));
    task.lastAttempt = u32(row.columnInt64(9));
    task.notBeforeMs = row.columnInt64(10);
    task.acceptedAttempt = u32(row.columnInt64(11));
    task.outputSha256 = row.columnText(12);
    task.unconfirmed = row.columnInt64(13) != 0;
    task.completedMs = row.columnInt64(14);
    task.row0 = u32(row.columnInt64(15));
    task.col0 = u32(row.columnInt64(16));
    task.rows = u32(row.columnInt64(17));
    task.cols = u32(row.columnInt64(18));
    return task;
}

#define TRIBUTARY_ATTEMPT_COLUMNS                                                                            \
    "task_id, attempt, job_id, node_id, device_id, state, leased_ms, lease_expires_ms, output_sha256, "     \
    "compute_ms, submitted_ms, progress, message, output IS NOT NULL"

AttemptRecord readAttempt(const SqliteStatement &row)
{
    AttemptRecord attempt;
    attempt.taskId = row.columnText(0);
    attempt.attempt = u32(row.columnInt64(1));
    attempt.jobId = row.columnText(2);
    attempt.nodeId = row.columnText(3);
    attempt.deviceId = row.columnText(4);
    attempt.state = static_cast<AttemptState>(row.columnInt64(5));
    attempt.leasedMs = row.columnInt64(6);
    attempt.leaseExpiresMs = row.columnInt64(7);
    attempt.outputSha256 = row.columnText(8);
    attempt.computeMs = static_cast<std::uint64_t>(row.columnInt64(9));
    attempt.submittedMs = row.columnInt64(10);
    attempt.progress = static_cast<float>(row.columnDouble(11));
    attempt.message = row.columnText(12);
    attempt.hasOutput = row.columnInt64(13) != 0;
    return attempt;
}

// The sum of the postings on the node's side of payments and clawbacks: a payment's only
// positive posting goes to the node's account, a clawback's only negative one comes from
// it. The caller adds the WHERE clause.
#define TRIBUTARY_NODE_SIDE_POSTINGS                                                                         \
    "SELECT COALESCE(SUM(CASE WHEN t.kind = 'payment' AND e.amount > 0 THEN e.amount "                      \
    "WHEN t.kind = 'clawback' AND e.amount < 0 THEN e.amount ELSE 0 END), 0) "                              \
    "FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id"

} // namespace

SqliteTransaction::SqliteTransaction(SqliteConnection &connection)
    : m_connection(connection)
{
}

SqliteStatement &SqliteTransaction::statement(const char *sql)
{
    return m_connection.statement(sql);
}

void SqliteTransaction::begin(bool readOnly)
{
    m_readOnly = readOnly;
    m_cache.clear();
}

Status SqliteTransaction::flush()
{
    if (auto status = flushBalances(); !status)
        return status;
    if (auto status = flushJobs(); !status)
        return status;
    if (auto status = flushAttempts(); !status)
        return status;
    for (auto &[id, entry] : m_cache.nodes) {
        if (!entry.dirty)
            continue;
        if (auto status = writeNode(entry.record); !status)
            return status;
        entry.dirty = false;
    }
    return Status::ok();
}

Status SqliteTransaction::flushBalances()
{
    auto &balance = statement("INSERT INTO balances (book, balance) VALUES (?1, ?2) "
                              "ON CONFLICT (book) DO UPDATE SET balance = balance + ?2");
    for (const auto &[book, delta] : m_cache.balanceDeltas) {
        SqliteStatement::Scope scope(balance);
        balance.bind(1, book);
        balance.bind(2, delta);
        if (auto status = balance.run(); !status)
            return status;
    }
    m_cache.balanceDeltas.clear();
    return Status::ok();
}

Status SqliteTransaction::flushJobs()
{
    auto &cost = statement("UPDATE jobs SET cost_units = cost_units + ? WHERE id = ?");
    for (const auto &[jobId, delta] : m_cache.jobCostDeltas) {
        SqliteStatement::Scope scope(cost);
        cost.bind(1, delta);
        cost.bind(2, jobId);
        if (auto status = cost.run(); !status)
            return status;
    }
    m_cache.jobCostDeltas.clear();
    auto &counts = statement("UPDATE jobs SET queued_tasks = queued_tasks + ?, running_tasks = running_tasks + ?, "
                             "verifying_tasks = verifying_tasks + ?, done_tasks = done_tasks + ?, "
                             "failed_tasks = failed_tasks + ? WHERE id = ?");
    for (const auto &[jobId, deltas] : m_cache.taskCountDeltas) {
        SqliteStatement::Scope scope(counts);
        for (int i = 0; i < 5; ++i)
            counts.bind(i + 1, deltas[i]);
        counts.bind(6, jobId);
        if (auto status = counts.run(); !status)
            return status;
    }
    m_cache.taskCountDeltas.clear();
    auto &update = statement("UPDATE jobs SET state = ?, tasks_done = ?, live_attempts = ?, finished_ms = ?, "
                             "message = ?, result_sha256 = ? WHERE id = ?");
    for (auto &[id, entry] : m_cache.jobs) {
        if (!entry.dirty)
            continue;
        const JobRecord &job = entry.record;
        SqliteStatement::Scope scope(update);
        update.bind(1, std::int64_t(job.state));
        update.bind(2, std::int64_t(job.tasksDone));
        update.bind(3, std::int64_t(job.liveAttempts));
        update.bind(4, job.finishedMs);
        update.bind(5, job.message);
        update.bind(6, job.resultSha256);
        update.bind(7, job.id);
        if (auto status = update.run(); !status)
            return status;
        entry.dirty = false;
    }
    return Status::ok();
}

Status SqliteTransaction::flushAttempts()
{
    using Output = WriteBackCache::AttemptEntry::Output;
    // The row and its output in one statement where both changed (a submission).
    auto &update = statement("UPDATE attempts SET state = ?1, lease_expires_ms = ?2, output_sha256 = ?3, "
                             "compute_ms = ?4, submitted_ms = ?5, progress = ?6, message = ?7, "
                             "output = CASE ?10 WHEN 0 THEN output ELSE ?11 END "
                             "WHERE task_id = ?8 AND attempt = ?9");
    auto &output = statement("UPDATE attempts SET output = ?1 WHERE task_id = ?2 AND attempt = ?3");
    for (auto &[key, entry] : m_cache.attempts) {
        const auto bindOutput = [&](SqliteStatement &statement, int index) {
            if (entry.output == Output::Store)
                statement.bindBlob(index, asBytes(entry.outputBytes));
            else
                statement.bindNull(index);
        };
        if (entry.dirty) {
            const AttemptRecord &attempt = entry.record;
            SqliteStatement::Scope scope(update);
            update.bind(1, std::int64_t(attempt.state));
            update.bind(2, attempt.leaseExpiresMs);
            update.bind(3, attempt.outputSha256);
            update.bind(4, i64(attempt.computeMs));
            update.bind(5, attempt.submittedMs);
            update.bindDouble(6, attempt.progress);
            update.bind(7, attempt.message);
            update.bind(8, key.first);
            update.bind(9, std::int64_t(key.second));
            update.bind(10, std::int64_t(entry.output == Output::Unchanged ? 0 : 1));
            bindOutput(update, 11);
            if (auto status = update.run(); !status)
                return status;
        } else if (entry.output != Output::Unchanged) {
            SqliteStatement::Scope scope(output);
            bindOutput(output, 1);
            output.bind(2, key.first);
            output.bind(3, std::int64_t(key.second));
            if (auto status = output.run(); !status)
                return status;
        }
        entry.dirty = false;
        entry.output = Output::Unchanged;
        entry.outputBytes.clear();
    }
    return Status::ok();
}

Status SqliteTransaction::writable(const char *what) const
{
    if (m_readOnly)
        return Status::error(std::string("store: ") + what + " inside a read-only transaction");
    return Status::ok();
}

// --- Accounts

Status SqliteTransaction::insertAccount(const AccountRecord &account)
{
    if (auto status = writable("insertAccount"); !status)
        return status;
    auto &insert = statement(
        "INSERT INTO accounts (id, name, token_sha256, is_admin, created_ms) VALUES (?, ?, ?, ?, ?)");
    SqliteStatement::Scope scope(insert);
    insert.bind(1, account.id);
    insert.bind(2, account.name);
    insert.bind(3, account.tokenSha256);
    insert.bind(4, std::int64_t(account.isAdmin ? 1 : 0));
    insert.bind(5, account.createdMs);
    return insert.run();
}

Status SqliteTransaction::findAccountWhere(
    const char *sql, const std::string &key, std::optional<AccountRecord> *account)
{
    account->reset();
    auto &select = statement(sql);
    SqliteStatement::Scope scope(select);
    select.bind(1, key);
    return readFirstRow(select, [&] {
        AccountRecord found;
        found.id = select.columnText(0);
        found.name = select.columnText(1);
        found.tokenSha256 = select.columnText(2);
        found.isAdmin = select.columnInt64(3) != 0;
        found.createdMs = select.columnInt64(4);
        *account = std::move(found);
    });
}

Status SqliteTransaction::findAccount(const std::string &id, std::optional<AccountRecord> *account)
{
    return findAccountWhere(
        "SELECT id, name, token_sha256, is_admin, created_ms FROM accounts WHERE id = ?", id, account);
}

Status SqliteTransaction::findAccountByName(const std::string &name, std::optional<AccountRecord> *account)
{
    return findAccountWhere(
        "SELECT id, name, token_sha256, is_admin, created_ms FROM accounts WHERE name = ?", name, account);
}

Status SqliteTransaction::findAccountByToken(const std::string &tokenSha256, std::optional<AccountRecord> *account)
{
    return findAccountWhere("SELECT id, name, token_sha256, is_admin, created_ms FROM accounts WHERE "
                            "token_sha256 = ?",
        tokenSha256, account);
}

// --- Ledger

Status SqliteTransaction::postLedgerTransaction(const LedgerTransactionRecord &transaction, bool *duplicate)
{
    *duplicate = false;
    if (auto status = writable("postLedgerTransaction"); !status)
        return status;
    std::int64_t sum = 0;
    for (const LedgerPosting &posting : transaction.postings)
        sum += posting.amountUnits;
    if (sum != 0 || transaction.postings.size() < 2)
        return Status::error("ledger: transaction " + transaction.idempotencyKey
            + " is unbalanced (its postings sum to " + std::to_string(sum) + ")");

    auto &insert = statement("INSERT INTO ledger_transactions (idempotency_key, kind, memo, job_id, task_id, "
                             "created_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING");
    {
        SqliteStatement::Scope scope(insert);
        insert.bind(1, transaction.idempotencyKey);
        insert.bind(2, transaction.kind);
        insert.bind(3, transaction.memo);
        insert.bind(4, transaction.jobId);
        insert.bind(5, transaction.taskId);
        insert.bind(6, transaction.createdMs);
        if (auto status = insert.run(); !status)
            return status;
    }
    if (sqlite3_changes(m_connection.db()) == 0) {
        *duplicate = true;
        return Status::ok();
    }
    const std::int64_t transactionId = sqlite3_last_insert_rowid(m_connection.db());

    auto &entry = statement("INSERT INTO ledger_entries (transaction_id, book, amount) VALUES (?, ?, ?)");
    for (const LedgerPosting &posting : transaction.postings) {
        SqliteStatement::Scope scope(entry);
        entry.bind(1, transactionId);
        entry.bind(2, posting.book);
        entry.bind(3, posting.amountUnits);
        if (auto status = entry.run(); !status)
            return status;
        // Balances and job costs change in memory and reach their rows at commit.
        m_cache.balanceDeltas[posting.book] += posting.amountUnits;
        if (const auto known = m_cache.balances.find(posting.book); known != m_cache.balances.end())
            known->second += posting.amountUnits;
    }
    if (!transaction.jobId.empty()) {
        // What the job paid to nodes: the node-side postings (the same rule as earnings()).
        std::int64_t cost = 0;
        for (const LedgerPosting &posting : transaction.postings) {
            if ((transaction.kind == "payment" && posting.amountUnits > 0)
                || (transaction.kind == "clawback" && posting.amountUnits < 0))
                cost += posting.amountUnits;
        }
        if (cost != 0)
            m_cache.jobCostDeltas[transaction.jobId] += cost;
    }
    return Status::ok();
}

Status SqliteTransaction::balance(const std::string &book, std::int64_t *units)
{
    *units = 0;
    if (const auto known = m_cache.balances.find(book); known != m_cache.balances.end()) {
        *units = known->second;
        return Status::ok();
    }
    auto &select = statement("SELECT balance FROM balances WHERE book = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, book);
    if (auto status = readFirstRow(select, [&] { *units = select.columnInt64(0); }); !status)
        return status;
    if (const auto pending = m_cache.balanceDeltas.find(book); pending != m_cache.balanceDeltas.end())
        *units += pending->second;
    m_cache.balances[book] = *units;
    return Status::ok();
}

Status SqliteTransaction::ledgerEntries(const std::string &book, std::int64_t beforeEntryId, std::uint32_t limit,
    std::vector<LedgerEntryRecord> *entries)
{
    entries->clear();
    auto &select = statement("SELECT e.id, e.transaction_id, e.book, e.amount, t.kind, t.memo, t.job_id, "
                             "t.task_id, t.created_ms FROM ledger_entries e JOIN ledger_transactions t ON "
                             "t.id = e.transaction_id WHERE e.book = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, book);
    select.bind(2, beforeEntryId > 0 ? beforeEntryId : INT64_MAX);
    select.bind(3, std::int64_t(limit));
    return forEachRow(select, [&] {
        LedgerEntryRecord entry;
        entry.id = select.columnInt64(0);
        entry.transactionId = select.columnInt64(1);
        entry.book = select.columnText(2);
        entry.amountUnits = select.columnInt64(3);
        entry.kind = select.columnText(4);
        entry.memo = select.columnText(5);
        entry.jobId = select.columnText(6);
        entry.taskId = select.columnText(7);
        entry.createdMs = select.columnInt64(8);
        entries->push_back(std::move(entry));
    });
}

Status SqliteTransaction::earnings(const std::string &accountId, std::int64_t *units)
{
    *units = 0;
    auto &select = statement(TRIBUTARY_NODE_SIDE_POSTINGS " WHERE e.book = ? AND t.kind IN ('payment', 'clawback')");
    SqliteStatement::Scope scope(select);
    select.bind(1, accountId);
    return readFirstRow(select, [&] { *units = select.columnInt64(0); });
}

Status SqliteTransaction::jobCost(const std::string &jobId, std::int64_t *units)
{
    *units = 0;
    // Kept on the job row as payments are posted (see postLedgerTransaction): a watcher
    // asks for it several times a second, and summing the job's payments is O(tasks).
    auto &select = statement("SELECT cost_units FROM jobs WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    if (auto status = readFirstRow(select, [&] { *units = select.columnInt64(0); }); !status)
        return status;
    if (const auto pending = m_cache.jobCostDeltas.find(jobId); pending != m_cache.jobCostDeltas.end())
        *units += pending->second;
    return Status::ok();
}

Status SqliteTransaction::allBalances(std::vector<LedgerPosting> *balances)
{
    balances->clear();
    if (auto status = flushBalances(); !status)
        return status;
    auto &select = statement("SELECT book, balance FROM balances ORDER BY book");
    SqliteStatement::Scope scope(select);
    return forEachRow(select,
        [&] { balances->push_back(LedgerPosting { select.columnText(0), select.columnInt64(1) }); });
}

// --- Blobs

Status SqliteTransaction::insertBlob(const std::string &sha256, std::span<const std::byte> data)
{
    if (auto status = writable("insertBlob"); !status)
        return status;
    auto &insert = statement("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) "
                             "ON CONFLICT (sha256) DO NOTHING");
    SqliteStatement::Scope scope(insert);
    insert.bind(1, sha256);
    insert.bind(2, i64(data.size()));
    insert.bindBlob(3, data);
    return insert.run();
}

Status SqliteTransaction::readBlob(const std::string &sha256, std::optional<std::string> *data)
{
    data->reset();
    auto &select = statement("SELECT data FROM blobs WHERE sha256 = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, sha256);
    return readFirstRow(select, [&] { *data = select.columnBlob(0); });
}

Status SqliteTransaction::blobSize(const std::string &sha256, std::optional<std::uint64_t> *size)
{
    size->reset();
    auto &select = statement("SELECT size FROM blobs WHERE sha256 = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, sha256);
    return readFirstRow(select, [&] { *size = static_cast<std::uint64_t>(select.columnInt64(0)); });
}

Status SqliteTransaction::appendUploadChunk(
    const std::string &sha256, std::uint64_t offset, std::span<const std::byte> data, std::int64_t nowMs)
{
    if (auto status = writable("appendUploadChunk"); !status)
        return status;
    auto &insert = statement("INSERT INTO upload_chunks (sha256, offset, data, created_ms) VALUES (?, ?, ?, ?)");
    SqliteStatement::Scope scope(insert);
    insert.bind(1, sha256);
    insert.bind(2, i64(offset));
    insert.bindBlob(3, data);
    insert.bind(4, nowMs);
    return insert.run();
}

Status SqliteTransaction::uploadReceived(const std::string &sha256, std::uint64_t *bytes)
{
    *bytes = 0;
    auto &select = statement("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM upload_chunks WHERE sha256 = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, sha256);
    return readFirstRow(select, [&] { *bytes = static_cast<std::uint64_t>(select.columnInt64(0)); });
}

Status SqliteTransaction::readUpload(const std::string &sha256, std::string *data)
{
    data->clear();
    auto &select = statement("SELECT data FROM upload_chunks WHERE sha256 = ? ORDER BY offset");
    SqliteStatement::Scope scope(select);
    select.bind(1, sha256);
    return forEachRow(select, [&] { data->append(select.columnBlob(0)); });
}

Status SqliteTransaction::deleteUpload(const std::string &sha256)
{
    if (auto status = writable("deleteUpload"); !status)
        return status;
    auto &remove = statement("DELETE FROM upload_chunks WHERE sha256 = ?");
    SqliteStatement::Scope scope(remove);
    remove.bind(1, sha256);
    return remove.run();
}

// --- Nodes

Status SqliteTransaction::saveNode(const NodeRecord &node)
{
    if (auto status = writable("saveNode"); !status)
        return status;
    if (auto status = writeNode(node); !status)
        return status;
    m_cache.nodes[node.id] = { node, false };
    return Status::ok();
}

Status SqliteTransaction::writeNode(const NodeRecord &node)
{
    auto &upsert = statement(
        "INSERT INTO nodes (id, account_id, name, version, devices, registered_ms, last_seen_ms, "
        "verified_streak, verified_total, dishonest_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (id) DO UPDATE SET account_id = ?2, name = ?3, version = ?4, devices = ?5, "
        "registered_ms = ?6, last_seen_ms = ?7, verified_streak = ?8, verified_total = ?9, dishonest_ms = ?10");
    SqliteStatement::Scope scope(upsert);
    upsert.bind(1, node.id);
    upsert.bind(2, node.accountId);
    upsert.bind(3, node.name);
    upsert.bind(4, node.version);
    upsert.bindBlob(5, asBytes(node.devices));
    upsert.bind(6, node.registeredMs);
    upsert.bind(7, node.lastSeenMs);
    upsert.bind(8, std::int64_t(node.verifiedStreak));
    upsert.bind(9, i64(node.verifiedTotal));
    upsert.bind(10, node.dishonestMs);
    return upsert.run();
}

Status SqliteTransaction::findNode(const std::string &id, std::optional<NodeRecord> *node)
{
    node->reset();
    if (const auto cached = m_cache.nodes.find(id); cached != m_cache.nodes.end()) {
        *node = cached->second.record;
        return Status::ok();
    }
    auto &select = statement("SELECT id, account_id, name, version, devices, registered_ms, last_seen_ms, "
                             "verified_streak, verified_total, dishonest_ms FROM nodes WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    return readFirstRow(select, [&] {
        NodeRecord found;
        found.id = select.columnText(0);
        found.accountId = select.columnText(1);
        found.name = select.columnText(2);
        found.version = select.columnText(3);
        found.devices = select.columnBlob(4);
        found.registeredMs = select.columnInt64(5);
        found.lastSeenMs = select.columnInt64(6);
        found.verifiedStreak = u32(select.columnInt64(7));
        found.verifiedTotal = static_cast<std::uint64_t>(select.columnInt64(8));
        found.dishonestMs = select.columnInt64(9);
        m_cache.nodes[found.id] = { found, false };
        *node = std::move(found);
    });
}

Status SqliteTransaction::addVerifiedResult(const std::string &nodeId)
{
    if (auto status = writable("addVerifiedResult"); !status)
        return status;
    std::optional<NodeRecord> node;
    if (auto status = findNode(nodeId, &node); !status || !node)
        return status; // an unknown node has nothing to count
    auto &entry = m_cache.nodes[nodeId];
    ++entry.record.verifiedStreak;
    ++entry.record.verifiedTotal;
    entry.dirty = true;
    return Status::ok();
}

// --- Jobs

Status SqliteTransaction::insertJob(const JobRecord &job)
{
    if (auto status = writable("insertJob"); !status)
        return status;
    auto &insert = statement("INSERT INTO jobs (" TRIBUTARY_JOB_COLUMNS
                             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    {
        SqliteStatement::Scope scope(insert);
        insert.bind(1, job.id);
        insert.bind(2, job.accountId);
        insert.bind(3, job.name);
        insert.bind(4, job.kind);
        insert.bindBlob(5, asBytes(job.spec));
        insert.bind(6, std::int64_t(job.state));
        insert.bind(7, std::int64_t(job.policy));
        insert.bind(8, std::int64_t(job.replicas));
        insert.bindDouble(9, job.spotCheckP);
        insert.bind(10, std::int64_t(job.mode));
        insert.bind(11, std::int64_t(job.maxAttempts));
        insert.bind(12, job.deadlineMs);
        insert.bind(13, std::int64_t(job.tasksTotal));
        insert.bind(14, std::int64_t(job.tasksDone));
        insert.bind(15, std::int64_t(job.liveAttempts));
        insert.bind(16, job.createdMs);
        insert.bind(17, job.finishedMs);
        insert.bind(18, job.message);
        insert.bind(19, job.resultSha256);
        if (auto status = insert.run(); !status)
            return status;
    }
    auto &input = statement("INSERT INTO job_inputs (job_id, role, sha256) VALUES (?, ?, ?)");
    for (const auto &[role, sha256] : job.inputs) {
        SqliteStatement::Scope scope(input);
        input.bind(1, job.id);
        input.bind(2, role);
        input.bind(3, sha256);
        if (auto status = input.run(); !status)
            return status;
    }
    return Status::ok();
}

Status SqliteTransaction::readJobInputs(JobRecord &job)
{
    auto &inputs = statement("SELECT role, sha256 FROM job_inputs WHERE job_id = ?");
    SqliteStatement::Scope scope(inputs);
    inputs.bind(1, job.id);
    return forEachRow(inputs, [&] { job.inputs.emplace(inputs.columnText(0), inputs.columnText(1)); });
}

Status SqliteTransaction::setJobInput(const std::string &jobId, const std::string &role, const std::string &sha256)
{
    if (auto status = writable("setJobInput"); !status)
        return status;
    auto &upsert = statement("INSERT OR REPLACE INTO job_inputs (job_id, role, sha256) VALUES (?, ?, ?)");
    SqliteStatement::Scope scope(upsert);
    upsert.bind(1, jobId);
    upsert.bind(2, role);
    upsert.bind(3, sha256);
    return upsert.run();
}

Status SqliteTransaction::saveMetric(const TrainingMetricRecord &metric)
{
    if (auto status = writable("saveMetric"); !status)
        return status;
    auto &upsert = statement("INSERT OR REPLACE INTO job_metrics (job_id, run, round, step, train_loss, "
                             "test_accuracy, test_loss) VALUES (?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement::Scope scope(upsert);
    upsert.bind(1, metric.jobId);
    upsert.bind(2, std::int64_t(metric.run));
    upsert.bind(3, std::int64_t(metric.round));
    upsert.bind(4, std::int64_t(metric.step));
    upsert.bindDouble(5, metric.trainLoss);
    upsert.bindDouble(6, metric.testAccuracy);
    upsert.bindDouble(7, metric.testLoss);
    return upsert.run();
}

Status SqliteTransaction::jobMetrics(const std::string &jobId, std::vector<TrainingMetricRecord> *metrics)
{
    metrics->clear();
    auto &select = statement("SELECT run, round, step, train_loss, test_accuracy, test_loss FROM job_metrics "
                             "WHERE job_id = ? ORDER BY run, round");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    return forEachRow(select, [&] {
        TrainingMetricRecord metric;
        metric.jobId = jobId;
        metric.run = std::uint32_t(select.columnInt64(0));
        metric.round = std::uint32_t(select.columnInt64(1));
        metric.step = std::uint64_t(select.columnInt64(2));
        metric.trainLoss = select.columnDouble(3);
        metric.testAccuracy = select.columnDouble(4);
        metric.testLoss = select.columnDouble(5);
        metrics->push_back(metric);
    });
}

Status SqliteTransaction::findJob(const std::string &id, std::optional<JobRecord> *job)
{
    if (auto status = findJobRow(id, job); !status || !*job)
        return status;
    return readJobInputs(**job);
}

Status SqliteTransaction::findJobRow(const std::string &id, std::optional<JobRecord> *job)
{
    job->reset();
    if (const auto cached = m_cache.jobs.find(id); cached != m_cache.jobs.end()) {
        *job = cached->second.record;
        return Status::ok();
    }
    auto &select = statement("SELECT " TRIBUTARY_JOB_COLUMNS " FROM jobs WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    return readFirstRow(select, [&] {
        *job = readJob(select);
        m_cache.jobs[id] = { **job, false };
    });
}

Status SqliteTransaction::updateJob(const JobRecord &job)
{
    if (auto status = writable("updateJob"); !status)
        return status;
    // The mutable columns reach the row at commit; the rest of the record is the row's.
    auto &entry = m_cache.jobs[job.id];
    entry.record = job;
    entry.record.inputs.clear();
    entry.dirty = true;
    return Status::ok();
}

Status SqliteTransaction::readJobs(SqliteStatement &select, std::vector<JobRecord> *jobs)
{
    {
        if (auto status = forEachRow(select, [&] { jobs->push_back(readJob(select)); }); !status)
            return status;
        select.reset();
    }
    for (JobRecord &job : *jobs) {
        if (auto status = readJobInputs(job); !status)
            return status;
    }
    return Status::ok();
}

Status SqliteTransaction::activeJobs(std::vector<JobRecord> *jobs)
{
    jobs->clear();
    if (auto status = flushJobs(); !status)
        return status;
    auto &select = statement("SELECT " TRIBUTARY_JOB_COLUMNS " FROM jobs WHERE state IN (1, 2) "
                             "ORDER BY created_ms, rowid");
    SqliteStatement::Scope scope(select);
    return readJobs(select, jobs);
}

Status SqliteTransaction::listJobs(const std::string &accountId, std::uint32_t limit, std::vector<JobRecord> *jobs)
{
    jobs->clear();
    if (auto status = flushJobs(); !status)
        return status;
    auto &select = statement("SELECT " TRIBUTARY_JOB_COLUMNS " FROM jobs WHERE (?1 = '' OR account_id = ?1) "
                             "ORDER BY created_ms DESC, rowid DESC LIMIT ?2");
    SqliteStatement::Scope scope(select);
    select.bind(1, accountId);
    select.bind(2, std::int64_t(limit));
    return readJobs(select, jobs);
}

Status SqliteTransaction::countTasks(const std::string &jobId, TaskCounts *counts)
{
    *counts = TaskCounts {};
    // Kept on the job row as tasks change state (see updateTask): counting a large job's
    // tasks on every watcher's refresh cost more than running them.
    auto &select = statement("SELECT queued_tasks, running_tasks, verifying_tasks, done_tasks, failed_tasks "
                             "FROM jobs WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    WriteBackCache::CountDeltas stored {};
    if (auto status = readFirstRow(select, [&] {
            for (int i = 0; i < 5; ++i)
                stored[i] = select.columnInt64(i);
        });
        !status)
        return status;
    if (const auto pending = m_cache.taskCountDeltas.find(jobId); pending != m_cache.taskCountDeltas.end()) {
        for (int i = 0; i < 5; ++i)
            stored[i] += pending->second[i];
    }
    counts->queued = u32(stored[0]);
    counts->running = u32(stored[1]);
    counts->verifying = u32(stored[2]);
    counts->done = u32(stored[3]);
    counts->failed = u32(stored[4]);
    return Status::ok();
}

TaskRecord SqliteTransaction::remember(TaskRecord task)
{
    m_cache.taskStates[task.id] = task.state;
    return task;
}

void SqliteTransaction::countTaskState(const std::string &jobId, TaskState state, std::int64_t change)
{
    const int index = int(state) - int(TaskState::Queued);
    if (index >= 0 && index < 5)
        m_cache.taskCountDeltas[jobId][index] += change;
}

// --- Tasks

Status SqliteTransaction::insertTasks(std::span<const TaskRecord> tasks)
{
    if (auto status = writable("insertTasks"); !status)
        return status;
    auto &insert = statement("INSERT INTO tasks (" TRIBUTARY_TASK_COLUMNS
                             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const TaskRecord &task : tasks) {
        SqliteStatement::Scope scope(insert);
        insert.bind(1, task.id);
        insert.bind(2, task.jobId);
        insert.bind(3, std::int64_t(task.index));
        insert.bind(4, std::int64_t(task.state));
        insert.bind(5, i64(task.flops));
        insert.bind(6, std::int64_t(task.needed));
        insert.bind(7, std::int64_t(task.live));
        insert.bind(8, std::int64_t(task.submitted));
        insert.bind(9, std::int64_t(task.failures));
        insert.bind(10, std::int64_t(task.lastAttempt));
        insert.bind(11, task.notBeforeMs);
        insert.bind(12, std::int64_t(task.acceptedAttempt));
        insert.bind(13, task.outputSha256);
        insert.bind(14, std::int64_t(task.unconfirmed ? 1 : 0));
        insert.bind(15, task.completedMs);
        insert.bind(16, std::int64_t(task.row0));
        insert.bind(17, std::int64_t(task.col0));
        insert.bind(18, std::int64_t(task.rows));
        insert.bind(19, std::int64_t(task.cols));
        if (auto status = insert.run(); !status)
            return status;
        countTaskState(task.jobId, task.state, +1);
        m_cache.taskStates[task.id] = task.state;
    }
    return Status::ok();
}

Status SqliteTransaction::findTask(const std::string &id, std::optional<TaskRecord> *task)
{
    task->reset();
    auto &select = statement("SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks WHERE id = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, id);
    return readFirstRow(select, [&] { *task = remember(readTask(select)); });
}

Status SqliteTransaction::updateTask(const TaskRecord &task)
{
    if (auto status = writable("updateTask"); !status)
        return status;
    // The job's count of tasks in each state follows the row's state.
    auto stored = m_cache.taskStates.find(task.id);
    if (stored == m_cache.taskStates.end()) { // a record this transaction did not read
        auto &select = statement("SELECT state FROM tasks WHERE id = ?");
        SqliteStatement::Scope scope(select);
        select.bind(1, task.id);
        std::optional<TaskState> state;
        if (auto status = readFirstRow(select, [&] { state = static_cast<TaskState>(select.columnInt64(0)); });
            !status)
            return status;
        if (!state)
            return Status::ok(); // no such task: nothing to update, as UPDATE would find
        stored = m_cache.taskStates.emplace(task.id, *state).first;
    }
    if (stored->second != task.state) {
        countTaskState(task.jobId, stored->second, -1);
        countTaskState(task.jobId, task.state, +1);
        stored->second = task.state;
    }
    auto &update = statement("UPDATE tasks SET state = ?, needed = ?, live = ?, submitted = ?, failures = ?, "
                             "last_attempt = ?, not_before_ms = ?, accepted_attempt = ?, output_sha256 = ?, "
                             "unconfirmed = ?, completed_ms = ? WHERE id = ?");
    SqliteStatement::Scope scope(update);
    update.bind(1, std::int64_t(task.state));
    update.bind(2, std::int64_t(task.needed));
    update.bind(3, std::int64_t(task.live));
    update.bind(4, std::int64_t(task.submitted));
    update.bind(5, std::int64_t(task.failures));
    update.bind(6, std::int64_t(task.lastAttempt));
    update.bind(7, task.notBeforeMs);
    update.bind(8, std::int64_t(task.acceptedAttempt));
    update.bind(9, task.outputSha256);
    update.bind(10, std::int64_t(task.unconfirmed ? 1 : 0));
    update.bind(11, task.completedMs);
    update.bind(12, task.id);
    return update.run();
}

Status SqliteTransaction::openTasks(const std::string &jobId, std::int64_t nowMs, const std::string &excludeNode,
    std::span<const AttemptState> excludeStates, std::uint32_t limit, std::vector<TaskRecord> *tasks)
{
    tasks->clear();
    if (auto status = flushAttempts(); !status) // the query reads attempts' states
        return status;
    // The excluded states as a bit mask, so that one prepared statement serves every
    // policy: bit s set excludes attempts in state s.
    std::int64_t mask = 0;
    for (AttemptState state : excludeStates)
        mask |= std::int64_t(1) << int(state);
    // "+a.node_id" keeps the planner on the attempts' primary key (a task has a handful of
    // attempts) rather than the node index (a node has thousands).
    auto &select = statement(
        "SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks t WHERE t.job_id = ?1 AND t.state = 1 "
        "AND t.not_before_ms <= ?2 AND (?3 = '' OR NOT EXISTS (SELECT 1 FROM attempts a WHERE a.task_id = t.id "
        "AND +a.node_id = ?3 AND ((?4 >> a.state) & 1) = 1)) ORDER BY t.idx LIMIT ?5");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    select.bind(2, nowMs);
    select.bind(3, excludeNode);
    select.bind(4, mask);
    select.bind(5, std::int64_t(limit));
    return forEachRow(select, [&] { tasks->push_back(remember(readTask(select))); });
}

Status SqliteTransaction::jobTasks(const std::string &jobId, std::vector<TaskRecord> *tasks)
{
    tasks->clear();
    auto &select = statement("SELECT " TRIBUTARY_TASK_COLUMNS " FROM tasks WHERE job_id = ? ORDER BY idx");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    return forEachRow(select, [&] { tasks->push_back(remember(readTask(select))); });
}

// --- Attempts

Status SqliteTransaction::acceptedOutputs(const std::string &jobId, const TaskOutputVisitor &visit)
{
    if (auto status = flushAttempts(); !status) // outputs may still be in the cache
        return status;
    auto &select = statement("SELECT t.id, t.job_id, t.idx, t.state, t.flops, t.needed, t.live, t.submitted, "
                             "t.failures, t.last_attempt, t.not_before_ms, t.accepted_attempt, t.output_sha256, "
                             "t.unconfirmed, t.completed_ms, t.row0, t.col0, t.rows, t.cols, a.output "
                             "FROM tasks t LEFT JOIN attempts a ON a.task_id = t.id AND a.attempt = t.accepted_attempt "
                             "WHERE t.job_id = ? ORDER BY t.idx");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    Status visited;
    if (auto status = forEachRow(select, [&] {
            if (!visited)
                return;
            const TaskRecord task = readTask(select);
            std::optional<std::string> output;
            if (!select.columnIsNull(19))
                output = select.columnBlob(19);
            visited = visit(task, output);
        });
        !status)
        return status;
    return visited;
}

Status SqliteTransaction::insertAttempt(const AttemptRecord &attempt)
{
    if (auto status = writable("insertAttempt"); !status)
        return status;
    auto &insert = statement("INSERT INTO attempts (task_id, attempt, job_id, node_id, device_id, state, leased_ms, "
                             "lease_expires_ms, output_sha256, compute_ms, submitted_ms, progress, message) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SqliteStatement::Scope scope(insert);
    insert.bind(1, attempt.taskId);
    insert.bind(2, std::int64_t(attempt.attempt));
    insert.bind(3, attempt.jobId);
    insert.bind(4, attempt.nodeId);
    insert.bind(5, attempt.deviceId);
    insert.bind(6, std::int64_t(attempt.state));
    insert.bind(7, attempt.leasedMs);
    insert.bind(8, attempt.leaseExpiresMs);
    insert.bind(9, attempt.outputSha256);
    insert.bind(10, i64(attempt.computeMs));
    insert.bind(11, attempt.submittedMs);
    insert.bindDouble(12, attempt.progress);
    insert.bind(13, attempt.message);
    return insert.run();
}

Status SqliteTransaction::findAttempt(
    const std::string &taskId, std::uint32_t attempt, std::optional<AttemptRecord> *record)
{
    record->reset();
    const auto cached = m_cache.attempts.find({ taskId, attempt });
    if (cached != m_cache.attempts.end() && cached->second.known) {
        *record = cached->second.view();
        return Status::ok();
    }
    auto &select
        = statement("SELECT " TRIBUTARY_ATTEMPT_COLUMNS " FROM attempts WHERE task_id = ? AND attempt = ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, taskId);
    select.bind(2, std::int64_t(attempt));
    return readFirstRow(select, [&] {
        auto &entry = m_cache.attempts[{ taskId, attempt }];
        entry.record = readAttempt(select);
        entry.known = true;
        *record = entry.view();
    });
}

Status SqliteTransaction::updateAttempt(const AttemptRecord &attempt)
{
    if (auto status = writable("updateAttempt"); !status)
        return status;
    // Reaches the row at commit: a result is often submitted and accepted in one
    // transaction, and then its row is written once.
    auto &entry = m_cache.attempts[{ attempt.taskId, attempt.attempt }];
    entry.record = attempt;
    entry.known = true;
    entry.dirty = true;
    return Status::ok();
}

Status SqliteTransaction::storeAttemptOutput(
    const std::string &taskId, std::uint32_t attempt, std::span<const std::byte> output)
{
    if (auto status = writable("storeAttemptOutput"); !status)
        return status;
    auto &entry = m_cache.attempts[{ taskId, attempt }];
    entry.output = WriteBackCache::AttemptEntry::Output::Store;
    entry.outputBytes.assign(reinterpret_cast<const char *>(output.data()), output.size());
    return Status::ok();
}

Status SqliteTransaction::readAttemptOutput(
    const std::string &taskId, std::uint32_t attempt, std::optional<std::string> *output)
{
    output->reset();
    using Output = WriteBackCache::AttemptEntry::Output;
    if (const auto cached = m_cache.attempts.find({ taskId, attempt });
        cached != m_cache.attempts.end() && cached->second.output != Output::Unchanged) {
        if (cached->second.output == Output::Store)
            *output = cached->second.outputBytes;
        return Status::ok();
    }
    auto &select = statement("SELECT output FROM attempts WHERE task_id = ? AND attempt = ? AND output IS NOT NULL");
    SqliteStatement::Scope scope(select);
    select.bind(1, taskId);
    select.bind(2, std::int64_t(attempt));
    return readFirstRow(select, [&] { *output = select.columnBlob(0); });
}

Status SqliteTransaction::clearAttemptOutput(const std::string &taskId, std::uint32_t attempt)
{
    if (auto status = writable("clearAttemptOutput"); !status)
        return status;
    auto &entry = m_cache.attempts[{ taskId, attempt }];
    entry.output = WriteBackCache::AttemptEntry::Output::Clear;
    entry.outputBytes.clear();
    return Status::ok();
}

Status SqliteTransaction::readAttempts(SqliteStatement &select, std::vector<AttemptRecord> *attempts)
{
    return forEachRow(select, [&] { attempts->push_back(readAttempt(select)); });
}

Status SqliteTransaction::taskAttempts(const std::string &taskId, std::vector<AttemptRecord> *attempts)
{
    attempts->clear();
    auto &select
        = statement("SELECT " TRIBUTARY_ATTEMPT_COLUMNS " FROM attempts WHERE task_id = ? ORDER BY attempt");
    SqliteStatement::Scope scope(select);
    select.bind(1, taskId);
    if (auto status = readAttempts(select, attempts); !status)
        return status;
    // Every attempt has its row (inserts are not cached); the cache has the newer copies.
    for (AttemptRecord &attempt : *attempts) {
        auto &entry = m_cache.attempts[{ taskId, attempt.attempt }];
        if (!entry.known) {
            entry.record = attempt;
            entry.known = true;
        }
        attempt = entry.view();
    }
    return Status::ok();
}

Status SqliteTransaction::expiredAttempts(std::int64_t nowMs, std::uint32_t limit, std::vector<AttemptRecord> *attempts)
{
    if (auto status = flushAttempts(); !status)
        return status;
    attempts->clear();
    auto &select = statement("SELECT " TRIBUTARY_ATTEMPT_COLUMNS " FROM attempts WHERE state = 1 AND "
                             "lease_expires_ms <= ? ORDER BY lease_expires_ms LIMIT ?");
    SqliteStatement::Scope scope(select);
    select.bind(1, nowMs);
    select.bind(2, std::int64_t(limit));
    return readAttempts(select, attempts);
}

Status SqliteTransaction::jobAttempts(
    const std::string &jobId, AttemptState state, std::vector<AttemptRecord> *attempts)
{
    if (auto status = flushAttempts(); !status)
        return status;
    attempts->clear();
    // Through the job's tasks: attempts have no index by job (see the schema, version 3).
    auto &select = statement("SELECT " TRIBUTARY_ATTEMPT_COLUMNS " FROM attempts WHERE task_id IN "
                             "(SELECT id FROM tasks WHERE job_id = ?1) AND state = ?2 ORDER BY task_id, attempt");
    SqliteStatement::Scope scope(select);
    select.bind(1, jobId);
    select.bind(2, std::int64_t(state));
    return readAttempts(select, attempts);
}

Status SqliteTransaction::nodeAttempts(
    const std::string &nodeId, AttemptState state, std::int64_t sinceMs, std::vector<AttemptRecord> *attempts)
{
    attempts->clear();
    if (auto status = flushAttempts(); !status)
        return status;
    auto &select = statement("SELECT " TRIBUTARY_ATTEMPT_COLUMNS " FROM attempts WHERE node_id = ? AND state = ? "
                             "AND submitted_ms >= ? ORDER BY submitted_ms");
    SqliteStatement::Scope scope(select);
    select.bind(1, nodeId);
    select.bind(2, std::int64_t(state));
    select.bind(3, sinceMs);
    return readAttempts(select, attempts);
}

} // namespace tributary::coordinator
