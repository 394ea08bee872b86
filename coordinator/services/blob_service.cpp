#include "coordinator/services/blob_service.h"

#include "engine/sha256.h"

namespace tributary::coordinator {

using grpc::StatusCode;

bool isSha256Hex(const std::string &text)
{
    if (text.size() != 64)
        return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

BlobService::BlobService(ServiceContext context)
    : m_context(std::move(context))
{
}

grpc::Status BlobService::FetchBlob(
    grpc::ServerContext *context, const v1::FetchBlobRequest *request, grpc::ServerWriter<v1::BlobChunk> *writer)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (!isSha256Hex(request->sha256()))
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "sha256 must be 64 lower-case hex digits");
    std::optional<std::string> data;
    if (auto status = m_context.store.read([&](StoreTransaction &tx) { return tx.readBlob(request->sha256(), &data); });
        !status)
        return m_context.internalError("reading blob " + request->sha256(), status);
    if (!data)
        return grpc::Status(StatusCode::NOT_FOUND, "blob " + request->sha256() + " not found");
    if (request->offset() > data->size())
        return grpc::Status(StatusCode::OUT_OF_RANGE,
            "offset " + std::to_string(request->offset()) + " is past the end of blob " + request->sha256() + " ("
                + std::to_string(data->size()) + " bytes)");
    std::size_t offset = request->offset();
    do {
        const std::size_t length = std::min(kChunkBytes, data->size() - offset);
        v1::BlobChunk chunk;
        chunk.set_sha256(request->sha256());
        chunk.set_total_size(data->size());
        chunk.set_offset(offset);
        chunk.set_data(data->substr(offset, length));
        if (!writer->Write(chunk))
            return grpc::Status(StatusCode::CANCELLED, "the client went away");
        offset += length;
    } while (offset < data->size());
    return grpc::Status::OK;
}

grpc::Status BlobService::UploadBlob(
    grpc::ServerContext *context, grpc::ServerReader<v1::BlobChunk> *reader, v1::UploadBlobResponse *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    std::string sha256;
    std::uint64_t totalSize = 0;
    std::uint64_t received = 0;
    bool stored = false;
    v1::BlobChunk chunk;
    while (reader->Read(&chunk)) {
        if (sha256.empty()) {
            sha256 = chunk.sha256();
            totalSize = chunk.total_size();
            if (!isSha256Hex(sha256))
                return grpc::Status(StatusCode::INVALID_ARGUMENT, "sha256 must be 64 lower-case hex digits");
            if (totalSize > m_context.limits.maxBlobBytes)
                return grpc::Status(StatusCode::RESOURCE_EXHAUSTED,
                    "blob of " + std::to_string(totalSize) + " bytes is over this coordinator's cap of "
                        + std::to_string(m_context.limits.maxBlobBytes));
            std::optional<std::uint64_t> size;
            if (auto status = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
                    if (auto found = tx.blobSize(sha256, &size); !found)
                        return found;
                    return tx.uploadReceived(sha256, &received);
                });
                !status)
                return m_context.internalError("looking up blob " + sha256, status);
            stored = size.has_value();
        } else if (chunk.sha256() != sha256 || chunk.total_size() != totalSize) {
            return grpc::Status(StatusCode::INVALID_ARGUMENT, "every chunk of an upload must name the same blob and size");
        }
        if (stored)
            continue; // already here: drain the stream and say so
        if (chunk.offset() != received)
            return grpc::Status(StatusCode::FAILED_PRECONDITION,
                "chunk at offset " + std::to_string(chunk.offset()) + ", but " + std::to_string(received)
                    + " bytes have been received: resume from there");
        if (received + chunk.data().size() > totalSize)
            return grpc::Status(StatusCode::INVALID_ARGUMENT, "chunks run past total_size");
        const auto bytes = std::as_bytes(std::span(chunk.data().data(), chunk.data().size()));
        const std::int64_t now = m_context.clock.nowMs();
        if (auto status = m_context.store.write(
                [&](StoreTransaction &tx) { return tx.appendUploadChunk(sha256, received, bytes, now); });
            !status)
            return m_context.internalError("storing a chunk of blob " + sha256, status);
        received += chunk.data().size();
    }
    if (sha256.empty())
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "the upload had no chunks");
    if (!stored && received < totalSize)
        return grpc::Status(StatusCode::FAILED_PRECONDITION,
            "upload of " + sha256 + " is incomplete: " + std::to_string(received) + " of " + std::to_string(totalSize)
                + " bytes; resume from " + std::to_string(received));
    if (!stored) {
        bool matches = false;
        auto status = m_context.store.write([&](StoreTransaction &tx) -> engine::Status {
            std::string data;
            if (auto read = tx.readUpload(sha256, &data); !read)
                return read;
            matches = engine::sha256Hex(std::as_bytes(std::span(data.data(), data.size()))) == sha256;
            if (auto removed = tx.deleteUpload(sha256); !removed)
                return removed;
            if (!matches)
                return engine::Status::ok();
            return tx.insertBlob(sha256, std::as_bytes(std::span(data.data(), data.size())));
        });
        if (!status)
            return m_context.internalError("storing blob " + sha256, status);
        if (!matches)
            return grpc::Status(StatusCode::DATA_LOSS,
                "the uploaded bytes do not hash to " + sha256 + "; the upload was discarded, start again from 0");
    }
    response->set_sha256(sha256);
    response->set_size(totalSize);
    return grpc::Status::OK;
}

grpc::Status BlobService::GetUploadStatus(
    grpc::ServerContext *context, const v1::GetUploadStatusRequest *request, v1::UploadStatus *response)
{
    AccountRecord caller;
    if (auto status = m_context.auth.authenticate(context, &caller); !status.ok())
        return status;
    if (!isSha256Hex(request->sha256()))
        return grpc::Status(StatusCode::INVALID_ARGUMENT, "sha256 must be 64 lower-case hex digits");
    std::optional<std::uint64_t> size;
    std::uint64_t received = 0;
    if (auto status = m_context.store.read([&](StoreTransaction &tx) -> engine::Status {
            if (auto found = tx.blobSize(request->sha256(), &size); !found)
                return found;
            return tx.uploadReceived(request->sha256(), &received);
        });
        !status)
        return m_context.internalError("looking up blob " + request->sha256(), status);
    response->set_complete(size.has_value());
    response->set_received_bytes(size ? *size : received);
    return grpc::Status::OK;
}

} // namespace tributary::coordinator
