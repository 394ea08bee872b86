#pragma once

// Element types of tensors. fp32 carries all arithmetic; int32/int64 carry indices and
// shapes (labels, ArgMax results, ONNX shape tensors).

#include <cstddef>
#include <string_view>

namespace tributary::engine {

// Zero is not a valid type, so an uninitialised value is caught.
enum class DType { F32 = 1, I32 = 2, I64 = 3 };

std::size_t dtypeSize(DType type);
std::string_view dtypeName(DType type); // "f32", "i32", "i64"

} // namespace tributary::engine
