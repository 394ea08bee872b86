#pragma once

// CudaTensorBuffer: a CUDA backend tensor's storage, one cudaMalloc allocation on the
// backend's device. Kernels (cuda/ops/*.cu) get a typed device pointer with cudaData():
//
//   const float *x = cudaData<const float>(inputs[0]);
//   float *y = cudaData<float>(outputs[0]);
//   myKernel<<<blocks, threads, 0, context.backend.stream()>>>(x, y, n);

#include "engine/status.h"
#include "engine/tensor.h"

#include <memory>
#include <string>

namespace tributary::engine {

class CudaTensorBuffer final : public DeviceBuffer {
public:
    // Allocates storage for `desc` on the current device. `owner` identifies the backend
    // (tensors of other backends are refused by comparing it); `device` names it in errors.
    // Fails with "out of memory: tensor f32[…] needs N GiB, cuda:0 has M GiB (…)" when the
    // tensor is larger than the device's memory or cudaMalloc cannot allocate it, and with
    // "… is too large" when its size overflows; the device stays usable.
    static Status create(std::shared_ptr<const void> owner, const TensorDesc &desc, const std::string &device,
                         std::shared_ptr<CudaTensorBuffer> *out);
    ~CudaTensorBuffer() override;

    CudaTensorBuffer(const CudaTensorBuffer &) = delete;
    CudaTensorBuffer &operator=(const CudaTensorBuffer &) = delete;

    std::size_t bytes() const override { return m_bytes; }
    void *data() const { return m_data; } // null for an empty tensor
    const void *owner() const { return m_owner.get(); }

private:
    CudaTensorBuffer(std::shared_ptr<const void> owner, void *data, std::size_t bytes)
        : m_owner(std::move(owner)), m_data(data), m_bytes(bytes)
    {
    }

    std::shared_ptr<const void> m_owner;
    void *m_data;
    std::size_t m_bytes;
};

// The tensor's CudaTensorBuffer when it belongs to `owner`, else null.
CudaTensorBuffer *cudaTensorBuffer(const Tensor &tensor, const void *owner);

// The device pointer of a CUDA backend tensor. The tensor must come from the CUDA
// backend (CudaBackend::run checks that before calling a kernel).
template<class T>
T *cudaData(const Tensor &tensor)
{
    return static_cast<T *>(static_cast<CudaTensorBuffer *>(tensor.buffer.get())->data());
}

} // namespace tributary::engine
