#include "engine/host_tensor.h"

#include <cassert>
#include <cstring>

namespace tributary::engine {

namespace {

template<typename T>
HostTensor fromValues(DType dtype, Shape shape, std::span<const T> values)
{
    HostTensor tensor = HostTensor::zeros(dtype, std::move(shape));
    assert(values.size() == std::size_t(tensor.elements()));
    std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
    return tensor;
}

template<typename T>
std::span<T> view(std::vector<std::byte> &data)
{
    return {reinterpret_cast<T *>(data.data()), data.size() / sizeof(T)};
}

template<typename T>
std::span<const T> view(const std::vector<std::byte> &data)
{
    return {reinterpret_cast<const T *>(data.data()), data.size() / sizeof(T)};
}

} // namespace

HostTensor HostTensor::zeros(DType dtype, Shape shape)
{
    HostTensor tensor;
    tensor.dtype = dtype;
    tensor.data.resize(std::size_t(elementCount(shape)) * dtypeSize(dtype));
    tensor.shape = std::move(shape);
    return tensor;
}

HostTensor HostTensor::fromF32(Shape shape, std::span<const float> values)
{
    return fromValues(DType::F32, std::move(shape), values);
}

HostTensor HostTensor::fromI64(Shape shape, std::span<const std::int64_t> values)
{
    return fromValues(DType::I64, std::move(shape), values);
}

HostTensor HostTensor::fromI32(Shape shape, std::span<const std::int32_t> values)
{
    return fromValues(DType::I32, std::move(shape), values);
}

std::span<float> HostTensor::f32()
{
    assert(dtype == DType::F32);
    return view<float>(data);
}

std::span<const float> HostTensor::f32() const
{
    assert(dtype == DType::F32);
    return view<float>(data);
}

std::span<std::int32_t> HostTensor::i32()
{
    assert(dtype == DType::I32);
    return view<std::int32_t>(data);
}

std::span<const std::int32_t> HostTensor::i32() const
{
    assert(dtype == DType::I32);
    return view<std::int32_t>(data);
}

std::span<std::int64_t> HostTensor::i64()
{
    assert(dtype == DType::I64);
    return view<std::int64_t>(data);
}

std::span<const std::int64_t> HostTensor::i64() const
{
    assert(dtype == DType::I64);
    return view<std::int64_t>(data);
}

} // namespace tributary::engine
