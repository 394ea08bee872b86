#pragma once

// Tensor: a dense row-major tensor in a backend's memory (device memory on a GPU, plain
// memory on the CPU backend). Tensors are created by Backend::allocate or
// Backend::upload and stay on the device between ops; Backend::download brings one back.
// A Tensor is a cheap handle: copies share the buffer.

#include "engine/dtype.h"
#include "engine/shape.h"

#include <cstddef>
#include <memory>

namespace tributary::engine {

// Storage owned by one backend. Each backend subclasses it; a buffer from one backend is
// never passed to another.
class DeviceBuffer {
public:
    virtual ~DeviceBuffer() = default;
    virtual std::size_t bytes() const = 0;
};

struct Tensor {
    DType dtype = DType::F32;
    Shape shape;
    std::shared_ptr<DeviceBuffer> buffer;

    std::int64_t elements() const { return elementCount(shape); }
    std::size_t bytes() const { return std::size_t(elements()) * dtypeSize(dtype); }
    bool valid() const { return buffer != nullptr; }
};

// The type and shape of a tensor, without storage: what shape inference works on.
struct TensorDesc {
    DType dtype = DType::F32;
    Shape shape;

    bool operator==(const TensorDesc &) const = default;
};

} // namespace tributary::engine
