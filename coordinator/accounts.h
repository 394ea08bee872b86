#pragma once

// Creating accounts: shared by AccountService (administrators over gRPC) and the
// Coordinator itself (the administrator on first start, the local account of the
// desktop app's embedded network).

#include "coordinator/id_generator.h"
#include "coordinator/store/store.h"

#include <cstdint>
#include <string>

namespace tributary::coordinator {

// Checks a name: 1..64 printable ASCII characters. Empty when fine, else what is wrong.
std::string whyAccountNameIsInvalid(const std::string &name);

// Creates an account with a fresh token, granting it `grantUnits` from the issuance (none
// when 0), in one transaction. *token is the only copy of the token. Fails when the name is
// taken ("account name \"x\" is taken").
engine::Status createAccount(Store &store, IdGenerator &ids, const std::string &name, bool isAdmin,
    std::int64_t grantUnits, std::int64_t nowMs, AccountRecord *account, std::string *token);

} // namespace tributary::coordinator
