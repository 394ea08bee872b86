#pragma once

// NodeService: the gRPC service contributors' nodes call (tributary.v1.NodeService, see
// proto/tributary/v1/node.proto for the contract).
//
//   Register      a new node gets a fresh id; a node passing a known node_id keeps it and
//                 its devices are replaced. An unknown node_id (the coordinator's database
//                 was reset) gets a fresh id too: nodes must use the id in the response.
//   Heartbeat     renews the leases of the listed tasks the node still holds; the others
//                 come back as revoked.
//   LeaseTasks    up to max_tasks (at most 64, and about 48 MiB of payload) tasks for one
//                 of the node's registered devices, oldest job first; retry_after_ms when
//                 there is none.
//   SubmitResult  FAILED_PRECONDITION unless the node holds the task at that attempt (a
//                 result that arrives after the lease ran out is still taken as long as
//                 nobody leased the task again), DUPLICATE for an attempt already
//                 accepted, else the tile is verified against the CPU reference: ACCEPTED
//                 (and the job completed when it was the last tile) or REJECTED (the task
//                 is queued again, or its job fails once it used up its attempts).
//
// Unknown node or task ids are NOT_FOUND; storage failures are INTERNAL.

#include "coordinator/service_context.h"

#include "tributary/v1/node.grpc.pb.h"

namespace tributary::coordinator {

class NodeService final : public v1::NodeService::Service {
public:
    static constexpr std::uint32_t kMaxLeaseTasks = 64;
    static constexpr std::uint64_t kMaxLeaseBytes = std::uint64_t(48) << 20;
    static constexpr std::uint32_t kRetryAfterMs = 500;

    explicit NodeService(ServiceContext context);

    grpc::Status Register(grpc::ServerContext *context, const v1::RegisterRequest *request,
        v1::RegisterResponse *response) override;
    grpc::Status Heartbeat(grpc::ServerContext *context, const v1::HeartbeatRequest *request,
        v1::HeartbeatResponse *response) override;
    grpc::Status LeaseTasks(grpc::ServerContext *context, const v1::LeaseTasksRequest *request,
        v1::LeaseTasksResponse *response) override;
    grpc::Status SubmitResult(grpc::ServerContext *context, const v1::SubmitResultRequest *request,
        v1::SubmitResultResponse *response) override;

private:
    // Marks the node as seen; NOT_FOUND when it never registered.
    grpc::Status touchNode(const std::string &nodeId, std::int64_t nowMs);

    ServiceContext m_context;
};

} // namespace tributary::coordinator
