// ONNX import: real models from libonnx-testdata run through the executor against their
// expected outputs, hand-built models for every kind of error, and malformed files
// (truncated, random bytes, empty) that must fail cleanly.

#include "tests/engine/op_check.h"

#include "engine/engine.h"
#include "engine/graph/executor.h"
#include "engine/onnx/onnx_conformance.h"
#include "engine/onnx/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace tributary::engine;
using namespace tributary::engine::test;

namespace {

const std::string kData = TRIBUTARY_ONNX_TESTDATA;

std::string caseDir(const std::string &suiteAndCase)
{
    return kData + "/" + suiteAndCase;
}

bool haveTestData()
{
    return std::filesystem::exists(kData + "/node");
}

std::vector<std::byte> fileBytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

std::vector<std::byte> serialize(const onnx::ModelProto &model)
{
    const std::string text = model.SerializeAsString();
    std::vector<std::byte> bytes(text.size());
    std::memcpy(bytes.data(), text.data(), text.size());
    return bytes;
}

// A model with input x: float[2, 3] and the given nodes; output `output`.
onnx::ModelProto model(const std::vector<onnx::NodeProto> &nodes, const std::string &output, int opset = 13)
{
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto *imp = m.add_opset_import();
    imp->set_domain("");
    imp->set_version(opset);
    auto *g = m.mutable_graph();
    g->set_name("test");
    auto *in = g->add_input();
    in->set_name("x");
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
    tt->mutable_shape()->add_dim()->set_dim_value(3);
    for (const auto &n : nodes)
        *g->add_node() = n;
    g->add_output()->set_name(output);
    return m;
}

onnx::NodeProto node(const std::string &type, const std::string &name, std::vector<std::string> inputs,
    std::vector<std::string> outputs)
{
    onnx::NodeProto n;
    n.set_op_type(type);
    n.set_name(name);
    for (const auto &i : inputs)
        n.add_input(i);
    for (const auto &o : outputs)
        n.add_output(o);
    return n;
}

Status importBytes(const std::vector<std::byte> &bytes, OnnxModel *out, OnnxImportReport *report = nullptr)
{
    return importOnnxModelFromBytes(bytes, "test.onnx", {}, out, report);
}

bool has(const Status &s, const std::string &text)
{
    return !s && s.message().find(text) != std::string::npos;
}

} // namespace

class OnnxImportTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useLavapipeIfUnset();
        m_engine = std::make_unique<Engine>();
        std::string error;
        m_cpu = m_engine->open("cpu:0", &error);
        QVERIFY2(m_cpu, error.c_str());
    }

    // Layout-only test cases run end to end through import, executor and comparison.
    void layoutCasesPass_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : { "node/test_reshape_negative_dim", "node/test_reshape_reordered_all_dims",
                 "node/test_reshape_zero_dim", "node/test_transpose_all_permutations_3",
                 "node/test_transpose_default", "node/test_concat_2d_axis_0",
                 "node/test_concat_3d_axis_negative_1", "node/test_slice", "node/test_slice_neg_steps",
                 "node/test_slice_default_axes", "node/test_flatten_axis0",
                 "node/test_flatten_negative_axis1", "node/test_identity",
                 "pytorch-operator/test_operator_flatten", "pytorch-operator/test_operator_view" })
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void layoutCasesPass()
    {
        if (!haveTestData())
            QSKIP("libonnx-testdata is not installed");
        QFETCH(QString, name);
        const std::string dir = caseDir(name.toStdString());
        if (!std::filesystem::exists(dir))
            QSKIP("case not in this version of the test data");
        ConformanceCase result;
        runConformanceCase(dir, { m_cpu.get() }, {}, &result);
        QCOMPARE(result.results.size(), std::size_t(1));
        const auto &r = result.results[0];
        QVERIFY2(r.outcome == ConformanceOutcome::Pass,
            (std::string(conformanceOutcomeName(r.outcome)) + ": " + r.detail).c_str());
    }

    void importsRealModels()
    {
        if (!haveTestData())
            QSKIP("libonnx-testdata is not installed");
        OnnxModel m;
        OnnxImportReport report;
        Status s = importOnnxModel(caseDir("simple/test_single_relu_model/model.onnx"), {}, &m, &report);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(m.graph.nodes().size(), std::size_t(1));
        QCOMPARE(m.graph.nodes()[0].op.kind, OpKind::Relu);
        QCOMPARE(m.inputNames.size(), std::size_t(1));

        // A convolution network with initializers, batch norm and pooling.
        s = importOnnxModel(caseDir("pytorch-converted/test_Conv2d/model.onnx"), {}, &m, &report);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(!m.graph.constants().empty());
        QCOMPARE(m.graph.nodes().back().op.kind, OpKind::Conv2d);

        // Reading test data.
        HostTensor t;
        s = loadOnnxTensor(caseDir("node/test_relu/test_data_set_0/input_0.pb"), &t);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(t.dtype, DType::F32);
        QCOMPARE(t.shape, (Shape { 3, 4, 5 }));
    }

    void unsupportedOpsAreAllListed()
    {
        const auto m = model({ node("Relu", "n1", { "x" }, { "a" }), node("Foo", "n3", { "a" }, { "b" }),
                                 node("Relu", "n5", { "b" }, { "c" }), node("Bar", "n7", { "c" }, { "d" }) },
            "d");
        OnnxModel out;
        OnnxImportReport report;
        const Status s = importBytes(serialize(m), &out, &report);
        QVERIFY(!s);
        QCOMPARE(QString::fromStdString(s.message()),
            QString("unsupported ONNX ops: Foo (node n3), Bar (node n7)"));
        QCOMPARE(report.unsupported.size(), std::size_t(2));
        if (haveTestData()) {
            const Status t = importOnnxModel(caseDir("node/test_abs/model.onnx"), {}, &out, &report);
            QVERIFY2(has(t, "unsupported ONNX ops: Abs (node"), t.message().c_str());
        }
    }

    void preciseErrors()
    {
        OnnxModel out;
        // An input that nothing defines (a missing initializer).
        Status s
            = importBytes(serialize(model({ node("Add", "add1", { "x", "bias" }, { "y" }) }, "y")), &out);
        QVERIFY2(has(s, "node add1 (Add): input 'bias' is not defined"), s.message().c_str());

        // An attribute of the wrong type.
        auto t = node("Transpose", "tr", { "x" }, { "y" });
        auto *perm = t.add_attribute();
        perm->set_name("perm");
        perm->set_type(onnx::AttributeProto_AttributeType_FLOATS);
        perm->add_floats(1.0f);
        s = importBytes(serialize(model({ t }, "y")), &out);
        QVERIFY2(has(s, "node tr (Transpose): attribute 'perm' must be a list of ints, got floats"),
            s.message().c_str());

        // A bad attribute value: caught by shape inference, naming the node.
        perm->set_type(onnx::AttributeProto_AttributeType_INTS);
        perm->clear_floats();
        perm->add_ints(0);
        perm->add_ints(0);
        s = importBytes(serialize(model({ t }, "y")), &out);
        QVERIFY2(
            has(s, "node tr (Transpose)") && has(s, "perm [0, 0] is not a permutation"), s.message().c_str());

        // Reshape from a shape computed at run time is unsupported, and says so.
        OnnxImportReport report;
        s = importBytes(
            serialize(model(
                { node("Relu", "r", { "x" }, { "s" }), node("Reshape", "rs", { "x", "s" }, { "y" }) }, "y")),
            &out, &report);
        QVERIFY2(has(s, "node rs (Reshape): shape 's' is computed at run time"), s.message().c_str());
        QCOMPARE(report.unsupported.size(), std::size_t(1));
    }

    void reshapeResolution()
    {
        OnnxModel out;
        auto c = node("Constant", "shape", {}, { "shape" });
        auto *value = c.add_attribute();
        value->set_name("value_ints");
        value->set_type(onnx::AttributeProto_AttributeType_INTS);
        value->add_ints(-1);
        value->add_ints(0);
        const Status s = importBytes(serialize(model({ c, node("Transpose", "t", { "x" }, { "xt" }),
                                                         node("Reshape", "rs", { "xt", "shape" }, { "y" }) },
                                         "y")),
            &out);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(out.graph.desc(out.graph.outputs()[0])->shape, (Shape { 3, 2 }));
    }

    void erfGeluIsFused()
    {
        auto scalar = [](const std::string &name, float v) {
            auto c = node("Constant", name, {}, { name });
            auto *a = c.add_attribute();
            a->set_name("value");
            a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
            a->mutable_t()->set_data_type(onnx::TensorProto_DataType_FLOAT);
            a->mutable_t()->add_float_data(v);
            return c;
        };
        // PyTorch's export of nn.GELU(): 0.5 · x · (1 + erf(x / √2)), in both Mul orders.
        for (bool halfFirst : { false, true }) {
            std::vector<onnx::NodeProto> nodes = { scalar("sqrt2", 1.4142135f), scalar("one", 1.0f),
                scalar("half", 0.5f), node("Div", "div", { "x", "sqrt2" }, { "d" }),
                node("Erf", "erf", { "d" }, { "e" }), node("Add", "add", { "e", "one" }, { "a" }) };
            if (halfFirst) {
                nodes.push_back(node("Mul", "half_x", { "x", "half" }, { "h" }));
                nodes.push_back(node("Mul", "gelu_out", { "h", "a" }, { "y" }));
            } else {
                nodes.push_back(node("Mul", "mul", { "x", "a" }, { "m" }));
                nodes.push_back(node("Mul", "gelu_out", { "m", "half" }, { "y" }));
            }
            OnnxModel out;
            const Status s = importBytes(serialize(model(nodes, "y")), &out);
            QVERIFY2(s.isOk(), s.message().c_str());
            QCOMPARE(out.graph.nodes().size(), std::size_t(1));
            QCOMPARE(out.graph.nodes()[0].op.kind, OpKind::Gelu);
            if (!m_cpu->supports(OpKind::Gelu))
                continue;
            std::unique_ptr<Executor> exec;
            QVERIFY(Executor::create(out.graph, *m_cpu, &exec));
            const HostTensor x = randomTensor({ 2, 3 }, 5, 3.0f);
            std::vector<HostTensor> y;
            QVERIFY(exec->run({ x }, &y));
            for (std::size_t i = 0; i < 6; ++i) {
                const double v = x.f32()[i];
                const double want = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
                QVERIFY(std::fabs(double(y[0].f32()[i]) - want) <= 1e-6 + 1e-5 * std::fabs(want));
            }
        }
        // Erf used elsewhere too: not fused, so Erf is reported unsupported.
        OnnxModel out;
        const Status s
            = importBytes(serialize(model({ node("Erf", "lonely", { "x" }, { "y" }) }, "y")), &out);
        QVERIFY2(has(s, "unsupported ONNX ops: Erf (node lonely)"), s.message().c_str());
    }

    void malformedFiles()
    {
        OnnxModel out;
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string base = tmp.path().toStdString();

        // Empty file.
        const std::string empty = base + "/empty.onnx";
        std::ofstream(empty, std::ios::binary).close();
        Status s = importOnnxModel(empty, {}, &out);
        QCOMPARE(
            QString::fromStdString(s.message()), QString::fromStdString("not a valid ONNX model: " + empty));

        // Missing file.
        s = importOnnxModel(base + "/missing.onnx", {}, &out);
        QVERIFY2(has(s, "cannot open"), s.message().c_str());

        // Random bytes, many seeds: never a crash, always an error.
        for (std::uint64_t seed = 1; seed <= 200; ++seed) {
            const HostTensor noise = randomTensor({ std::int64_t(16 + seed % 200) }, seed);
            std::vector<std::byte> bytes(noise.data.begin() + std::ptrdiff_t(seed % 3), noise.data.end());
            s = importOnnxModelFromBytes(bytes, "random.onnx", {}, &out);
            QVERIFY(!s);
        }

        // Truncations of a real model, at half and at every 7th byte: errors, no crash.
        std::vector<std::byte> full = serialize(
            model({ node("Relu", "n1", { "x" }, { "a" }), node("Transpose", "n2", { "a" }, { "b" }) }, "b"));
        if (haveTestData())
            full = fileBytes(caseDir("pytorch-converted/test_Conv2d/model.onnx"));
        const std::string half = base + "/half.onnx";
        {
            std::ofstream f(half, std::ios::binary);
            f.write(reinterpret_cast<const char *>(full.data()), std::streamsize(full.size() / 2));
        }
        s = importOnnxModel(half, {}, &out);
        QVERIFY2(has(s, "not a valid ONNX model: " + half), s.message().c_str());
        for (std::size_t n = 0; n < full.size(); n += 7) {
            const std::vector<std::byte> part(full.begin(), full.begin() + std::ptrdiff_t(n));
            s = importOnnxModelFromBytes(part, "part.onnx", {}, &out);
            QVERIFY2(!s, std::to_string(n).c_str());
        }
        // Test data that is not a tensor of a supported type.
        HostTensor t;
        s = loadOnnxTensor(half, &t);
        QVERIFY(!s);
    }

    // Corrupted bytes of real models (conv nets, reshapes, slices, softmax): the importer
    // and shape inference must reject or accept them, never crash.
    void corruptedModelsNeverCrash()
    {
        if (!haveTestData())
            QSKIP("libonnx-testdata is not installed");
        const char *models[] = { "pytorch-converted/test_Conv2d_groups", "node/test_reshape_negative_dim",
            "node/test_slice_neg_steps", "pytorch-converted/test_Softmax",
            "node/test_layer_normalization_4d_axis1", "node/test_maxpool_2d_pads",
            "node/test_gemm_all_attributes", "pytorch-operator/test_operator_view" };
        std::uint64_t state = 0x9e3779b97f4a7c15ull;
        auto next = [&]() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        // TRIBUTARY_ONNX_FUZZ_ROUNDS raises the count for a longer run (under ASan, say).
        const int rounds = qEnvironmentVariableIsSet("TRIBUTARY_ONNX_FUZZ_ROUNDS")
            ? qEnvironmentVariableIntValue("TRIBUTARY_ONNX_FUZZ_ROUNDS")
            : 300;
        int accepted = 0;
        for (const char *name : models) {
            const std::vector<std::byte> original = fileBytes(caseDir(name) + "/model.onnx");
            QVERIFY(!original.empty());
            for (int round = 0; round < rounds; ++round) {
                std::vector<std::byte> bytes = original;
                const int flips = 1 + int(next() % 4);
                for (int f = 0; f < flips; ++f)
                    bytes[next() % bytes.size()] = std::byte(next() & 0xff);
                OnnxModel out;
                if (!importOnnxModelFromBytes(bytes, name, {}, &out).isOk())
                    continue;
                ++accepted;
                // What imports must also run (or fail cleanly) on the CPU.
                std::unique_ptr<Executor> exec;
                if (!Executor::create(out.graph, *m_cpu, &exec).isOk())
                    continue;
                std::vector<HostTensor> inputs;
                for (ValueId id : out.graph.inputs())
                    inputs.push_back(HostTensor::zeros(out.graph.desc(id)->dtype, out.graph.desc(id)->shape));
                std::vector<HostTensor> outputs;
                (void)exec->run(inputs, &outputs);
            }
        }
        qInfo("%d of %d corrupted models still imported", accepted, int(std::size(models)) * rounds);
    }

    void cleanupTestCase()
    {
        m_cpu.reset();
        m_engine.reset();
    }

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_cpu;
};

QTEST_GUILESS_MAIN(OnnxImportTest)
#include "onnx_import_test.moc"
