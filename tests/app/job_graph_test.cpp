// The studio's job graph model: edits and their undo, connection rules, signals, copy and
// paste, the .tjob format and validation.
#include "app/studio/graph_validation.h"
#include "app/studio/job_graph.h"
#include "app/studio/job_graph_json.h"
#include "app/studio/node_catalog.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary::studio;

namespace {

// dataset → mlp → train, the smallest graph that compiles.
struct Basic {
    QString dataset, mlp, train;
};

Basic buildBasic(JobGraph &graph)
{
    Basic ids;
    ids.dataset = graph.addNode("dataset", QPointF(0, 0));
    ids.mlp = graph.addNode("mlp", QPointF(0, 200));
    ids.train = graph.addNode("train", QPointF(300, 100));
    [&] {
        QVERIFY(graph.connectPorts(ids.dataset, "train", ids.train, "train"));
        QVERIFY(graph.connectPorts(ids.dataset, "test", ids.train, "test"));
        QVERIFY(graph.connectPorts(ids.mlp, "model", ids.train, "model"));
    }();
    return ids;
}

bool hasProblem(const ValidationReport &report, const QString &nodeId, const QString &fragment,
    GraphProblem::Severity severity = GraphProblem::Severity::Error)
{
    for (const GraphProblem &problem : report.forNode(nodeId))
        if (problem.severity == severity && problem.message.contains(fragment))
            return true;
    return false;
}

} // namespace

class JobGraphTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void catalogDescribesKinds();
    void addNodeFillsDefaultsAndFreshIds();
    void addUnknownKindFails();
    void removeAndRestore();
    void parameterEditsAreReversible();
    void connectRefusals();
    void cycleIsRefused();
    void signalsForEveryChange();
    void copyPasteGivesFreshIds();
    void pasteRefusesWithoutAddingAnything();
    void jsonRoundTripIsByteIdentical();
    void loadRefusals_data();
    void loadRefusals();
    void validationReportsProblems();
    void validationOfFilesAndModels();
};

void JobGraphTest::catalogDescribesKinds()
{
    NodeCatalog catalog;
    const QStringList ids { "dataset", "mlp", "train", "sweep", "distributed-train", "batch-inference", "evaluate", "export" };
    for (const QString &id : ids)
        QVERIFY2(catalog.kind(id), qPrintable(id));
    QCOMPARE(catalog.kinds().size(), ids.size());
    QCOMPARE(catalog.kind("mlp")->title, QString("MLP model"));
    QCOMPARE(catalog.kind("export")->input("value")->accepts,
        PortTypes({ PortType::Tensor, PortType::Model, PortType::Metrics }));
    QVERIFY(!catalog.kind("train")->input("test")->required);
    QCOMPARE(catalog.kind("distributed-train")->parameter("outer")->defaultValue.toString(), QString("nesterov"));
    QCOMPARE(catalog.search("diloco").size(), 1);
    QCOMPARE(catalog.search("diloco").first()->id, QString("distributed-train"));
    QCOMPARE(catalog.search("").size(), ids.size());
    QCOMPARE(portTypeColor(PortType::Model).size(), 7);
    QVERIFY(portTypeColor(PortType::Model).startsWith('#'));
    QVERIFY(portTypeColor(PortType::Model) != portTypeColor(PortType::Dataset));
}

void JobGraphTest::addNodeFillsDefaultsAndFreshIds()
{
    JobGraph graph;
    const QString a = graph.addNode("train", QPointF(10, 20));
    const QString b = graph.addNode("mlp", QPointF(0, 0));
    QCOMPARE(a, QString("n1"));
    QCOMPARE(b, QString("n2"));
    const GraphNode *train = graph.node(a);
    QCOMPARE(train->position, QPointF(10, 20));
    QCOMPARE(train->title, QString("Train"));
    QCOMPARE(train->parameters.value("learningRate").toDouble(), 0.05);
    QCOMPARE(train->parameters.value("steps").toLongLong(), 1000);
    QCOMPARE(train->parameters.value("checkpointEvery").toLongLong(), 200);
    // Removed ids are never handed out again.
    graph.removeNode(b);
    QCOMPARE(graph.addNode("mlp", QPointF()), QString("n3"));
    // A redo passes its id back; one in use is refused.
    QCOMPARE(graph.addNode("mlp", QPointF(), "n2"), QString("n2"));
    QString error;
    QVERIFY(graph.addNode("mlp", QPointF(), "n2", &error).isEmpty());
    QVERIFY2(error.contains("already exists"), qPrintable(error));
}

