#include "coordinator/services/ledger_service.h"

#include "coordinator/ledger/ledger.h"

namespace tributary::coordinator {

using grpc::StatusCode;

LedgerService::LedgerService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status LedgerService::GetBalance(grpc::ServerContext *context, const v1::GetBalanceRequest *, v1::Balance *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    std::int64_t available = 0, held = 0, earned = 0;
    auto status = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
        if (auto read = tx.balance(caller.id, &available); !read)
            return read;
        if (auto read = tx.earnings(caller.id, &earned); !read)
            return read;
        std::vector<JobRecord> jobs;
        if (auto read = tx.activeJobs(&jobs); !read)
            return read;
        for (const JobRecord &job : jobs) {
            if (job.accountId != caller.id)
                continue;
            std::int64_t escrow = 0;
            if (auto read = tx.balance(Ledger::escrowBook(job.id), &escrow); !read)
                return read;
            held += escrow;
        }
        return engine::Status::ok();
    });
    if (!status)
        return m_context.internalError("reading the balance of " + caller.id, status);
    response->set_account_id(caller.id);
    response->set_available_units(available);
    response->set_held_units(held);
    response->set_earned_units(earned);
    return grpc::Status::OK;
}

grpc::Status LedgerService::ListEntries(
    grpc::ServerContext *context, const v1::ListEntriesRequest *request, v1::ListEntriesResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (request->limit() > 1000)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "limit must be at most 1000, not " + std::to_string(request->limit()));
    const std::uint32_t limit = request->limit() == 0 ? 100 : request->limit();
    std::vector<LedgerEntryRecord> entries;
    if (auto status = m_context.store.read([&](StoreTransaction &tx) {
            return tx.ledgerEntries(caller.id, request->before_entry_id(), limit, &entries);
        });
        !status)
        return m_context.internalError("reading the ledger of " + caller.id, status);
    for (const LedgerEntryRecord &entry : entries) {
        v1::LedgerEntry *out = response->add_entries();
        out->set_entry_id(entry.id);
        out->set_transaction_id(entry.transactionId);
        out->set_amount_units(entry.amountUnits);
        out->set_kind(entry.kind);
        out->set_memo(entry.memo);
        out->set_job_id(entry.jobId);
        out->set_task_id(entry.taskId);
        out->set_created_unix_ms(static_cast<std::uint64_t>(entry.createdMs));
    }
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
