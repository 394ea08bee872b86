#pragma once

// AccountService (proto/tributary/v1/account.proto): WhoAmI for anyone with a token;
// CreateAccount and GrantCredits for administrators (PERMISSION_DENIED otherwise).

#include "coordinator/services/service_context.h"

#include "tributary/v1/account.grpc.pb.h"

namespace tributary::coordinator {

class AccountService final : public v1::AccountService::Service {
public:
    explicit AccountService(ServiceContext context);

    grpc::Status WhoAmI(grpc::ServerContext *context, const v1::WhoAmIRequest *request, v1::Account *response) override;
    grpc::Status CreateAccount(grpc::ServerContext *context, const v1::CreateAccountRequest *request,
        v1::CreateAccountResponse *response) override;
    grpc::Status GrantCredits(grpc::ServerContext *context, const v1::GrantCreditsRequest *request,
        v1::GrantCreditsResponse *response) override;

private:
    ServiceContext m_context;
};

void toAccount(const AccountRecord &record, v1::Account *account);

} // namespace tributary::coordinator
