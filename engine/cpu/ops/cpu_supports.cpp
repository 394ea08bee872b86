#include "engine/cpu/ops/cpu_ops.h"

namespace tributary::engine {

bool cpuSupports(OpKind kind)
{
    switch (opFamily(kind)) {
    case OpFamily::Elementwise: return cpuSupportsElementwise(kind);
    case OpFamily::Linear: return cpuSupportsLinear(kind);
    case OpFamily::Reduce: return cpuSupportsReduce(kind);
    case OpFamily::Layout: return cpuSupportsLayout(kind);
    case OpFamily::Optimizer: return cpuSupportsOptimizer(kind);
    }
    return false;
}

} // namespace tributary::engine
