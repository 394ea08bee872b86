#include "coordinator/services/authenticator.h"

#include "engine/sha256.h"

#include <array>
#include <random>

namespace tributary::coordinator {

using grpc::StatusCode;

namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr std::string_view kTokenPrefix = "trb_";

bool isWellFormed(std::string_view token)
{
    if (token.size() != kTokenPrefix.size() + 64 || !token.starts_with(kTokenPrefix))
        return false;
    for (char c : token.substr(kTokenPrefix.size())) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

Authenticator::Authenticator(Store &store)
    : m_store(store)
{
}

std::string Authenticator::newToken()
{
    std::random_device random; // the kernel's random source on Linux
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token(kTokenPrefix);
    for (int i = 0; i < 8; ++i) {
        std::uint32_t word = random();
        for (int nibble = 0; nibble < 8; ++nibble) {
            token += kHex[word & 0xf];
            word >>= 4;
        }
    }
    return token;
}

std::string Authenticator::tokenHash(const std::string &token)
{
    return engine::sha256Hex(std::as_bytes(std::span(token.data(), token.size())));
}

grpc::Status Authenticator::authenticate(const grpc::ServerContext *context, AccountRecord *account)
{
    const auto &metadata = context->client_metadata();
    const auto found = metadata.find("authorization");
    if (found == metadata.end())
        return grpc::Status(StatusCode::UNAUTHENTICATED,
            "no token: send \"authorization: Bearer <token>\" (the coordinator writes the administrator's token "
            "to its admin token file)");
    const std::string_view value(found->second.data(), found->second.size());
    if (!value.starts_with(kBearer))
        return grpc::Status(StatusCode::UNAUTHENTICATED, "the authorization metadata must be \"Bearer <token>\"");
    const std::string token(value.substr(kBearer.size()));
    if (!isWellFormed(token))
        return grpc::Status(StatusCode::UNAUTHENTICATED, "malformed token: expected trb_ and 64 hex digits");

    const std::string hash = tokenHash(token);
    {
        std::lock_guard lock(m_mutex);
        if (auto cached = m_byHash.find(hash); cached != m_byHash.end()) {
            *account = cached->second;
            return grpc::Status::OK;
        }
    }
    std::optional<AccountRecord> stored;
    if (auto status = m_store.read([&](StoreTransaction &tx) { return tx.findAccountByToken(hash, &stored); });
        !status)
        return grpc::Status(StatusCode::INTERNAL, "looking up the token: " + status.message());
    if (!stored)
        return grpc::Status(StatusCode::UNAUTHENTICATED, "unknown token");
    std::lock_guard lock(m_mutex);
    m_byHash.emplace(hash, *stored);
    *account = std::move(*stored);
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
