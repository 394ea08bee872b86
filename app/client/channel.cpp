#include "app/client/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <QFile>

namespace tributary::client {

std::shared_ptr<grpc::Channel> makeChannel(const Endpoint &endpoint)
{
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(kMaxMessageBytes);
    arguments.SetMaxSendMessageSize(kMaxMessageBytes);
    // Reconnect quickly after a coordinator restart instead of gRPC's default of up to 2 minutes.
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (!endpoint.tlsRootCertificate.isEmpty()) {
        grpc::SslCredentialsOptions tls;
        tls.pem_root_certs = endpoint.tlsRootCertificate.toStdString();
        credentials = grpc::SslCredentials(tls);
    }
    return grpc::CreateCustomChannel(endpoint.address.toStdString(), credentials, arguments);
}

void prepareContext(grpc::ClientContext &context, const Endpoint &endpoint, std::chrono::milliseconds timeout)
{
    context.set_deadline(deadlineAfter(timeout));
    if (!endpoint.token.isEmpty())
        context.AddMetadata("authorization", "Bearer " + endpoint.token.toStdString());
}

QString readTokenFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the token file %1: %2").arg(path, file.errorString());
        return {};
    }
    const QString token = QString::fromUtf8(file.read(4096)).trimmed();
    if (!token.startsWith(QLatin1String("trb_"))) {
        *error = QStringLiteral("%1 does not hold a Tributary token (trb_…)").arg(path);
        return {};
    }
    return token;
}

static const char *statusCodeName(grpc::StatusCode code)
{
    switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
    }
}

QString describeStatus(const grpc::Status &status)
{
    if (status.ok())
        return QStringLiteral("OK");
    return QStringLiteral("%1: %2").arg(QLatin1String(statusCodeName(status.error_code())),
                                        QString::fromStdString(status.error_message()));
}

std::chrono::system_clock::time_point deadlineAfter(std::chrono::milliseconds timeout)
{
    return std::chrono::system_clock::now() + timeout;
}

} // namespace tributary::client
