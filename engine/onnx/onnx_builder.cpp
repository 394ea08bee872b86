#include "engine/onnx/onnx_builder.h"

namespace tributary::engine {

namespace {

std::string attributeTypeName(int type)
{
    if (!onnx::AttributeProto_AttributeType_IsValid(type))
        return "type " + std::to_string(type);
    std::string name = onnx::AttributeProto_AttributeType_Name(onnx::AttributeProto_AttributeType(type));
    for (char &c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

} // namespace

const HostTensor *OnnxBuilder::constant(const std::string &name) const
{
    auto it = m_constants.find(name);
    return it == m_constants.end() ? nullptr : &it->second;
}

Status OnnxBuilder::value(const std::string &name, ValueId *out)
{
    if (auto it = m_values.find(name); it != m_values.end()) {
        *out = it->second;
        return Status::ok();
    }
    if (auto it = m_constants.find(name); it != m_constants.end()) {
        const ValueId id = m_graph.addConstant(name, it->second);
        m_values[name] = id;
        *out = id;
        return Status::ok();
    }
    return Status::error("'" + name + "' is not defined by any graph input, initializer or earlier node");
}

const TensorDesc *OnnxBuilder::desc(const std::string &name)
{
    if (auto it = m_values.find(name); it != m_values.end())
        return m_graph.desc(it->second);
    if (auto it = m_constants.find(name); it != m_constants.end()) {
        ValueId id = kNoValue;
        (void)value(name, &id);
        return m_graph.desc(id);
    }
    return nullptr;
}

void OnnxBuilder::beginNode(const onnx::NodeProto &node, int index)
{
    m_node = &node;
    m_nodeIndex = index;
    m_emitted = 0;
}

std::string OnnxBuilder::label() const
{
    const std::string name = m_node->name().empty() ? "#" + std::to_string(m_nodeIndex) : m_node->name();
    return "node " + name + " (" + m_node->op_type() + ")";
}

std::string OnnxBuilder::input(int i) const
{
    return i < m_node->input_size() ? m_node->input(i) : std::string();
}

std::string OnnxBuilder::output(int i) const
{
    return i < m_node->output_size() ? m_node->output(i) : std::string();
}

Status OnnxBuilder::fail(const std::string &why) const
{
    return Status::error(label() + ": " + why);
}

Status OnnxBuilder::unsupported(const std::string &why)
{
    const std::string name = m_node->name().empty() ? "#" + std::to_string(m_nodeIndex) : m_node->name();
    m_report.unsupported.push_back(m_node->op_type() + " (node " + name + "): " + why);
    return Status::error("unsupported ONNX " + label() + ": " + why);
}

Status OnnxBuilder::requireF32(std::initializer_list<int> inputs)
{
    for (int i : inputs) {
        const std::string name = input(i);
        if (name.empty())
            continue;
        const TensorDesc *d = desc(name);
        if (d && d->dtype != DType::F32)
            return unsupported("input " + std::to_string(i) + " '" + name + "' is "
                + std::string(dtypeName(d->dtype)) + "; this op computes in f32 only");
    }
    return Status::ok();
}

ValueId OnnxBuilder::outputValue(int i)
{
    const ValueId id = m_graph.addValue(output(i));
    m_values[output(i)] = id;
    return id;
}

ValueId OnnxBuilder::tempValue(const std::string &suffix)
{
    const std::string base = m_node->name().empty() ? "#" + std::to_string(m_nodeIndex) : m_node->name();
    return m_graph.addValue(base + "/" + suffix);
}

Status OnnxBuilder::emit(
    const Op &op, const std::vector<std::string> &inputs, const std::vector<ValueId> &outputs)
{
    std::vector<ValueId> ids;
    for (const std::string &name : inputs) {
        if (name.empty()) {
            ids.push_back(kNoValue);
            continue;
        }
        ValueId id = kNoValue;
        if (Status s = value(name, &id); !s)
            return fail(s.message());
        ids.push_back(id);
    }
    return emitIds(op, ids, outputs);
}

Status OnnxBuilder::emitIds(
    const Op &op, const std::vector<ValueId> &inputs, const std::vector<ValueId> &outputs)
{
    const std::string base = m_node->name().empty() ? "#" + std::to_string(m_nodeIndex) : m_node->name();
    const std::string name = m_emitted++ == 0 ? base : base + "/" + std::to_string(m_emitted - 1);
    if (Status s = m_graph.addNode(name, op, inputs, outputs); !s)
        return Status::error("ONNX " + label() + " -> engine " + s.message());
    return Status::ok();
}

const onnx::AttributeProto *OnnxBuilder::attribute(const std::string &name) const
{
    for (const auto &a : m_node->attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

Status OnnxBuilder::intAttr(const std::string &name, std::int64_t fallback, std::int64_t *out) const
{
    const auto *a = attribute(name);
    if (!a) {
        *out = fallback;
        return Status::ok();
    }
    if (a->type() != onnx::AttributeProto_AttributeType_INT)
        return fail("attribute '" + name + "' must be an int, got " + attributeTypeName(a->type()));
    *out = a->i();
    return Status::ok();
}

Status OnnxBuilder::floatAttr(const std::string &name, float fallback, float *out) const
{
    const auto *a = attribute(name);
    if (!a) {
        *out = fallback;
        return Status::ok();
    }
    if (a->type() != onnx::AttributeProto_AttributeType_FLOAT)
        return fail("attribute '" + name + "' must be a float, got " + attributeTypeName(a->type()));
    *out = a->f();
    return Status::ok();
}

Status OnnxBuilder::stringAttr(const std::string &name, const std::string &fallback, std::string *out) const
{
    const auto *a = attribute(name);
    if (!a) {
        *out = fallback;
        return Status::ok();
    }
    if (a->type() != onnx::AttributeProto_AttributeType_STRING)
        return fail("attribute '" + name + "' must be a string, got " + attributeTypeName(a->type()));
    *out = a->s();
    return Status::ok();
}

Status OnnxBuilder::intsAttr(const std::string &name, std::vector<std::int64_t> *out, bool *present) const
{
    const auto *a = attribute(name);
    if (present)
        *present = a != nullptr;
    out->clear();
    if (!a)
        return Status::ok();
    if (a->type() != onnx::AttributeProto_AttributeType_INTS)
        return fail("attribute '" + name + "' must be a list of ints, got " + attributeTypeName(a->type()));
    out->assign(a->ints().begin(), a->ints().end());
    return Status::ok();
}

Status OnnxBuilder::constantInts(int i, const char *what, std::vector<std::int64_t> *out, bool *present)
{
    out->clear();
    const std::string name = input(i);
    *present = !name.empty();
    if (name.empty())
        return Status::ok();
    const HostTensor *t = constant(name);
    if (!t) {
        if (!isDefined(name))
            return fail(std::string(what) + " '" + name + "' is not defined");
        return unsupported(std::string(what) + " '" + name
            + "' is computed at run time; only constants (initializers, Constant) are supported");
    }
    if (t->shape.size() > 1)
        return fail(std::string(what) + " '" + name + "' must be 1-D, got " + shapeText(t->shape));
    if (t->dtype == DType::I64)
        out->assign(t->i64().begin(), t->i64().end());
    else if (t->dtype == DType::I32)
        out->assign(t->i32().begin(), t->i32().end());
    else
        return fail(std::string(what) + " '" + name + "' must be int32 or int64, got "
            + std::string(dtypeName(t->dtype)));
    return Status::ok();
}

} // namespace tributary::engine
