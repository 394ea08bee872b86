#pragma once

// NodeClient: the contributor's side of NodeService. Blocking calls with deadlines;
// use it from a worker thread, never the GUI thread.

#include "tributary/v1/node.grpc.pb.h"

#include <grpcpp/support/status.h>

#include <QString>

#include <chrono>
#include <memory>

namespace tributary::client {

class NodeClient {
public:
    explicit NodeClient(const QString &coordinatorAddress,
                        std::chrono::milliseconds callTimeout = std::chrono::seconds(10));

    grpc::Status registerNode(const v1::RegisterRequest &request, v1::RegisterResponse *response);
    grpc::Status heartbeat(const v1::HeartbeatRequest &request, v1::HeartbeatResponse *response);
    grpc::Status leaseTasks(const v1::LeaseTasksRequest &request, v1::LeaseTasksResponse *response);
    grpc::Status submitResult(const v1::SubmitResultRequest &request,
                              v1::SubmitResultResponse *response);

private:
    std::unique_ptr<v1::NodeService::Stub> m_stub;
    std::chrono::milliseconds m_callTimeout;
};

} // namespace tributary::client
