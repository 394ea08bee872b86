#include "engine/cuda/cuda_tensor_buffer.h"

#include "engine/ops/shape_inference.h"

#include <cuda_runtime_api.h>

namespace tributary::engine {

Status CudaTensorBuffer::create(std::shared_ptr<const void> owner, const TensorDesc &desc,
    const std::string &device, std::shared_ptr<CudaTensorBuffer> *out)
{
    std::size_t bytes = 0;
    if (Status s = tensorBytes(desc, &bytes); !s)
        return Status::error(device + ": " + s.message());
    void *data = nullptr;
    if (bytes > 0) {
        std::size_t freeBytes = 0, totalBytes = 0;
        const bool known = cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess;
        if (!known)
            cudaGetLastError(); // not sticky: clear it
        if (known && bytes > totalBytes)
            return outOfMemory(desc, bytes, device, totalBytes, "device memory");
        const cudaError_t e = cudaMalloc(&data, bytes);
        if (e != cudaSuccess) {
            cudaGetLastError(); // not sticky: clear it
            if (e == cudaErrorMemoryAllocation)
                return outOfMemory(desc, bytes, device, freeBytes,
                    "free of " + byteSizeText(double(totalBytes)) + "; cudaMalloc failed");
            return Status::error(device + ": cudaMalloc for a " + std::string(dtypeName(desc.dtype))
                + shapeText(desc.shape) + " tensor (" + byteSizeText(double(bytes))
                + "): " + cudaGetErrorString(e));
        }
    }
    out->reset(new CudaTensorBuffer(std::move(owner), data, bytes));
    return Status::ok();
}

CudaTensorBuffer::~CudaTensorBuffer()
{
    // cudaFree waits for work queued on the device, so kernels still using it finish first.
    if (m_data)
        cudaFree(m_data);
}

CudaTensorBuffer *cudaTensorBuffer(const Tensor &tensor, const void *owner)
{
    auto *buffer = dynamic_cast<CudaTensorBuffer *>(tensor.buffer.get());
    return (buffer && buffer->owner() == owner) ? buffer : nullptr;
}

} // namespace tributary::engine
