#pragma once

// Shape inference and exact-mode semantics of the optimizer ops (OpFamily::Optimizer).
// All tensors f32 of one shape; outputs may alias inputs (update in place). Every backend
// computes exactly these roundings, in this order (`+`, `-`, `*` single binary32
// operations, never fused; exact_* from engine/kernels/exact_math.h). Constants marked
// (host) are computed in double on the host from the attributes and rounded to float once.
//
// SgdUpdate (Param, Grad, Velocity -> Param', Velocity'; SgdAttributes), as torch.optim.SGD
//   with dampening 0 (a zero Velocity reproduces torch's first step):
//   g = grad;  if weightDecay != 0: g = g + weightDecay * param
//   if momentum != 0: v' = momentum * v + g;  d = nesterov ? g + momentum * v' : v'
//   else:             v' = v;                 d = g
//   param' = param - learningRate * d
// AdamWUpdate (Param, Grad, M, V -> Param', M', V'; AdamWAttributes), as torch.optim.AdamW:
//   host: decay = 1 - lr·wd; c1 = 1 - beta1; c2 = 1 - beta2;
//         stepSize = lr / (1 - beta1^step); invSqrtBc2 = 1 / sqrt(1 - beta2^step)
//   p = param * decay
//   m' = beta1 * m + c1 * grad;  v' = beta2 * v + c2 * (grad * grad)
//   denom = exact_sqrt(v') * invSqrtBc2 + epsilon
//   param' = p - stepSize * exact_div(m', denom)
//   step must be >= 1.

#include "engine/ops/shape_inference.h"

namespace tributary::engine {

Status inferOptimizer(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs);

// AdamW's host constants (see above), each rounded to float once.
struct AdamWConstants {
    float decay = 1.0f;
    float c1 = 0.0f;
    float c2 = 0.0f;
    float stepSize = 0.0f;
    float invSqrtBc2 = 1.0f;
};
AdamWConstants adamWConstants(const AdamWAttributes &attributes);

} // namespace tributary::engine
