#include "engine/dtype.h"

namespace tributary::engine {

std::size_t dtypeSize(DType type)
{
    switch (type) {
    case DType::F32: return 4;
    case DType::I32: return 4;
    case DType::I64: return 8;
    }
    return 0;
}

std::string_view dtypeName(DType type)
{
    switch (type) {
    case DType::F32: return "f32";
    case DType::I32: return "i32";
    case DType::I64: return "i64";
    }
    return "unknown";
}

} // namespace tributary::engine
