// Model-level import: parse the protobuf, check every op is known before converting any
// (so the error lists them all), declare inputs, initializers and outputs.

#include "engine/onnx/onnx_import.h"

#include "engine/onnx/onnx_builder.h"
#include "engine/onnx/onnx_fusion.h"
#include "engine/onnx/onnx_tensor.h"

#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>

namespace tributary::engine {

namespace {

Status readFile(const std::string &path, std::vector<std::byte> *out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::error("cannot open " + path);
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0)
        return Status::error("cannot read " + path);
    if (size > std::streamoff(std::numeric_limits<int>::max()))
        return Status::error(path + " is larger than 2 GiB, the protobuf limit");
    in.seekg(0, std::ios::beg);
    out->resize(std::size_t(size));
    if (size > 0 && !in.read(reinterpret_cast<char *>(out->data()), size))
        return Status::error("cannot read " + path);
    return Status::ok();
}

Status inputDesc(const onnx::ValueInfoProto &info, const OnnxImportOptions &options, std::size_t position,
    OnnxImportReport &report, TensorDesc *out)
{
    const std::string what = "graph input '" + info.name() + "'";
    std::optional<TensorDesc> given;
    if (auto it = options.inputDescs.find(info.name()); it != options.inputDescs.end())
        given = it->second;
    else if (position < options.inputDescsInOrder.size())
        given = options.inputDescsInOrder[position];
    if (!info.type().has_tensor_type()) {
        if (given) {
            *out = *given;
            return Status::ok();
        }
        report.unsupported.push_back(what + ": not a tensor (sequence, map or optional)");
        return Status::error(what + " is not a tensor; only tensor inputs are supported");
    }
    const auto &tensorType = info.type().tensor_type();
    const std::optional<DType> dtype = dtypeFromOnnx(tensorType.elem_type());
    if (!dtype) {
        report.unsupported.push_back(what + ": element type " + onnxTypeName(tensorType.elem_type()));
        return Status::error(what + " has element type " + onnxTypeName(tensorType.elem_type())
            + "; supported: float, int32, int64");
    }
    if (given) {
        if (given->dtype != *dtype)
            return Status::error(what + " is " + onnxTypeName(tensorType.elem_type()) + " but was given as "
                + std::string(dtypeName(given->dtype)));
        if (tensorType.has_shape()) {
            const auto &dims = tensorType.shape().dim();
            bool fits = dims.size() == int(given->shape.size());
            for (int i = 0; fits && i < dims.size(); ++i)
                fits = !dims[i].has_dim_value() || dims[i].dim_value() == given->shape[std::size_t(i)];
            if (!fits)
                return Status::error(what + " was given the shape " + shapeText(given->shape)
                    + ", which does not match the model's declared shape");
        }
        *out = *given;
        return Status::ok();
    }
    if (!tensorType.has_shape())
        return Status::error(what + " has no declared shape; give it in OnnxImportOptions");
    Shape shape;
    for (const auto &d : tensorType.shape().dim()) {
        if (!d.has_dim_value())
            return Status::error(what + " has a symbolic dimension"
                + (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string())
                + "; give its shape in OnnxImportOptions");
        if (d.dim_value() < 0)
            return Status::error(what + " has a negative dimension " + std::to_string(d.dim_value()));
        shape.push_back(d.dim_value());
    }
    if (Status s = checkShape(shape); !s)
        return Status::error(what + ": " + s.message());
    *out = { *dtype, shape };
    return Status::ok();
}

Status importModel(const onnx::ModelProto &model, const std::string &name, const OnnxImportOptions &options,
    OnnxModel *out, OnnxImportReport &report)
{
    if (!model.has_graph())
        return Status::error("not a valid ONNX model: " + name + " (no graph)");
    const onnx::GraphProto &g = model.graph();
    std::int64_t opset = 0;
    bool hasDefault = false;
    for (const auto &imp : model.opset_import())
        if (imp.domain().empty() || imp.domain() == "ai.onnx") {
            opset = imp.version();
            hasDefault = true;
        }
    if (!hasDefault)
        opset = 1; // IR version 1 models had no opset_import

    // Erf-form GELU chains become one Gelu, emitted at the chain's last node.
    std::map<int, const FusedGelu *> geluAt;
    std::set<int> absorbed;
    const std::vector<FusedGelu> gelus = findErfGelu(g);
    for (const FusedGelu &f : gelus) {
        bool overlaps = false;
        for (int n : f.nodes)
            overlaps = overlaps || absorbed.count(n);
        if (overlaps)
            continue;
        absorbed.insert(f.nodes.begin(), f.nodes.end());
        geluAt[f.nodes.back()] = &f;
    }

    // Every unknown op, all at once.
    std::vector<std::string> unknown;
    std::set<std::string> opTypes;
    for (int i = 0; i < g.node_size(); ++i) {
        const auto &node = g.node(i);
        if (absorbed.count(i)) {
            opTypes.insert(node.op_type());
            continue;
        }
        const std::string nodeName = node.name().empty() ? "#" + std::to_string(i) : node.name();
        const bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
        const std::string type = defaultDomain ? node.op_type() : node.domain() + "." + node.op_type();
        opTypes.insert(type);
        if (!defaultDomain || !isSupportedOnnxOp(node.op_type()))
            unknown.push_back(type + " (node " + nodeName + ")");
    }
    if (!unknown.empty()) {
        std::string text;
        for (const auto &u : unknown)
            text += (text.empty() ? "" : ", ") + u;
        report.unsupported = unknown;
        return Status::error("unsupported ONNX ops: " + text);
    }

    OnnxModel model2;
    model2.opsetVersion = opset;
    model2.opTypes.assign(opTypes.begin(), opTypes.end());
    OnnxBuilder builder(model2.graph, opset, report);

    std::set<std::string> initializerNames;
    for (int i = 0; i < g.initializer_size(); ++i) {
        const auto &init = g.initializer(i);
        if (init.name().empty())
            return Status::error("initializer " + std::to_string(i) + " has no name");
        if (!initializerNames.insert(init.name()).second)
            return Status::error("initializer '" + init.name() + "' is defined twice");
        HostTensor t;
        bool unsupportedType = false;
        if (Status s = tensorFromProto(init, "initializer '" + init.name() + "'", &t, &unsupportedType); !s) {
            if (unsupportedType)
                report.unsupported.push_back(s.message());
            return s;
        }
        builder.defineConstant(init.name(), std::move(t));
    }
    if (g.sparse_initializer_size() > 0) {
        report.unsupported.push_back("sparse initializers");
        return Status::error("sparse initializers are not supported");
    }
    std::size_t position = 0;
    for (const auto &info : g.input()) {
        if (initializerNames.count(info.name()))
            continue; // an initializer listed as an input (IR < 4): a constant here
        if (info.name().empty())
            return Status::error("graph input " + std::to_string(position) + " has no name");
        if (builder.isDefined(info.name()))
            return Status::error("graph input '" + info.name() + "' is declared twice");
        if (position < options.inputValuesInOrder.size() && options.inputValuesInOrder[position]) {
            builder.defineConstant(info.name(), *options.inputValuesInOrder[position]);
            ++position;
            continue;
        }
        TensorDesc desc;
        if (Status s = inputDesc(info, options, position, report, &desc); !s)
            return s;
        builder.defineValue(info.name(), model2.graph.addInput(info.name(), desc));
        model2.inputNames.push_back(info.name());
        model2.inputPositions.push_back(position);
        ++position;
    }

    for (int i = 0; i < g.node_size(); ++i) {
        const auto &node = g.node(i);
        builder.beginNode(node, i);
        if (auto it = geluAt.find(i); it != geluAt.end()) {
            if (!builder.isDefined(it->second->input))
                return builder.fail("GELU input '" + it->second->input + "' is not defined");
            if (Status s = builder.emit(
                    { OpKind::Gelu, NoAttributes {} }, { it->second->input }, { builder.outputValue(0) });
                !s)
                return s;
            continue;
        }
        if (absorbed.count(i))
            continue;
        for (const auto &input : node.input())
            if (!input.empty() && !builder.isDefined(input))
                return builder.fail("input '" + input
                    + "' is not defined by any graph input, initializer or earlier "
                      "node (nodes must be in topological order)");
        for (const auto &output : node.output())
            if (!output.empty() && builder.isDefined(output))
                return builder.fail("output '" + output + "' is already defined");
        if (Status s = convertOnnxNode(builder); !s)
            return s;
    }

    for (const auto &info : g.output()) {
        ValueId id = kNoValue;
        if (Status s = builder.value(info.name(), &id); !s)
            return Status::error("graph output " + s.message());
        if (Status s = model2.graph.addOutput(id); !s)
            return s;
        model2.outputNames.push_back(info.name());
    }
    if (model2.graph.outputs().empty())
        return Status::error(name + ": the graph has no outputs");
    *out = std::move(model2);
    return Status::ok();
}

} // namespace

