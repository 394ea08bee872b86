#include "app/studio/job_graph_json.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace tributary::studio {

namespace {

const QString kFileFormat = QStringLiteral("tributary-job");
const QString kClipboardFormat = QStringLiteral("tributary-job-nodes");

QJsonValue parameterToJson(const ParameterSpec *spec, const QVariant &value)
{
    switch (spec ? spec->type : ParameterType::String) {
    case ParameterType::Int:
        return QJsonValue(value.toLongLong());
    case ParameterType::Double:
        return QJsonValue(value.toDouble());
    case ParameterType::Bool:
        return QJsonValue(value.toBool());
    default:
        return QJsonValue(value.toString());
    }
}

QJsonObject nodeToJson(const NodeCatalog &catalog, const GraphNode &node)
{
    const NodeKind *kind = catalog.kind(node.kind);
    QJsonObject parameters;
    for (auto it = node.parameters.cbegin(); it != node.parameters.cend(); ++it)
        parameters.insert(it.key(), parameterToJson(kind ? kind->parameter(it.key()) : nullptr, it.value()));
    return QJsonObject {
        { "id", node.id },
        { "kind", node.kind },
        { "title", node.title },
        { "position", QJsonArray { node.position.x(), node.position.y() } },
        { "parameters", parameters },
    };
}

QJsonObject edgeToJson(const GraphEdge &edge)
{
    return QJsonObject {
        { "from", edge.fromNode },
        { "output", edge.outputPort },
        { "to", edge.toNode },
        { "input", edge.inputPort },
    };
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// The JSON type a parameter must have; the value's own range is validation's business.
bool parameterFromJson(const ParameterSpec &spec, const QJsonValue &value, QVariant *out, QString *why)
{
    switch (spec.type) {
    case ParameterType::Int:
        if (!value.isDouble() || value.toDouble() != std::floor(value.toDouble())) {
            *why = QStringLiteral("must be a whole number, not %1").arg(jsonTypeName(value));
            return false;
        }
        *out = QVariant(value.toVariant());
        return true;
    case ParameterType::Double:
        if (!value.isDouble()) {
            *why = QStringLiteral("must be a number, not %1").arg(jsonTypeName(value));
            return false;
        }
        *out = QVariant(value.toDouble());
        return true;
    case ParameterType::Bool:
        if (!value.isBool()) {
            *why = QStringLiteral("must be true or false, not %1").arg(jsonTypeName(value));
            return false;
        }
        *out = QVariant(value.toBool());
        return true;
    default:
        if (!value.isString()) {
            *why = QStringLiteral("must be a string, not %1").arg(jsonTypeName(value));
            return false;
        }
        *out = QVariant(value.toString());
        return true;
    }
}

bool nodeFromJson(const NodeCatalog &catalog, const QJsonValue &value, qsizetype index, GraphNode *node, QString *error)
{
    const QString where = QStringLiteral("nodes[%1]").arg(index);
    if (!value.isObject()) {
        *error = where + QStringLiteral(" is not an object");
        return false;
    }
    const QJsonObject object = value.toObject();
    for (const char *field : { "id", "kind" })
        if (!object.value(field).isString() || object.value(field).toString().isEmpty()) {
            *error = QStringLiteral("%1 has no \"%2\" string").arg(where, field);
            return false;
        }
    node->id = object.value("id").toString();
    node->kind = object.value("kind").toString();
    const NodeKind *kind = catalog.kind(node->kind);
    if (!kind) {
        *error = QStringLiteral("node %1: unknown node kind \"%2\"").arg(node->id, node->kind);
        return false;
    }
    if (object.contains("title") && !object.value("title").isString()) {
        *error = QStringLiteral("node %1: \"title\" is not a string").arg(node->id);
        return false;
    }
    node->title = object.value("title").toString(kind->title);
    const QJsonArray position = object.value("position").toArray();
    if (position.size() != 2 || !position[0].isDouble() || !position[1].isDouble()) {
        *error = QStringLiteral("node %1: \"position\" must be [x, y]").arg(node->id);
        return false;
    }
    node->position = QPointF(position[0].toDouble(), position[1].toDouble());
    if (object.contains("parameters") && !object.value("parameters").isObject()) {
        *error = QStringLiteral("node %1: \"parameters\" is not an object").arg(node->id);
        return false;
    }
    const QJsonObject parameters = object.value("parameters").toObject();
    node->parameters.clear();
    for (auto it = parameters.constBegin(); it != parameters.constEnd(); ++it) {
        const ParameterSpec *spec = kind->parameter(it.key());
        if (!spec) {
            *error = QStringLiteral("node %1 (%2): unknown parameter '%3'").arg(node->id, node->kind, it.key());
            return false;
        }
        QVariant converted;
        QString why;
        if (!parameterFromJson(*spec, it.value(), &converted, &why)) {
            *error = QStringLiteral("node %1 (%2): parameter '%3' %4").arg(node->id, node->kind, it.key(), why);
            return false;
        }
        node->parameters.insert(it.key(), converted);
    }
    return true;
}

bool edgeFromJson(const QJsonValue &value, qsizetype index, GraphEdge *edge, QString *error)
{
    const QJsonObject object = value.toObject();
    for (const char *field : { "from", "output", "to", "input" })
        if (!object.value(field).isString()) {
            *error = QStringLiteral("edges[%1] has no \"%2\" string").arg(index).arg(field);
            return false;
        }
    *edge = GraphEdge { object.value("from").toString(), object.value("output").toString(),
        object.value("to").toString(), object.value("input").toString() };
    return true;
}

// The document's object, after checking the envelope: JSON, the format and the version.
bool readEnvelope(const QByteArray &json, const QString &format, QJsonObject *object, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
        return false;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("not a Tributary job: the JSON is not an object");
        return false;
    }
    *object = document.object();
    const QString given = object->value("format").toString();
    if (given != format) {
        *error = given.isEmpty() ? QStringLiteral("not a Tributary job: no \"format\": \"%1\"").arg(format)
                                 : QStringLiteral("the format is \"%1\", not \"%2\"").arg(given, format);
        return false;
    }
    const QJsonValue version = object->value("version");
    if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) || version.toDouble() < 1) {
        *error = QStringLiteral("\"version\" must be a whole number from 1");
        return false;
    }
    if (version.toDouble() > kJobFileVersion) {
        *error = QStringLiteral("version %1 is newer than this Tributary reads (%2)")
                     .arg(version.toInteger())
                     .arg(kJobFileVersion);
        return false;
    }
    for (const char *field : { "nodes", "edges" })
        if (object->contains(field) && !object->value(field).isArray()) {
            *error = QStringLiteral("\"%1\" is not an array").arg(field);
            return false;
        }
    return true;
}

