#pragma once

// runTrainRound: the computation of one training task (tributary.v1.TrainRoundTask), in one
// place for both sides — the contributor that runs it and the coordinator that re-runs it
// under the reference policy — so that the two cannot drift apart.
//
// Output bytes: the parameters, then the optimizer state when return_state is set, then the
// mean training loss as one f32 (node.proto's Task.train_round).

#include "engine/backend.h"
#include "engine/host_tensor.h"
#include "engine/status.h"
#include "engine/training/mlp.h"

#include "tributary/v1/training.pb.h"

#include <string>
#include <string_view>
#include <vector>

namespace tributary::coordinator {

// `parameters`, `state` (empty: zeros), `features` and `labels` are the blobs the payload
// names. Fails, naming the problem, when they do not fit the payload's model and shard.
engine::Status runTrainRound(engine::Backend &backend, const v1::TrainRoundTask &payload, const std::string &parameters,
    const std::string &state, const std::string &features, const std::string &labels, std::string *output);

// The model's tensors one after another (layer order), as bytes; and back, `slots` runs of
// the model's parameter shapes.
std::string tensorsBytes(const std::vector<engine::HostTensor> &tensors);
engine::Status tensorsFromBytes(const engine::training::MlpConfig &model, std::size_t slots, std::string_view bytes,
    std::vector<engine::HostTensor> *out);

} // namespace tributary::coordinator
