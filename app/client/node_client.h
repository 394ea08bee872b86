#pragma once

// NodeClient: the contributor's side of NodeService and BlobService. Blocking calls with
// deadlines; use it from a worker thread, never the GUI thread.

#include "app/client/channel.h"

#include "tributary/v1/blob.grpc.pb.h"
#include "tributary/v1/node.grpc.pb.h"

#include <grpcpp/support/status.h>

#include <chrono>
#include <memory>
#include <string>

namespace tributary::client {

class NodeClient {
public:
    explicit NodeClient(Endpoint endpoint, std::chrono::milliseconds callTimeout = std::chrono::seconds(10));

    grpc::Status registerNode(const v1::RegisterRequest &request, v1::RegisterResponse *response);
    grpc::Status heartbeat(const v1::HeartbeatRequest &request, v1::HeartbeatResponse *response);
    grpc::Status leaseTasks(const v1::LeaseTasksRequest &request, v1::LeaseTasksResponse *response);
    grpc::Status submitResults(const v1::SubmitResultsRequest &request, v1::SubmitResultsResponse *response);
    // Gives back leased tasks this node will not finish (paused, switched off).
    grpc::Status releaseTasks(const v1::ReleaseTasksRequest &request, v1::ReleaseTasksResponse *response);
    // Appends blob `sha256` to *data from data->size() on: a fetch cut off half-way is
    // resumed by calling again with what arrived.
    grpc::Status fetchBlob(const std::string &sha256, std::string *data);

private:
    Endpoint m_endpoint;
    std::unique_ptr<v1::NodeService::Stub> m_stub;
    std::unique_ptr<v1::BlobService::Stub> m_blobs;
    std::chrono::milliseconds m_callTimeout;
};

} // namespace tributary::client
