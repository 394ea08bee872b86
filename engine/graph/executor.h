#pragma once

// Executor: runs a Graph (engine/graph/graph.h) on one Backend.
//
// create() validates the graph, checks that the backend supports every op, and uploads
// the constants once; they stay on the device for every run. run() uploads the inputs,
// runs the nodes in the graph's (topological) order with every intermediate tensor kept
// on the device, releases each intermediate right after its last use, and returns the
// graph outputs.
//
//   std::unique_ptr<Executor> exec;
//   if (Status s = Executor::create(graph, *backend, &exec); !s) ...
//   std::vector<HostTensor> outputs;
//   if (Status s = exec->run({x}, &outputs); !s) ...   // inputs in graph.inputs() order
//
// Training builds one graph for a whole step and keeps its state on the device:
//   - the forward ops, then their backward ops (ReluBackward, Gemm with transA/transB for
//     weight gradients, SumToShape for bias gradients, SoftmaxCrossEntropyBackward, …),
//     then one optimiser op per parameter (SgdUpdate / AdamWUpdate);
//   - parameters and optimiser state are graph *inputs* (not constants), and the updated
//     ones are graph outputs; runDevice() takes and returns device Tensors, so the caller
//     feeds the outputs of step t as the inputs of step t+1 without a host round trip:
//       std::vector<Tensor> state = ...;                       // uploaded once
//       for (batch : batches) {
//           inputs = {batchX, batchLabels, state...};
//           exec->runDevice(inputs, &outputs);                 // loss, params', moments'
//           state.assign(outputs.begin() + 1, outputs.end());
//       }
//   - the batch data are the only uploads per step; download only the loss when needed.
// Every op keeps the exact-mode contract, so the same graph gives the same bits on every
// backend, step after step.

#include "engine/backend.h"
#include "engine/graph/graph.h"

#include <memory>
#include <vector>

namespace tributary::engine {

class Executor {
public:
    // Validates `graph` and prepares it for `backend` (which must outlive the executor).
    // Fails when the graph is invalid, the backend does not support one of its ops (all
    // such ops named), or a constant cannot be uploaded.
    static Status create(const Graph &graph, Backend &backend, std::unique_ptr<Executor> *out);

    // Host in, host out: inputs in graph.inputs() order, with the declared types and shapes.
    Status run(const std::vector<HostTensor> &inputs, std::vector<HostTensor> *outputs);
    // Device in, device out: inputs are tensors of this backend.
    Status runDevice(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs);

    // Changes one node's attributes for the following runs (Graph::setAttributes): the
    // trainer advances AdamW's step this way instead of rebuilding the executor.
    Status setNodeAttributes(std::size_t node, OpAttributes attributes)
    {
        return m_graph.setAttributes(node, std::move(attributes));
    }

    const Graph &graph() const { return m_graph; }
    // Device tensors alive at the peak of the last run (inputs, constants, intermediates
    // and outputs): what freeing after the last use saves.
    std::size_t peakLiveTensors() const { return m_peakLive; }

private:
    Executor(const Graph &graph, Backend &backend)
        : m_graph(graph)
        , m_backend(backend)
    {
    }

    Graph m_graph;
    Backend &m_backend;
    std::vector<Tensor> m_constants; // by constant index
    std::vector<int> m_lastUse; // per value: last node index that reads it (-1: none)
    std::vector<bool> m_isOutput; // per value
    std::size_t m_peakLive = 0;
};

} // namespace tributary::engine