void JobGraphTest::addUnknownKindFails()
{
    JobGraph graph;
    QSignalSpy added(&graph, &JobGraph::nodeAdded);
    QString error;
    QVERIFY(graph.addNode("transformer", QPointF(), {}, &error).isEmpty());
    QCOMPARE(error, QString("unknown node kind \"transformer\""));
    QCOMPARE(added.count(), 0);
    QVERIFY(graph.nodes().isEmpty());
}

void JobGraphTest::removeAndRestore()
{
    JobGraph graph;
    const Basic ids = buildBasic(graph);
    const QString evaluate = graph.addNode("evaluate", QPointF(600, 0));
    QVERIFY(graph.connectPorts(ids.train, "model", evaluate, "model"));
    const QList<GraphNode> nodesBefore = graph.nodes();
    const QList<GraphEdge> edgesBefore = graph.edges();

    const NodeSnapshot snapshot = graph.removeNode(ids.train);
    QCOMPARE(snapshot.node.id, ids.train);
    QCOMPARE(snapshot.edges.size(), 4); // three in, one out
    QCOMPARE(graph.nodes().size(), 3);
    QVERIFY(graph.edges().isEmpty());
    QVERIFY(!graph.node(ids.train));

    QString error;
    QVERIFY2(graph.restoreNode(snapshot, &error), qPrintable(error));
    QCOMPARE(graph.nodes().size(), nodesBefore.size());
    for (qsizetype i = 0; i < nodesBefore.size(); ++i) {
        QCOMPARE(graph.nodes()[i].id, nodesBefore[i].id);
        QCOMPARE(graph.nodes()[i].parameters, nodesBefore[i].parameters);
    }
    for (const GraphEdge &edge : edgesBefore)
        QVERIFY(graph.edges().contains(edge));
    QCOMPARE(graph.edges().size(), edgesBefore.size());
    // Twice is refused: the id is back in use.
    QVERIFY(!graph.restoreNode(snapshot, &error));
    QVERIFY2(error.contains("already exists"), qPrintable(error));
    // An unknown id gives an empty snapshot.
    QVERIFY(graph.removeNode("n99").node.id.isEmpty());
}

void JobGraphTest::parameterEditsAreReversible()
{
    JobGraph graph;
    const QString train = graph.addNode("train", QPointF());
    QVariant old;
    QVERIFY(graph.setParameter(train, "learningRate", 0.1, &old));
    QCOMPARE(old.toDouble(), 0.05);
    QCOMPARE(graph.node(train)->parameters.value("learningRate").toDouble(), 0.1);
    QVERIFY(graph.setParameter(train, "learningRate", old));
    QCOMPARE(graph.node(train)->parameters.value("learningRate").toDouble(), 0.05);
    // Text from a line edit is converted; a word for a number is refused.
    QVERIFY(graph.setParameter(train, "batchSize", QString("128")));
    QCOMPARE(graph.node(train)->parameters.value("batchSize").metaType().id(), QMetaType::LongLong);
    QCOMPARE(graph.node(train)->parameters.value("batchSize").toLongLong(), 128);
    QString error;
    QVERIFY(!graph.setParameter(train, "batchSize", QString("many"), nullptr, &error));
    QVERIFY2(error.contains("batchSize") && error.contains("whole number"), qPrintable(error));
    QVERIFY(!graph.setParameter(train, "optimizer", QString("lion"), nullptr, &error));
    QVERIFY2(error.contains("\"lion\" is not one of sgd, adamw"), qPrintable(error));
    QVERIFY(!graph.setParameter(train, "colour", QString("red"), nullptr, &error));
    QVERIFY2(error.contains("no parameter 'colour'"), qPrintable(error));
    QVERIFY(!graph.setParameter("n42", "steps", 5, nullptr, &error));
    QVERIFY2(error.contains("n42"), qPrintable(error));

    QPointF oldPosition;
    QVERIFY(graph.moveNode(train, QPointF(5, 6), &oldPosition));
    QCOMPARE(oldPosition, QPointF());
    QString oldTitle;
    QVERIFY(graph.setTitle(train, "Baseline", &oldTitle));
    QCOMPARE(oldTitle, QString("Train"));
}