bool readNodesAndEdges(const NodeCatalog &catalog, const QJsonObject &object, GraphContents *contents, QString *error)
{
    const QJsonArray nodes = object.value("nodes").toArray();
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        GraphNode node;
        if (!nodeFromJson(catalog, nodes[i], i, &node, error))
            return false;
        contents->nodes.append(node);
    }
    const QJsonArray edges = object.value("edges").toArray();
    for (qsizetype i = 0; i < edges.size(); ++i) {
        GraphEdge edge;
        if (!edgeFromJson(edges[i], i, &edge, error))
            return false;
        contents->edges.append(edge);
    }
    return true;
}

} // namespace

QByteArray saveJobGraph(const JobGraph &graph)
{
    QJsonArray nodes;
    for (const GraphNode &node : graph.nodes())
        nodes.append(nodeToJson(graph.catalog(), node));
    QJsonArray edges;
    for (const GraphEdge &edge : graph.edges())
        edges.append(edgeToJson(edge));
    const QJsonObject document {
        { "format", kFileFormat },
        { "version", kJobFileVersion },
        { "name", graph.name() },
        { "nodes", nodes },
        { "edges", edges },
    };
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

bool loadJobGraph(const QByteArray &json, JobGraph *graph, QString *error)
{
    QString why;
    QJsonObject object;
    GraphContents contents;
    if (!readEnvelope(json, kFileFormat, &object, &why) || !readNodesAndEdges(graph->catalog(), object, &contents, &why)
        || !graph->setContents(
            GraphContents { object.value("name").toString(), contents.nodes, contents.edges }, &why)) {
        if (error)
            *error = why;
        return false;
    }
    return true;
}

QByteArray copyNodes(const JobGraph &graph, const QStringList &nodeIds)
{
    QJsonArray nodes;
    for (const GraphNode &node : graph.nodes())
        if (nodeIds.contains(node.id))
            nodes.append(nodeToJson(graph.catalog(), node));
    QJsonArray edges;
    for (const GraphEdge &edge : graph.edges())
        if (nodeIds.contains(edge.fromNode) && nodeIds.contains(edge.toNode))
            edges.append(edgeToJson(edge));
    const QJsonObject document {
        { "format", kClipboardFormat },
        { "version", kJobFileVersion },
        { "nodes", nodes },
        { "edges", edges },
    };
    return QJsonDocument(document).toJson(QJsonDocument::Compact);
}

QStringList pasteNodes(JobGraph *graph, const QByteArray &json, QPointF offset, QString *error)
{
    QString why;
    QJsonObject object;
    GraphContents copied;
    const auto refuse = [&]() {
        if (error)
            *error = QStringLiteral("cannot paste: ") + why;
        return QStringList();
    };
    if (!readEnvelope(json, kClipboardFormat, &object, &why) || !readNodesAndEdges(graph->catalog(), object, &copied, &why))
        return refuse();
    // Check every parameter before adding anything.
    for (GraphNode &node : copied.nodes) {
        const NodeKind *kind = graph->catalog().kind(node.kind);
        for (auto it = node.parameters.begin(); it != node.parameters.end(); ++it) {
            QVariant normalized;
            if (!normalizeParameter(*kind->parameter(it.key()), it.value(), &normalized, &why)) {
                why = QStringLiteral("node %1: %2").arg(node.id, why);
                return refuse();
            }
            it.value() = normalized;
        }
    }
    QHash<QString, QString> freshIds;
    QStringList added;
    const auto rollBack = [&]() {
        for (qsizetype i = added.size() - 1; i >= 0; --i)
            graph->removeNode(added[i]);
        return refuse();
    };
    for (const GraphNode &node : std::as_const(copied.nodes)) {
        if (freshIds.contains(node.id)) {
            why = QStringLiteral("duplicate node id \"%1\"").arg(node.id);
            return rollBack();
        }
        const QString id = graph->addNode(node.kind, node.position + offset);
        freshIds.insert(node.id, id);
        added.append(id);
        graph->setTitle(id, node.title);
        for (auto it = node.parameters.cbegin(); it != node.parameters.cend(); ++it)
            graph->setParameter(id, it.key(), it.value());
    }
    for (const GraphEdge &edge : std::as_const(copied.edges)) {
        if (!freshIds.contains(edge.fromNode) || !freshIds.contains(edge.toNode)) {
            why = QStringLiteral("an edge names a node that was not copied");
            return rollBack();
        }
        if (!graph->connectPorts(freshIds.value(edge.fromNode), edge.outputPort, freshIds.value(edge.toNode),
                edge.inputPort, &why))
            return rollBack();
    }
    return added;
}

} // namespace tributary::studio
