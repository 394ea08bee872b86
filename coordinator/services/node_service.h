#pragma once

// NodeService: the gRPC service contributors' nodes call (tributary.v1.NodeService, see
// proto/tributary/v1/node.proto for the contract).
//
//   Register        records the node and its devices under the caller's account (a node id
//                   of another account is PERMISSION_DENIED).
//   Heartbeat       renews the leases the node still works on; names the revoked ones.
//   LeaseTasks      expires run-out leases, then leases tasks that fit the device
//                   (scheduling/scheduler.h); each carries its GEMM tile and input digests.
//   ReportProgress  records progress and renews the lease.
//   SubmitResults   checks each result's digest and size, compares reference-policy results
//                   with the coordinator's own CPU computation, then hands every result of
//                   the batch to the verifier in one transaction (verification/verifier.h).
//
// Every call authenticates; a node caught returning wrong results is PERMISSION_DENIED.
// Storage failures are INTERNAL.

#include "coordinator/services/service_context.h"

#include "tributary/v1/node.grpc.pb.h"

#include <optional>
#include <string>

namespace tributary::coordinator {

class NodeService final : public v1::NodeService::Service {
public:
    static constexpr std::uint32_t kMaxLeaseTasks = 256;
    static constexpr int kMaxResultsPerCall = 256;
    // Inline outputs above this must be uploaded as blobs.
    static constexpr std::size_t kMaxInlineOutputBytes = 4 << 20;
    // What LeaseTasks tells an idle node to wait before asking again.
    static constexpr std::uint32_t kRetryAfterMs = 250;

    explicit NodeService(ServiceContext context);

    grpc::Status Register(grpc::ServerContext *context, const v1::RegisterRequest *request,
        v1::RegisterResponse *response) override;
    grpc::Status Heartbeat(grpc::ServerContext *context, const v1::HeartbeatRequest *request,
        v1::HeartbeatResponse *response) override;
    grpc::Status LeaseTasks(grpc::ServerContext *context, const v1::LeaseTasksRequest *request,
        v1::LeaseTasksResponse *response) override;
    grpc::Status ReportProgress(grpc::ServerContext *context, const v1::ReportProgressRequest *request,
        v1::ReportProgressResponse *response) override;
    grpc::Status ReleaseTasks(grpc::ServerContext *context, const v1::ReleaseTasksRequest *request,
        v1::ReleaseTasksResponse *response) override;
    grpc::Status SubmitResults(grpc::ServerContext *context, const v1::SubmitResultsRequest *request,
        v1::SubmitResultsResponse *response) override;

private:
    // Authenticates the caller and loads the node it acts for.
    grpc::Status callerNode(grpc::ServerContext *context, const std::string &nodeId, NodeRecord *node);

    ServiceContext m_context;
};

} // namespace tributary::coordinator