void JobGraphTest::connectRefusals()
{
    JobGraph graph;
    const QString dataset = graph.addNode("dataset", QPointF());
    const QString mlp = graph.addNode("mlp", QPointF());
    const QString mlp2 = graph.addNode("mlp", QPointF());
    const QString train = graph.addNode("train", QPointF());
    QString error;

    QVERIFY(!graph.connectPorts("n9", "model", train, "model", &error));
    QCOMPARE(error, QString("no node \"n9\" to connect from"));
    QVERIFY(!graph.connectPorts(mlp, "model", "n9", "model", &error));
    QCOMPARE(error, QString("no node \"n9\" to connect to"));
    QVERIFY(!graph.connectPorts(mlp, "weights", train, "model", &error));
    QCOMPARE(error, QString("n2 (MLP model) has no output \"weights\""));
    QVERIFY(!graph.connectPorts(mlp, "model", train, "net", &error));
    QCOMPARE(error, QString("n4 (Train) has no input \"net\""));
    QVERIFY(!graph.connectPorts(mlp, "model", train, "train", &error));
    QCOMPARE(error, QString("Model output cannot connect to a Dataset input"));
    QVERIFY(!graph.connectPorts(train, "model", train, "model", &error));
    QCOMPARE(error, QString("n4 cannot connect to itself"));

    QVERIFY(graph.connectPorts(mlp, "model", train, "model", &error));
    QVERIFY(!graph.connectPorts(mlp2, "model", train, "model", &error));
    QCOMPARE(error, QString("input \"model\" of n4 is already connected (from n2.model)"));
    // An output may feed several inputs.
    QVERIFY(graph.connectPorts(dataset, "train", train, "train", &error));
    QVERIFY(graph.connectPorts(dataset, "train", train, "test", &error));
    QCOMPARE(graph.edges().size(), 3);
    QVERIFY(graph.disconnectPorts(GraphEdge { dataset, "train", train, "test" }));
    QVERIFY(!graph.disconnectPorts(GraphEdge { dataset, "train", train, "test" }));
    QCOMPARE(graph.edges().size(), 2);
}

void JobGraphTest::cycleIsRefused()
{
    JobGraph graph;
    const QString a = graph.addNode("train", QPointF());
    const QString b = graph.addNode("sweep", QPointF());
    const QString c = graph.addNode("distributed-train", QPointF());
    QVERIFY(graph.connectPorts(a, "model", b, "model"));
    QVERIFY(graph.connectPorts(b, "model", c, "model"));
    QString error;
    QVERIFY(!graph.connectPorts(c, "model", a, "model", &error));
    QVERIFY2(error.contains("cycle"), qPrintable(error));
    QCOMPARE(graph.edges().size(), 2);
}

void JobGraphTest::signalsForEveryChange()
{
    JobGraph graph;
    QSignalSpy added(&graph, &JobGraph::nodeAdded);
    QSignalSpy removed(&graph, &JobGraph::nodeRemoved);
    QSignalSpy moved(&graph, &JobGraph::nodeMoved);
    QSignalSpy parameter(&graph, &JobGraph::parameterChanged);
    QSignalSpy edgeAdded(&graph, &JobGraph::edgeAdded);
    QSignalSpy edgeRemoved(&graph, &JobGraph::edgeRemoved);
    QSignalSpy renamed(&graph, &JobGraph::nameChanged);
    QSignalSpy retitled(&graph, &JobGraph::titleChanged);
    QSignalSpy reset(&graph, &JobGraph::reset);

    graph.setName("experiment");
    QCOMPARE(renamed.count(), 1);
    const Basic ids = buildBasic(graph);
    QCOMPARE(added.count(), 3);
    QCOMPARE(added.at(2).at(0).toString(), ids.train);
    QCOMPARE(edgeAdded.count(), 3);
    const GraphEdge first = edgeAdded.at(0).at(0).value<GraphEdge>();
    QCOMPARE(first, (GraphEdge { ids.dataset, "train", ids.train, "train" }));

    graph.moveNode(ids.mlp, QPointF(1, 2));
    QCOMPARE(moved.count(), 1);
    QCOMPARE(moved.at(0).at(1).toPointF(), QPointF(1, 2));
    graph.moveNode(ids.mlp, QPointF(1, 2)); // no change, no signal
    QCOMPARE(moved.count(), 1);

    graph.setParameter(ids.train, "steps", 500);
    QCOMPARE(parameter.count(), 1);
    QCOMPARE(parameter.at(0).at(1).toString(), QString("steps"));
    QCOMPARE(parameter.at(0).at(2).toLongLong(), 500);
    graph.setParameter(ids.train, "steps", 500);
    QCOMPARE(parameter.count(), 1);
    graph.setTitle(ids.train, "Long run");
    QCOMPARE(retitled.count(), 1);

    const NodeSnapshot snapshot = graph.removeNode(ids.train);
    QCOMPARE(edgeRemoved.count(), 3);
    QCOMPARE(removed.count(), 1);
    graph.restoreNode(snapshot);
    QCOMPARE(added.count(), 4);
    QCOMPARE(edgeAdded.count(), 6);
    graph.disconnectPorts(snapshot.edges.first());
    QCOMPARE(edgeRemoved.count(), 4);

    QVERIFY(loadJobGraph(saveJobGraph(graph), &graph, nullptr));
    QCOMPARE(reset.count(), 1);
}

