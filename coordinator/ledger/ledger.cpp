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

Status Ledger::pay(StoreTransaction &tx, const JobRecord &job, const TaskRecord &task, std::span<const Payee> payees,
    std::int64_t nowMs)
{
    if (payees.empty())
        return Status::ok();
    const std::int64_t units = unitsForFlops(task.flops);
    const std::int64_t total = units * std::int64_t(payees.size());
    std::int64_t escrow = 0;
    if (auto status = tx.balance(escrowBook(job.id), &escrow); !status)
        return status;
    const std::int64_t fromEscrow = std::min(total, std::max<std::int64_t>(escrow, 0));

    LedgerTransactionRecord record;
    record.idempotencyKey = "pay:" + task.id + ":";
    for (std::size_t i = 0; i < payees.size(); ++i)
        record.idempotencyKey += (i ? "+" : "") + std::to_string(payees[i].attempt);
    record.kind = "payment";
    record.memo = "verified task " + std::to_string(task.index) + " of job \"" + job.name + "\"";
    record.jobId = job.id;
    record.taskId = task.id;
    record.createdMs = nowMs;
    for (const Payee &payee : payees)
        record.postings.push_back({ payee.accountId, units }); // one entry per run paid
    if (fromEscrow > 0)
        record.postings.push_back({ escrowBook(job.id), -fromEscrow });
    // Disputes can need more runs than the estimate held: the owner pays those directly.
    if (total > fromEscrow)
        record.postings.push_back({ job.accountId, -(total - fromEscrow) });
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
