#include "coordinator/ledger/ledger.h"

#include "coordinator/ledger/pricing.h"

#include <algorithm>

namespace tributary::coordinator {

using engine::Status;

namespace {

std::string attemptKey(const char *kind, const TaskRecord &task, std::uint32_t attempt)
{
    return std::string(kind) + ":" + task.id + ":" + std::to_string(attempt);
}

} // namespace

Status Ledger::grant(StoreTransaction &tx, const std::string &accountId, std::int64_t units, const std::string &memo,
    const std::string &idempotencyKey, std::int64_t nowMs, bool *duplicate)
{
    if (units <= 0)
        return Status::error("a grant must be positive, not " + std::to_string(units) + " units");
    LedgerTransactionRecord record;
    record.idempotencyKey = idempotencyKey;
    record.kind = "grant";
    record.memo = memo;
    record.createdMs = nowMs;
    record.postings = { { kIssuanceBook, -units }, { accountId, units } };
    return tx.postLedgerTransaction(record, duplicate);
}

Status Ledger::hold(StoreTransaction &tx, const JobRecord &job, std::int64_t units, std::int64_t nowMs)
{
    if (units <= 0)
        return Status::ok();
    LedgerTransactionRecord record;
    record.idempotencyKey = "hold:" + job.id;
    record.kind = "hold";
    record.memo = "held for job \"" + job.name + "\"";
    record.jobId = job.id;
    record.createdMs = nowMs;
    record.postings = { { job.accountId, -units }, { escrowBook(job.id), units } };
    bool duplicate = false;
    return tx.postLedgerTransaction(record, &duplicate);
}

Status Ledger::pay(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task, std::uint32_t attempt,
    const std::string &nodeAccountId, std::int64_t nowMs)
{
    const std::int64_t units = unitsForFlops(task.flops);
    std::int64_t escrow = 0;
    if (auto status = tx.balance(escrowBook(job.id), &escrow); !status)
        return status;
    const std::int64_t fromEscrow = std::min(units, std::max<std::int64_t>(escrow, 0));

    LedgerTransactionRecord record;
    record.idempotencyKey = attemptKey("pay", task, attempt);
    record.kind = "payment";
    record.memo = "verified task " + std::to_string(task.index) + " of job \"" + job.name + "\"";
    record.jobId = job.id;
    record.taskId = task.id;
    record.createdMs = nowMs;
    record.postings.push_back({ nodeAccountId, units });
    if (fromEscrow > 0)
        record.postings.push_back({ escrowBook(job.id), -fromEscrow });
    // Disputes can need more runs than the estimate held: the owner pays those directly.
    if (units > fromEscrow)
        record.postings.push_back({ job.accountId, -(units - fromEscrow) });
    bool duplicate = false;
    return tx.postLedgerTransaction(record, &duplicate);
}

Status Ledger::clawback(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task, std::uint32_t attempt,
    const std::string &nodeAccountId, std::int64_t nowMs)
{
    const std::int64_t units = unitsForFlops(task.flops);
    LedgerTransactionRecord record;
    record.idempotencyKey = attemptKey("clawback", task, attempt);
    record.kind = "clawback";
    record.memo = "task " + std::to_string(task.index) + " of job \"" + job.name
        + "\" undone: the node was caught returning wrong results";
    record.jobId = job.id;
    record.taskId = task.id;
    record.createdMs = nowMs;
    record.postings = { { nodeAccountId, -units }, { escrowBook(job.id), units } };
    bool duplicate = false;
    return tx.postLedgerTransaction(record, &duplicate);
}

Status Ledger::refund(StoreTransaction &tx, const JobRecord &job, std::int64_t nowMs)
{
    std::int64_t escrow = 0;
    if (auto status = tx.balance(escrowBook(job.id), &escrow); !status)
        return status;
    if (escrow == 0)
        return Status::ok();
    LedgerTransactionRecord record;
    // A job can end, be re-opened by a re-check, and end again: key by the amount's
    // moment so that each ending refunds what is left then.
    record.idempotencyKey = "refund:" + job.id + ":" + std::to_string(nowMs) + ":" + std::to_string(escrow);
    record.kind = "refund";
    record.memo = "left over from job \"" + job.name + "\"";
    record.jobId = job.id;
    record.createdMs = nowMs;
    record.postings = { { escrowBook(job.id), -escrow }, { job.accountId, escrow } };
    bool duplicate = false;
    return tx.postLedgerTransaction(record, &duplicate);
}

} // namespace tributary::coordinator
