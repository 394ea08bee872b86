#pragma once

// HostTensor: a dense row-major tensor in ordinary memory. What goes into and comes out
// of a backend: model weights, inputs, results, test data.
//
//   HostTensor x = HostTensor::zeros(DType::F32, {2, 3});
//   x.f32()[0] = 1.0f;
//   backend.upload(x, &deviceX);

#include "engine/dtype.h"
#include "engine/shape.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tributary::engine {

struct HostTensor {
    DType dtype = DType::F32;
    Shape shape;
    std::vector<std::byte> data; // elementCount(shape) * dtypeSize(dtype) bytes

    static HostTensor zeros(DType dtype, Shape shape);
    static HostTensor fromF32(Shape shape, std::span<const float> values);
    static HostTensor fromI64(Shape shape, std::span<const std::int64_t> values);
    static HostTensor fromI32(Shape shape, std::span<const std::int32_t> values);

    std::int64_t elements() const { return elementCount(shape); }

    // Typed views; the dtype must match (checked with an assert).
    std::span<float> f32();
    std::span<const float> f32() const;
    std::span<std::int32_t> i32();
    std::span<const std::int32_t> i32() const;
    std::span<std::int64_t> i64();
    std::span<const std::int64_t> i64() const;
};

} // namespace tributary::engine
