// CudaBackend's tensor side: storage in CudaTensorBuffer, copies on the backend's
// stream, ops dispatched to the family kernels in cuda/ops/.

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"

namespace tributary::engine {

Status cudaLaunchStatus(std::string_view kernel)
{
    if (const cudaError_t e = cudaGetLastError(); e != cudaSuccess)
        return Status::error("cuda: launching " + std::string(kernel) + ": " + cudaGetErrorString(e));
    return Status::ok();
}

Status CudaBackend::wait(const char *what)
{
    if (const cudaError_t e = cudaStreamSynchronize(m_stream); e != cudaSuccess) {
        // An error during execution usually leaves the context unusable.
        m_unusable = true;
        m_unusableReason = cudaGetErrorString(e);
        return failure(what, e);
    }
    return Status::ok();
}

Status CudaBackend::allocate(const TensorDesc &desc, Tensor *out)
{
    if (m_unusable)
        return Status::error("cuda: device unusable: " + m_unusableReason);
    if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
        return failure("cudaSetDevice", e);
    std::shared_ptr<CudaTensorBuffer> buffer;
    if (Status s = CudaTensorBuffer::create(m_identity, desc, m_device.id, &buffer); !s)
        return s;
    *out = Tensor{desc.dtype, desc.shape, std::move(buffer)};
    return Status::ok();
}

Status CudaBackend::upload(const HostTensor &host, Tensor *out)
{
    if (Status s = checkShape(host.shape); !s)
        return s;
    const std::size_t expected = std::size_t(elementCount(host.shape)) * dtypeSize(host.dtype);
    if (host.data.size() != expected)
        return Status::error("cuda: host tensor " + shapeText(host.shape) + " has " + std::to_string(host.data.size())
                             + " bytes, expected " + std::to_string(expected));
    Tensor tensor;
    if (Status s = allocate({host.dtype, host.shape}, &tensor); !s)
        return s;
    // From pageable memory the copy has left `host` when the call returns, so the caller
    // may free it; the device sees it before any later work on the stream.
    if (expected > 0) {
        if (const cudaError_t e = cudaMemcpyAsync(cudaData<void>(tensor), host.data.data(), expected,
                                                  cudaMemcpyHostToDevice, m_stream);
            e != cudaSuccess)
            return failure("copying a tensor to the device", e);
    }
    *out = std::move(tensor);
    return Status::ok();
}

Status CudaBackend::download(const Tensor &tensor, HostTensor *out)
{
    if (!tensor.valid())
        return Status::error("cuda: download of a tensor without storage");
    if (!cudaTensorBuffer(tensor, m_identity.get()))
        return Status::error("cuda: download of a tensor that is not on this device (" + m_device.id + ")");
    if (tensor.buffer->bytes() < tensor.bytes())
        return Status::error("cuda: download of a " + shapeText(tensor.shape) + " tensor whose buffer is too small");
    if (m_unusable)
        return Status::error("cuda: device unusable: " + m_unusableReason);
    if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
        return failure("cudaSetDevice", e);
    HostTensor host = HostTensor::zeros(tensor.dtype, tensor.shape);
    if (!host.data.empty()) {
        if (const cudaError_t e = cudaMemcpyAsync(host.data.data(), cudaData<const void>(tensor), host.data.size(),
                                                  cudaMemcpyDeviceToHost, m_stream);
            e != cudaSuccess)
            return failure("copying a tensor from the device", e);
    }
    if (Status s = wait("running queued work"); !s)
        return s;
    *out = std::move(host);
    return Status::ok();
}

bool CudaBackend::supports(OpKind kind) const
{
    switch (opFamily(kind)) {
    case OpFamily::Elementwise: return cudaSupportsElementwise(kind);
    case OpFamily::Linear: return cudaSupportsLinear(kind);
    case OpFamily::Reduce: return cudaSupportsReduce(kind);
    case OpFamily::Layout: return cudaSupportsLayout(kind);
    case OpFamily::Optimizer: return cudaSupportsOptimizer(kind);
    }
    return false;
}

Status CudaBackend::run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (m_unusable)
        return Status::error("cuda: device unusable: " + m_unusableReason);
    // A tensor of another backend would crash a kernel: refuse it here.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].valid() && !cudaTensorBuffer(inputs[i], m_identity.get()))
            return Status::error("cuda: " + std::string(opName(op.kind)) + ": input " + std::to_string(i)
                                 + " is not a tensor of this device (" + m_device.id + ")");
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].valid() && !cudaTensorBuffer(outputs[i], m_identity.get()))
            return Status::error("cuda: " + std::string(opName(op.kind)) + ": output " + std::to_string(i)
                                 + " is not a tensor allocated on this device (" + m_device.id + ")");
    }
    if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
        return failure("cudaSetDevice", e);
    bool handled = false;
    if (Status s = runWithCublas(op, inputs, outputs, &handled); !s || handled) // fast mode only
        return s;
    CudaOpContext context{*this};
    switch (opFamily(op.kind)) {
    case OpFamily::Elementwise: return cudaRunElementwise(context, op, inputs, outputs);
    case OpFamily::Linear: return cudaRunLinear(context, op, inputs, outputs);
    case OpFamily::Reduce: return cudaRunReduce(context, op, inputs, outputs);
    case OpFamily::Layout: return cudaRunLayout(context, op, inputs, outputs);
    case OpFamily::Optimizer: return cudaRunOptimizer(context, op, inputs, outputs);
    }
    return Status::error("cuda: unknown op family");
}

Status CudaBackend::synchronize()
{
    if (m_unusable)
        return Status::error("cuda: device unusable: " + m_unusableReason);
    if (const cudaError_t e = cudaSetDevice(m_ordinal); e != cudaSuccess)
        return failure("cudaSetDevice", e);
    return wait("running queued work");
}

} // namespace tributary::engine
