#pragma once

// LedgerClient: the account's side of LedgerService, as far as the contributor needs it:
// the account's ledger entries. Blocking calls with deadlines; use it from a worker
// thread, never the GUI thread.

#include "app/client/channel.h"

#include "tributary/v1/ledger.grpc.pb.h"

#include <grpcpp/support/status.h>

#include <chrono>
#include <memory>

namespace tributary::client {

class LedgerClient {
public:
    explicit LedgerClient(Endpoint endpoint, std::chrono::milliseconds callTimeout = std::chrono::seconds(10));

    // Newest first; beforeEntryId 0 starts at the newest.
    grpc::Status entries(std::int64_t beforeEntryId, std::uint32_t limit, v1::ListEntriesResponse *response);

private:
    Endpoint m_endpoint;
    std::unique_ptr<v1::LedgerService::Stub> m_stub;
    std::chrono::milliseconds m_callTimeout;
};

} // namespace tributary::client
