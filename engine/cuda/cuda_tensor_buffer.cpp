#include "engine/cuda/cuda_tensor_buffer.h"

#include <cuda_runtime_api.h>

namespace tributary::engine {

Status CudaTensorBuffer::create(std::shared_ptr<const void> owner, const TensorDesc &desc,
                                std::shared_ptr<CudaTensorBuffer> *out)
{
    if (Status s = checkShape(desc.shape); !s)
        return s;
    const std::size_t bytes = std::size_t(elementCount(desc.shape)) * dtypeSize(desc.dtype);
    void *data = nullptr;
    if (bytes > 0) {
        const cudaError_t e = cudaMalloc(&data, bytes);
        if (e != cudaSuccess) {
            cudaGetLastError(); // not sticky: clear it
            const std::string what = std::to_string((bytes + (std::size_t{1} << 20) - 1) >> 20) + " MiB for a "
                                     + shapeText(desc.shape) + " tensor";
            if (e == cudaErrorMemoryAllocation)
                return Status::error("cuda: out of device memory allocating " + what);
            return Status::error("cuda: cudaMalloc (" + what + "): " + cudaGetErrorString(e));
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
