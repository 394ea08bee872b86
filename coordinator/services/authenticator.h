#pragma once

// Authenticator: who is calling. Every call carries "authorization: Bearer <token>"; the
// coordinator keeps only each token's SHA-256, so a stolen database gives no one a way in.
//
//   AccountRecord caller;
//   if (auto status = auth.authenticate(context, &caller); !status.ok()) return status;
//
// Tokens are "trb_" + 64 hex digits from the operating system's random source. Known
// tokens are cached in memory (an account's token never changes); unknown ones are looked
// up each time, so a flood of bad tokens cannot fill the cache. Thread-safe.

#include "coordinator/store/store.h"

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace tributary::coordinator {

class Authenticator {
public:
    explicit Authenticator(Store &store);

    // UNAUTHENTICATED when the token is missing, malformed or unknown.
    grpc::Status authenticate(const grpc::ServerContext *context, AccountRecord *account);

    static std::string newToken();
    static std::string tokenHash(const std::string &token);

private:
    Store &m_store;
    std::mutex m_mutex;
    std::unordered_map<std::string, AccountRecord> m_byHash; // guarded by m_mutex
};

} // namespace tributary::coordinator
