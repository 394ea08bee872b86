#include "coordinator/accounts.h"

#include "coordinator/ledger/ledger.h"
#include "coordinator/services/authenticator.h"

namespace tributary::coordinator {

std::string whyAccountNameIsInvalid(const std::string &name)
{
    if (name.empty() || name.size() > 64)
        return "an account name must have 1 to 64 characters";
    for (char c : name) {
        if (c < 0x20 || c > 0x7e)
            return "an account name may hold only printable ASCII characters";
    }
    return {};
}

engine::Status createAccount(Store &store, IdGenerator &ids, const std::string &name, bool isAdmin,
    std::int64_t grantUnits, std::int64_t nowMs, AccountRecord *account, std::string *token)
{
    if (const std::string why = whyAccountNameIsInvalid(name); !why.empty())
        return engine::Status::error(why);
    AccountRecord record;
    record.id = ids.next("acct");
    record.name = name;
    record.isAdmin = isAdmin;
    record.createdMs = nowMs;
    std::string secret = Authenticator::newToken();
    record.tokenSha256 = Authenticator::tokenHash(secret);
    auto status = store.write([&](StoreTransaction &tx) -> engine::Status {
        std::optional<AccountRecord> existing;
        if (auto found = tx.findAccountByName(name, &existing); !found)
            return found;
        if (existing)
            return engine::Status::error("account name \"" + name + "\" is taken");
        if (auto inserted = tx.insertAccount(record); !inserted)
            return inserted;
        if (grantUnits <= 0)
            return engine::Status::ok();
        bool duplicate = false;
        return Ledger::grant(tx, record.id, grantUnits, "starting credits", "grant:initial:" + record.id, nowMs,
            &duplicate);
    });
    if (!status)
        return status;
    *account = std::move(record);
    *token = std::move(secret);
    return engine::Status::ok();
}

} // namespace tributary::coordinator
