#include "app/client/node_client.h"

#include <grpcpp/client_context.h>

namespace tributary::client {

NodeClient::NodeClient(Endpoint endpoint, std::chrono::milliseconds callTimeout)
    : m_endpoint(std::move(endpoint))
    , m_callTimeout(callTimeout)
{
    const auto channel = makeChannel(m_endpoint);
    m_stub = v1::NodeService::NewStub(channel);
    m_blobs = v1::BlobService::NewStub(channel);
}

grpc::Status NodeClient::registerNode(const v1::RegisterRequest &request, v1::RegisterResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    return m_stub->Register(&context, request, response);
}

grpc::Status NodeClient::heartbeat(const v1::HeartbeatRequest &request, v1::HeartbeatResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    return m_stub->Heartbeat(&context, request, response);
}

grpc::Status NodeClient::leaseTasks(const v1::LeaseTasksRequest &request, v1::LeaseTasksResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    return m_stub->LeaseTasks(&context, request, response);
}

grpc::Status NodeClient::submitResults(const v1::SubmitResultsRequest &request, v1::SubmitResultsResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    return m_stub->SubmitResults(&context, request, response);
}

grpc::Status NodeClient::releaseTasks(const v1::ReleaseTasksRequest &request, v1::ReleaseTasksResponse *response)
{
    grpc::ClientContext context;
    prepareContext(context, m_endpoint, m_callTimeout);
    return m_stub->ReleaseTasks(&context, request, response);
}

grpc::Status NodeClient::fetchBlob(const std::string &sha256, std::string *data)
{
    grpc::ClientContext context;
    // A large input takes longer than one call's usual deadline.
    prepareContext(context, m_endpoint, m_callTimeout * 6);
    v1::FetchBlobRequest request;
    request.set_sha256(sha256);
    request.set_offset(data->size());
    auto reader = m_blobs->FetchBlob(&context, request);
    v1::BlobChunk chunk;
    while (reader->Read(&chunk)) {
        if (chunk.offset() != data->size())
            return grpc::Status(grpc::StatusCode::DATA_LOSS, "blob chunks arrived out of order");
        data->append(chunk.data());
    }
    return reader->Finish();
}

} // namespace tributary::client