void JobGraphTest::copyPasteGivesFreshIds()
{
    JobGraph graph;
    const Basic ids = buildBasic(graph);
    graph.setParameter(ids.train, "learningRate", 0.2);
    graph.setTitle(ids.train, "Fast");
    const QByteArray clipboard = copyNodes(graph, { ids.mlp, ids.train });
    QString error;
    const QStringList pasted = pasteNodes(&graph, clipboard, QPointF(40, 30), &error);
    QVERIFY2(pasted.size() == 2, qPrintable(error));
    QCOMPARE(pasted, QStringList({ "n4", "n5" }));
    const GraphNode *mlp = graph.node(pasted[0]);
    const GraphNode *train = graph.node(pasted[1]);
    QCOMPARE(mlp->kind, QString("mlp"));
    QCOMPARE(mlp->position, graph.node(ids.mlp)->position + QPointF(40, 30));
    QCOMPARE(train->title, QString("Fast"));
    QCOMPARE(train->parameters, graph.node(ids.train)->parameters);
    // Only the edge among the copied nodes comes along, rewired to the new ids.
    QCOMPARE(graph.edges().size(), 4);
    QVERIFY(graph.edges().contains(GraphEdge { pasted[0], "model", pasted[1], "model" }));
    QVERIFY(!graph.edgeInto(pasted[1], "train"));
}

void JobGraphTest::pasteRefusesWithoutAddingAnything()
{
    JobGraph graph;
    buildBasic(graph);
    const QByteArray before = saveJobGraph(graph);
    QString error;
    QVERIFY(pasteNodes(&graph, "not json", QPointF(), &error).isEmpty());
    QVERIFY2(error.startsWith("cannot paste: not JSON"), qPrintable(error));
    // A hand-made copy whose edge the types refuse: the node it had added is taken back.
    const QByteArray bad = R"({"format": "tributary-job-nodes", "version": 1,
        "nodes": [{"id": "a", "kind": "mlp", "position": [0, 0]}, {"id": "b", "kind": "train", "position": [0, 0]}],
        "edges": [{"from": "a", "output": "model", "to": "b", "input": "train"}]})";
    QVERIFY(pasteNodes(&graph, bad, QPointF(), &error).isEmpty());
    QVERIFY2(error.contains("Model output cannot connect to a Dataset input"), qPrintable(error));
    QCOMPARE(saveJobGraph(graph), before);
}

void JobGraphTest::jsonRoundTripIsByteIdentical()
{
    JobGraph graph;
    graph.setName("Fashion baseline");
    const Basic ids = buildBasic(graph);
    graph.setParameter(ids.dataset, "limit", 5000);
    graph.setParameter(ids.dataset, "testFraction", 0.125);
    graph.setParameter(ids.mlp, "hidden", "256,128");
    graph.setParameter(ids.train, "learningRate", 0.03);
    graph.setParameter(ids.train, "weightDecay", 0.0);
    graph.moveNode(ids.train, QPointF(312.5, -40.25));
    graph.setTitle(ids.mlp, "Wide MLP");
    const QString exporter = graph.addNode("export", QPointF(900, 0));
    graph.setParameter(exporter, "path", "/tmp/metrics.csv");
    QVERIFY(graph.connectPorts(ids.train, "metrics", exporter, "value"));

    const QByteArray saved = saveJobGraph(graph);
    const QJsonObject object = QJsonDocument::fromJson(saved).object();
    QCOMPARE(object.value("format").toString(), QString("tributary-job"));
    QCOMPARE(object.value("version").toInt(), 1);

    JobGraph loaded;
    QString error;
    QVERIFY2(loadJobGraph(saved, &loaded, &error), qPrintable(error));
    QCOMPARE(saveJobGraph(loaded), saved);
    QCOMPARE(loaded.name(), QString("Fashion baseline"));
    QCOMPARE(loaded.node(ids.train)->position, QPointF(312.5, -40.25));
    QCOMPARE(loaded.node(ids.mlp)->title, QString("Wide MLP"));
    QCOMPARE(loaded.node(ids.dataset)->parameters, graph.node(ids.dataset)->parameters);
    // Fresh ids carry on after the loaded ones.
    QCOMPARE(loaded.addNode("mlp", QPointF()), QString("n5"));
}

