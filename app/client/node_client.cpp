#include "app/client/node_client.h"

#include "app/client/channel.h"

#include <grpcpp/client_context.h>

namespace tributary::client {

NodeClient::NodeClient(const QString &coordinatorAddress, std::chrono::milliseconds callTimeout)
    : m_stub(v1::NodeService::NewStub(makeChannel(coordinatorAddress)))
    , m_callTimeout(callTimeout)
{
}

grpc::Status NodeClient::registerNode(const v1::RegisterRequest &request,
                                      v1::RegisterResponse *response)
{
    grpc::ClientContext context;
    context.set_deadline(deadlineAfter(m_callTimeout));
    return m_stub->Register(&context, request, response);
}

grpc::Status NodeClient::heartbeat(const v1::HeartbeatRequest &request,
                                   v1::HeartbeatResponse *response)
{
    grpc::ClientContext context;
    context.set_deadline(deadlineAfter(m_callTimeout));
    return m_stub->Heartbeat(&context, request, response);
}

grpc::Status NodeClient::leaseTasks(const v1::LeaseTasksRequest &request,
                                    v1::LeaseTasksResponse *response)
{
    grpc::ClientContext context;
    context.set_deadline(deadlineAfter(m_callTimeout));
    return m_stub->LeaseTasks(&context, request, response);
}

grpc::Status NodeClient::submitResult(const v1::SubmitResultRequest &request,
                                      v1::SubmitResultResponse *response)
{
    grpc::ClientContext context;
    context.set_deadline(deadlineAfter(m_callTimeout));
    return m_stub->SubmitResult(&context, request, response);
}

} // namespace tributary::client