Status importOnnxModelFromBytes(std::span<const std::byte> bytes, const std::string &name,
    const OnnxImportOptions &options, OnnxModel *out, OnnxImportReport *report)
{
    OnnxImportReport local;
    OnnxImportReport &r = report ? *report : local;
    r.unsupported.clear();
    onnx::ModelProto model;
    if (bytes.empty() || bytes.size() > std::size_t(std::numeric_limits<int>::max())
        || !model.ParseFromArray(bytes.data(), int(bytes.size())))
        return Status::error("not a valid ONNX model: " + name);
    return importModel(model, name, options, out, r);
}

Status importOnnxModel(
    const std::string &path, const OnnxImportOptions &options, OnnxModel *out, OnnxImportReport *report)
{
    std::vector<std::byte> bytes;
    if (Status s = readFile(path, &bytes); !s)
        return s;
    return importOnnxModelFromBytes(bytes, path, options, out, report);
}

Status loadOnnxTensor(const std::string &path, HostTensor *out, std::string *name)
{
    std::vector<std::byte> bytes;
    if (Status s = readFile(path, &bytes); !s)
        return s;
    onnx::TensorProto proto;
    if (bytes.size() > std::size_t(std::numeric_limits<int>::max())
        || !proto.ParseFromArray(bytes.data(), int(bytes.size())))
        return Status::error("not a valid ONNX tensor: " + path);
    if (name)
        *name = proto.name();
    return tensorFromProto(proto, path, out);
}

} // namespace tributary::engine