void JobGraphTest::loadRefusals_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    const auto file = [](const QByteArray &nodes, const QByteArray &edges = "[]") {
        return QByteArray(R"({"format": "tributary-job", "version": 1, "name": "x", "nodes": )") + nodes
            + R"(, "edges": )" + edges + "}";
    };
    const QByteArray twoNodes = R"([{"id": "n1", "kind": "mlp", "position": [0, 0]},
                                    {"id": "n2", "kind": "train", "position": [0, 0]}])";
    QTest::newRow("not json") << QByteArray("{\"format\": ") << "not JSON:";
    QTest::newRow("parse offset") << QByteArray("{\"format\" 1}") << "at offset 11";
    QTest::newRow("another format") << QByteArray(R"({"format": "blender", "version": 1})")
                                    << "the format is \"blender\", not \"tributary-job\"";
    QTest::newRow("no format") << QByteArray("[1, 2]") << "not a Tributary job";
    QTest::newRow("newer version") << QByteArray(R"({"format": "tributary-job", "version": 2})")
                                   << "version 2 is newer than this Tributary reads (1)";
    QTest::newRow("unknown kind") << file(R"([{"id": "n1", "kind": "gan", "position": [0, 0]}])")
                                  << "node n1: unknown node kind \"gan\"";
    QTest::newRow("duplicate id")
        << file(R"([{"id": "n1", "kind": "mlp", "position": [0, 0]}, {"id": "n1", "kind": "train", "position": [0, 0]}])")
        << "duplicate node id \"n1\"";
    QTest::newRow("edge to missing node") << file(twoNodes, R"([{"from": "n1", "output": "model", "to": "n7", "input": "model"}])")
                                          << "no node \"n7\" to connect to";
    QTest::newRow("edge from missing port")
        << file(twoNodes, R"([{"from": "n1", "output": "weights", "to": "n2", "input": "model"}])")
        << "n1 (MLP model) has no output \"weights\"";
    QTest::newRow("edge refused by types")
        << file(twoNodes, R"([{"from": "n1", "output": "model", "to": "n2", "input": "test"}])")
        << "Model output cannot connect to a Dataset input";
    QTest::newRow("wrong parameter type")
        << file(R"([{"id": "n1", "kind": "train", "position": [0, 0], "parameters": {"steps": "lots"}}])")
        << "node n1 (train): parameter 'steps' must be a whole number, not a string";
    QTest::newRow("wrong bool type")
        << file(R"([{"id": "n3", "kind": "dataset", "position": [0, 0], "parameters": {"hasHeader": 1}}])")
        << "node n3 (dataset): parameter 'hasHeader' must be true or false";
    QTest::newRow("bad choice")
        << file(R"([{"id": "n1", "kind": "dataset", "position": [0, 0], "parameters": {"source": "parquet"}}])")
        << "node n1 (dataset): parameter 'source': \"parquet\" is not one of";
    QTest::newRow("unknown parameter")
        << file(R"([{"id": "n1", "kind": "mlp", "position": [0, 0], "parameters": {"dropout": 0.5}}])")
        << "node n1 (mlp): unknown parameter 'dropout'";
    QTest::newRow("bad position") << file(R"([{"id": "n1", "kind": "mlp", "position": [0]}])")
                                  << "node n1: \"position\" must be [x, y]";
}

