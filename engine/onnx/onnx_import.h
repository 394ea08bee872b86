#pragma once

// ONNX import: reads an .onnx model (ONNX 1.12 protobuf, through Debian's libonnx) into a
// Graph of engine ops (engine/graph/graph.h) that an Executor runs on any backend.
//
//   OnnxModel model;
//   OnnxImportReport report;
//   if (Status s = importOnnxModel("mnist.onnx", {}, &model, &report); !s) {
//       // s.message(): "unsupported ONNX ops: Foo (node n3), Bar (node n7)", or a precise
//       // reason ("not a valid ONNX model: x.onnx", "node conv1 (Conv): attribute ...").
//       // report.unsupported lists every unsupported op or feature found.
//   }
//   std::unique_ptr<Executor> exec;
//   Executor::create(model.graph, *backend, &exec);
//
// Supported (default domain): Add Sub Mul Div Neg Relu Gelu Tanh Sigmoid Exp Log Sqrt Gemm
// MatMul Conv(2-D) MaxPool(2-D) AveragePool(2-D) GlobalAveragePool Softmax LogSoftmax
// LayerNormalization BatchNormalization(inference) ReduceSum ReduceMean ReduceMax ArgMax
// Reshape Flatten Transpose Concat Slice Identity Constant Dropout(inference).
// Arguments that engine ops take as attributes (Reshape's shape, Slice's starts/ends/
// axes/steps, ReduceSum's axes) must be constants: initializers or Constant nodes.
// Graph inputs need concrete shapes: the model's own, or OnnxImportOptions::inputDescs
// (needed when the model declares symbolic dimensions such as a batch size "N").
// Arithmetic is f32; i32/i64 tensors flow through the layout ops and out of ArgMax.
// Malformed files never crash the importer: they fail with a Status.

#include "engine/graph/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tributary::engine {

struct OnnxImportOptions {
    // Concrete types and shapes of graph inputs, by ONNX input name; they override the
    // model's declared shapes.
    std::map<std::string, TensorDesc> inputDescs;
    // The same by position, in the model's input order (initializers excluded): what a
    // caller with test data files input_0.pb, input_1.pb, … has. Names win over positions.
    std::vector<TensorDesc> inputDescsInOrder;
    // Inputs whose values are known at import time, by position: they become constants
    // (ONNX's node tests feed Reshape shapes and Slice bounds as inputs). An empty entry
    // leaves that input a graph input.
    std::vector<std::optional<HostTensor>> inputValuesInOrder;
};

struct OnnxModel {
    Graph graph;
    std::vector<std::string> inputNames; // graph.inputs() order (initializers excluded)
    std::vector<std::size_t> inputPositions; // each graph input's position among the model's inputs
    std::vector<std::string> outputNames; // graph.outputs() order
    std::int64_t opsetVersion = 0; // of the default domain
    std::vector<std::string> opTypes; // ONNX op types used, sorted, unique
};

struct OnnxImportReport {
    // "Foo (node n3)" for every node whose op (or an attribute value, an input type)
    // the importer does not support. Non-empty means the failure is "unsupported", as
    // opposed to a malformed model.
    std::vector<std::string> unsupported;
};

// Imports a model file. `report` may be null.
Status importOnnxModel(const std::string &path, const OnnxImportOptions &options, OnnxModel *out,
    OnnxImportReport *report = nullptr);
// The same, from the bytes of a model; `name` names it in errors.
Status importOnnxModelFromBytes(std::span<const std::byte> bytes, const std::string &name,
    const OnnxImportOptions &options, OnnxModel *out, OnnxImportReport *report = nullptr);

// Reads a serialized onnx.TensorProto (the test data files input_0.pb, output_0.pb).
// Supported element types: float, int32, int64. `name` receives the tensor's name when
// not null.
Status loadOnnxTensor(const std::string &path, HostTensor *out, std::string *name = nullptr);

} // namespace tributary::engine
