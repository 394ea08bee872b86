#pragma once

// How the app talks to a coordinator: one gRPC channel per coordinator address, and
// gRPC statuses turned into sentences a user can read.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <QString>

#include <chrono>
#include <memory>

namespace tributary::client {

// Largest message the client sends or accepts: task inputs and job results are sent
// whole for now (chunked transfer comes with content-addressed blobs).
constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

// Where a coordinator is and who we are to it: every call carries the account's token
// ("authorization: Bearer <token>").
struct Endpoint {
    QString address; // "host:port"
    QString token;   // "trb_…"
    // PEM root certificate for a coordinator serving TLS; empty: plain TCP (loopback).
    QString tlsRootCertificate;
};

// A channel to the endpoint's address, over TLS when it has a root certificate.
std::shared_ptr<grpc::Channel> makeChannel(const Endpoint &endpoint);

// Sets the deadline and the token on a call's context.
void prepareContext(grpc::ClientContext &context, const Endpoint &endpoint, std::chrono::milliseconds timeout);

// Reads a token from a file (the coordinator's admin token file, or one an operator
// wrote); empty with *error set when it cannot.
QString readTokenFile(const QString &path, QString *error);

// "UNAVAILABLE: failed to connect to all addresses" style text for a failed call.
QString describeStatus(const grpc::Status &status);

// An absolute deadline `timeout` from now, for ClientContext::set_deadline.
std::chrono::system_clock::time_point deadlineAfter(std::chrono::milliseconds timeout);

} // namespace tributary::client
