#include "coordinator/services/account_service.h"

#include "coordinator/accounts.h"
#include "coordinator/ledger/ledger.h"

namespace tributary::coordinator {

using grpc::StatusCode;

void toAccount(const AccountRecord &record, v1::Account *account)
{
    account->set_account_id(record.id);
    account->set_name(record.name);
    account->set_is_admin(record.isAdmin);
    account->set_created_unix_ms(static_cast<std::uint64_t>(record.createdMs));
}

AccountService::AccountService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status AccountService::WhoAmI(grpc::ServerContext *context, const v1::WhoAmIRequest *, v1::Account *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    toAccount(caller, response);
    return grpc::Status::OK;
}

grpc::Status AccountService::CreateAccount(
    grpc::ServerContext *context, const v1::CreateAccountRequest *request, v1::CreateAccountResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (!caller.isAdmin)
        return grpc::Status(StatusCode::PERMISSION_DENIED, "only administrators create accounts");
    if (const std::string why = whyAccountNameIsInvalid(request->name()); !why.empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "name: " + why);

    AccountRecord created;
    std::string token;
    if (auto status = createAccount(m_context.store, m_context.ids, request->name(), request->is_admin(),
            m_context.limits.initialGrantUnits, m_context.clock.nowMs(), &created, &token);
        !status) {
        if (status.message().find("is taken") != std::string::npos)
            return grpc::Status(StatusCode::ALREADY_EXISTS, status.message());
        return m_context.internalError("creating account " + request->name(), status);
    }
    m_context.logMessage(engine::LogLevel::Info,
        "account " + created.id + " (\"" + created.name + "\") created by " + caller.name);
    toAccount(created, response->mutable_account());
    response->set_token(token);
    return grpc::Status::OK;
}

grpc::Status AccountService::GrantCredits(
    grpc::ServerContext *context, const v1::GrantCreditsRequest *request, v1::GrantCreditsResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (!caller.isAdmin)
        return grpc::Status(StatusCode::PERMISSION_DENIED, "only administrators grant credits");
    if (request->amount_units() <= 0)
        return grpc::Status(StatusCode::INVALID_ARGUMENT,
            "amount_units must be positive, not " + std::to_string(request->amount_units()));
    if (request->account_id().empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "account_id is empty");

    const std::int64_t now = m_context.clock.nowMs();
    const std::string key = request->idempotency_key().empty() ? "grant:" + m_context.ids.next("g")
                                                               : "grant:" + request->idempotency_key();
    bool known = false, duplicate = false;
    std::int64_t balance = 0;
    auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
        std::optional<AccountRecord> account;
        if (auto found = tx.findAccount(request->account_id(), &account); !found)
            return found;
        known = account.has_value();
        if (!known)
            return engine::Status::ok();
        if (auto granted = Ledger::grant(tx, request->account_id(), request->amount_units(),
                request->memo().empty() ? "granted by " + caller.name : request->memo(), key, now, &duplicate);
            !granted)
            return granted;
        return tx.balance(request->account_id(), &balance);
    });
    if (!status)
        return m_context.internalError("granting credits to " + request->account_id(), status);
    if (!known)
        return grpc::Status(StatusCode::NOT_FOUND, "account " + request->account_id() + " not found");
    response->set_balance_units(balance);
    response->set_duplicate(duplicate);
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
