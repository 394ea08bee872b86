#pragma once

// onnx.TensorProto <-> HostTensor, for initializers, Constant nodes and test data files.
// Internal to engine/onnx: it exposes the protobuf types.

#include "engine/host_tensor.h"
#include "engine/status.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>

namespace tributary::engine {

// The engine dtype of an ONNX element type (TensorProto.DataType), if it has one.
std::optional<DType> dtypeFromOnnx(int onnxType);
// "float", "int64", "string", …
std::string onnxTypeName(int onnxType);

// Converts a TensorProto. `what` names it in errors ("initializer 'W'"). When the
// element type has no engine dtype, fails and sets *unsupportedType (when not null).
Status tensorFromProto(const onnx::TensorProto &proto, const std::string &what, HostTensor *out,
    bool *unsupportedType = nullptr);

} // namespace tributary::engine
