// CpuBackend's tensor side: storage in CpuBuffer, ops dispatched to the family kernels in
// cpu/ops/. Everything runs synchronously on the calling thread and the pool.

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/ops/cpu_ops.h"

#include <cstring>

namespace tributary::engine {

Status CpuBackend::allocate(const TensorDesc &desc, Tensor *out)
{
    std::shared_ptr<CpuBuffer> buffer;
    if (Status s = CpuBuffer::create(desc, device().id, &buffer); !s)
        return s;
    *out = Tensor{desc.dtype, desc.shape, std::move(buffer)};
    return Status::ok();
}

Status CpuBackend::upload(const HostTensor &host, Tensor *out)
{
    if (host.data.size() != std::size_t(elementCount(host.shape)) * dtypeSize(host.dtype))
        return Status::error("cpu: host tensor " + shapeText(host.shape) + " has " + std::to_string(host.data.size())
                             + " bytes, expected " + std::to_string(elementCount(host.shape) * dtypeSize(host.dtype)));
    Tensor tensor;
    if (Status s = allocate({host.dtype, host.shape}, &tensor); !s)
        return s;
    if (!host.data.empty()) // memcpy's pointers must be valid even for zero bytes
        std::memcpy(cpuData<std::byte>(tensor), host.data.data(), host.data.size());
    *out = std::move(tensor);
    return Status::ok();
}

Status CpuBackend::download(const Tensor &tensor, HostTensor *out)
{
    if (!tensor.valid())
        return Status::error("cpu: download of a tensor without storage");
    HostTensor host = HostTensor::zeros(tensor.dtype, tensor.shape);
    if (!host.data.empty())
        std::memcpy(host.data.data(), cpuData<std::byte>(tensor), host.data.size());
    *out = std::move(host);
    return Status::ok();
}

bool CpuBackend::supports(OpKind kind) const
{
    return cpuSupports(kind);
}

Status CpuBackend::run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    CpuOpContext context{*this, m_pool};
    switch (opFamily(op.kind)) {
    case OpFamily::Elementwise: return cpuRunElementwise(context, op, inputs, outputs);
    case OpFamily::Linear: return cpuRunLinear(context, op, inputs, outputs);
    case OpFamily::Reduce: return cpuRunReduce(context, op, inputs, outputs);
    case OpFamily::Layout: return cpuRunLayout(context, op, inputs, outputs);
    case OpFamily::Optimizer: return cpuRunOptimizer(context, op, inputs, outputs);
    }
    return Status::error("cpu: unknown op family");
}

} // namespace tributary::engine
