#pragma once

// BlobService (proto/tributary/v1/blob.proto): content-addressed blobs in chunks.
//
// FetchBlob streams from an offset (NOT_FOUND for an unknown digest, OUT_OF_RANGE past the
// end). UploadBlob takes chunks in order from where GetUploadStatus says the upload stands;
// each chunk is committed as it arrives, so an upload cut off by a lost connection or a
// coordinator restart resumes where it stopped. The blob is stored once its bytes hash to
// the announced digest (a mismatch discards the upload: DATA_LOSS). Blobs above the
// coordinator's size cap are refused with RESOURCE_EXHAUSTED before any byte is kept.

#include "coordinator/services/service_context.h"

#include "tributary/v1/blob.grpc.pb.h"

namespace tributary::coordinator {

class BlobService final : public v1::BlobService::Service {
public:
    static constexpr std::size_t kChunkBytes = 1 << 20;

    explicit BlobService(ServiceContext context);

    grpc::Status FetchBlob(grpc::ServerContext *context, const v1::FetchBlobRequest *request,
        grpc::ServerWriter<v1::BlobChunk> *writer) override;
    grpc::Status UploadBlob(grpc::ServerContext *context, grpc::ServerReader<v1::BlobChunk> *reader,
        v1::UploadBlobResponse *response) override;
    grpc::Status GetUploadStatus(grpc::ServerContext *context, const v1::GetUploadStatusRequest *request,
        v1::UploadStatus *response) override;

private:
    ServiceContext m_context;
};

// Whether text is a lower-case hex SHA-256 digest.
bool isSha256Hex(const std::string &text);

} // namespace tributary::coordinator
