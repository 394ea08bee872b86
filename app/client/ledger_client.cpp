#include "app/client/ledger_client.h"

#include <grpcpp/client_context.h>

namespace tributary::client {

LedgerClient::LedgerClient(Endpoint endpoint, std::chrono::milliseconds callTimeout)
    : m_endpoint(std::move(endpoint))
    , m_stub(v1::LedgerService::NewStub(makeChannel(m_endpoint)))
    , m_callTimeout(callTimeout)
{
}

grpc::Status LedgerClient::entries(std::int64_t beforeEntryId, std::uint32_t limit, v1::ListEntriesResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    v1::ListEntriesRequest request;
    request.set_before_entry_id(beforeEntryId);
    request.set_limit(limit);
    return m_stub->ListEntries(&context, request, response);
}

} // namespace tributary::client