void JobGraphTest::loadRefusals()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    JobGraph graph;
    graph.setName("kept");
    buildBasic(graph);
    const QByteArray before = saveJobGraph(graph);
    QSignalSpy reset(&graph, &JobGraph::reset);
    QString error;
    QVERIFY(!loadJobGraph(json, &graph, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    // Nothing half-loaded.
    QCOMPARE(saveJobGraph(graph), before);
    QCOMPARE(reset.count(), 0);
}

void JobGraphTest::validationReportsProblems()
{
    JobGraph empty;
    ValidationReport report = validateGraph(empty);
    QVERIFY(report.hasErrors());
    QVERIFY(hasProblem(report, QString(), "no workload node"));

    JobGraph graph;
    const Basic ids = buildBasic(graph);
    report = validateGraph(graph);
    QVERIFY2(!report.hasErrors(), qPrintable(report.errorLines(graph).join('\n')));

    // A required input not connected.
    const QString evaluate = graph.addNode("evaluate", QPointF());
    QVERIFY(graph.connectPorts(ids.train, "model", evaluate, "model"));
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, evaluate, "required input \"data\" (Dataset) is not connected"));
    QVERIFY(graph.connectPorts(ids.dataset, "test", evaluate, "data"));

    // A parameter out of range; an empty list.
    graph.setParameter(ids.train, "learningRate", 50.0);
    graph.setParameter(ids.dataset, "testFraction", 0.9);
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, ids.train, "Learning rate (learningRate) is 50; it must be between"));
    QVERIFY(hasProblem(report, ids.dataset, "Test fraction (testFraction) is 0.9"));
    graph.setParameter(ids.train, "learningRate", 0.05);
    graph.setParameter(ids.dataset, "testFraction", 0.2);
    const QString sweep = graph.addNode("sweep", QPointF());
    graph.setParameter(sweep, "learningRates", "");
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, sweep, "Learning rates (learningRates) is empty"));
    graph.removeNode(sweep);

    // H longer than the training: a warning only.
    graph.setParameter(ids.train, "checkpointEvery", 5000);
    report = validateGraph(graph);
    QVERIFY(!report.hasErrors());
    QVERIFY(hasProblem(report, ids.train, "Checkpoint every (5000) is more than the steps", GraphProblem::Severity::Warning));
    QCOMPARE(report.warnings().size(), 1);

    // Workers × batch beyond the (limited) training examples.
    const QString distributed = graph.addNode("distributed-train", QPointF());
    QVERIFY(graph.connectPorts(ids.mlp, "model", distributed, "model"));
    QVERIFY(graph.connectPorts(ids.dataset, "train", distributed, "train"));
    graph.setParameter(ids.dataset, "limit", 400);
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, distributed, "8 workers × batch size 64 is more than the 400 training examples"));
    graph.setParameter(distributed, "localSteps", 2000);
    QVERIFY(hasProblem(validateGraph(graph), distributed, "Local steps (H = 2000)", GraphProblem::Severity::Warning));
}

void JobGraphTest::validationOfFilesAndModels()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    JobGraph graph;
    const Basic ids = buildBasic(graph);
    graph.setParameter(ids.dataset, "source", "csv");
    ValidationReport report = validateGraph(graph);
    QVERIFY(hasProblem(report, ids.dataset, "A CSV source needs its CSV file (csvPath)"));

    const QString missing = dir.filePath("missing.csv");
    graph.setParameter(ids.dataset, "csvPath", missing);
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, ids.dataset, QString("The CSV file \"%1\" does not exist.").arg(missing)));

    QFile file(missing);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("1,0.5,0.25\n");
    file.close();
    QVERIFY(validateGraph(graph).forNode(ids.dataset).isEmpty());

    graph.setParameter(ids.dataset, "source", "npy");
    report = validateGraph(graph);
    QVERIFY(hasProblem(report, ids.dataset, "needs its features file (featuresPath)"));
    QVERIFY(hasProblem(report, ids.dataset, "needs its labels file (labelsPath)"));
    graph.setParameter(ids.dataset, "source", "fashion-mnist");

    graph.setParameter(ids.mlp, "hidden", "256,128,64");
    QVERIFY(hasProblem(validateGraph(graph), ids.mlp, "one or two positive whole widths"));
    graph.setParameter(ids.mlp, "hidden", "256");
    graph.setParameter(ids.mlp, "classes", 5);
    QVERIFY(hasProblem(validateGraph(graph), ids.train, "Fashion-MNIST has 10 classes"));
}

QTEST_GUILESS_MAIN(JobGraphTest)
#include "job_graph_test.moc"
