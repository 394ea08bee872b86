#include "engine/onnx/onnx_tensor.h"

#include <cstring>
#include <limits>

namespace tributary::engine {

std::optional<DType> dtypeFromOnnx(int onnxType)
{
    switch (onnxType) {
    case onnx::TensorProto_DataType_FLOAT:
        return DType::F32;
    case onnx::TensorProto_DataType_INT32:
        return DType::I32;
    case onnx::TensorProto_DataType_INT64:
        return DType::I64;
    default:
        return std::nullopt;
    }
}

std::string onnxTypeName(int onnxType)
{
    if (!onnx::TensorProto_DataType_IsValid(onnxType))
        return "type " + std::to_string(onnxType);
    std::string name = onnx::TensorProto_DataType_Name(onnx::TensorProto_DataType(onnxType));
    for (char &c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

Status tensorFromProto(
    const onnx::TensorProto &proto, const std::string &what, HostTensor *out, bool *unsupportedType)
{
    if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL || proto.external_data_size() > 0) {
        if (unsupportedType)
            *unsupportedType = true;
        return Status::error(what + ": external data is not supported");
    }
    if (proto.has_segment()) {
        if (unsupportedType)
            *unsupportedType = true;
        return Status::error(what + ": segmented tensors are not supported");
    }
    const std::optional<DType> dtype = dtypeFromOnnx(proto.data_type());
    if (!dtype) {
        if (unsupportedType)
            *unsupportedType = true;
        return Status::error(
            what + ": element type " + onnxTypeName(proto.data_type()) + " is not supported");
    }
    Shape shape;
    for (std::int64_t d : proto.dims()) {
        if (d < 0)
            return Status::error(what + ": negative dimension " + std::to_string(d));
        shape.push_back(d);
    }
    if (Status s = checkShape(shape); !s)
        return Status::error(what + ": " + s.message());
    const std::int64_t count = elementCount(shape);
    const std::size_t size = dtypeSize(*dtype);
    if (std::uint64_t(count) > std::numeric_limits<std::size_t>::max() / 16)
        return Status::error(what + ": " + shapeText(shape) + " is too large");
    HostTensor t;
    t.dtype = *dtype;
    t.shape = shape;
    const std::size_t bytes = std::size_t(count) * size;
    if (proto.has_raw_data()) {
        if (proto.raw_data().size() != bytes)
            return Status::error(what + ": raw_data has " + std::to_string(proto.raw_data().size())
                + " bytes, " + std::string(dtypeName(*dtype)) + shapeText(shape) + " needs "
                + std::to_string(bytes));
        t.data.resize(bytes);
        if (bytes > 0) // ONNX raw data is little-endian, as we are
            std::memcpy(t.data.data(), proto.raw_data().data(), bytes);
        *out = std::move(t);
        return Status::ok();
    }
    auto wrongCount = [&](const char *field, int have) {
        return Status::error(what + ": " + field + " has " + std::to_string(have) + " values, "
            + shapeText(shape) + " needs " + std::to_string(count));
    };
    t.data.resize(bytes);
    if (bytes == 0) { // memcpy with the null pointers of empty containers is undefined
        *out = std::move(t);
        return Status::ok();
    }
    switch (*dtype) {
    case DType::F32:
        if (proto.float_data_size() != count)
            return wrongCount("float_data", proto.float_data_size());
        std::memcpy(t.data.data(), proto.float_data().data(), bytes);
        break;
    case DType::I32:
        if (proto.int32_data_size() != count)
            return wrongCount("int32_data", proto.int32_data_size());
        std::memcpy(t.data.data(), proto.int32_data().data(), bytes);
        break;
    case DType::I64:
        if (proto.int64_data_size() != count)
            return wrongCount("int64_data", proto.int64_data_size());
        std::memcpy(t.data.data(), proto.int64_data().data(), bytes);
        break;
    }
    *out = std::move(t);
    return Status::ok();
}

} // namespace tributary::engine
