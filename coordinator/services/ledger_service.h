#pragma once

// LedgerService (proto/tributary/v1/ledger.proto): the caller's balance and history.

#include "coordinator/services/service_context.h"

#include "tributary/v1/ledger.grpc.pb.h"

namespace tributary::coordinator {

class LedgerService final : public v1::LedgerService::Service {
public:
    explicit LedgerService(ServiceContext context);

    grpc::Status GetBalance(
        grpc::ServerContext *context, const v1::GetBalanceRequest *request, v1::Balance *response) override;
    grpc::Status ListEntries(grpc::ServerContext *context, const v1::ListEntriesRequest *request,
        v1::ListEntriesResponse *response) override;

private:
    ServiceContext m_context;
};

} // namespace tributary::coordinator
