#pragma once

// How the app talks to a coordinator: one gRPC channel per coordinator address, and
// gRPC statuses turned into sentences a user can read.

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <QString>

#include <chrono>
#include <memory>

namespace tributary::client {

// Largest message the client sends or accepts: task inputs and job results are sent
// whole for now (chunked transfer comes with content-addressed blobs).
constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

// A channel to "host:port". Loopback only is insecure by design for now; TLS arrives
// with the network issue.
std::shared_ptr<grpc::Channel> makeChannel(const QString &address);

// "UNAVAILABLE: failed to connect to all addresses" style text for a failed call.
QString describeStatus(const grpc::Status &status);

// An absolute deadline `timeout` from now, for ClientContext::set_deadline.
std::chrono::system_clock::time_point deadlineAfter(std::chrono::milliseconds timeout);

} // namespace tributary::client
