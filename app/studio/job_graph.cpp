#include "app/studio/job_graph.h"

#include <QSet>

#include <algorithm>
#include <utility>

namespace tributary::studio {

namespace {

const GraphNode *findNode(const QList<GraphNode> &nodes, const QString &id)
{
    for (const GraphNode &node : nodes)
        if (node.id == id)
            return &node;
    return nullptr;
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

QString edgeText(const GraphEdge &edge)
{
    return QStringLiteral("%1.%2 → %3.%4").arg(edge.fromNode, edge.outputPort, edge.toNode, edge.inputPort);
}

} // namespace

JobGraph::JobGraph(QObject *parent)
    : JobGraph(NodeCatalog(), parent)
{
}

JobGraph::JobGraph(NodeCatalog catalog, QObject *parent)
    : QObject(parent)
    , m_catalog(std::move(catalog))
{
}

void JobGraph::setName(const QString &name)
{
    if (name == m_name)
        return;
    m_name = name;
    Q_EMIT nameChanged(m_name);
}

qsizetype JobGraph::indexOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_nodes.size(); ++i)
        if (m_nodes[i].id == id)
            return i;
    return -1;
}

const GraphNode *JobGraph::node(const QString &id) const
{
    return findNode(m_nodes, id);
}

const NodeKind *JobGraph::kindOf(const QString &id) const
{
    const GraphNode *found = node(id);
    return found ? m_catalog.kind(found->kind) : nullptr;
}

const GraphEdge *JobGraph::edgeInto(const QString &nodeId, const QString &inputPort) const
{
    for (const GraphEdge &edge : m_edges)
        if (edge.toNode == nodeId && edge.inputPort == inputPort)
            return &edge;
    return nullptr;
}

QList<GraphEdge> JobGraph::edgesFrom(const QString &nodeId) const
{
    QList<GraphEdge> found;
    for (const GraphEdge &edge : m_edges)
        if (edge.fromNode == nodeId)
            found.append(edge);
    return found;
}

QList<GraphEdge> JobGraph::edgesInto(const QString &nodeId) const
{
    QList<GraphEdge> found;
    for (const GraphEdge &edge : m_edges)
        if (edge.toNode == nodeId)
            found.append(edge);
    return found;
}

QString JobGraph::freshId()
{
    QString id;
    do
        id = QStringLiteral("n%1").arg(m_nextId++);
    while (indexOf(id) >= 0);
    return id;
}

void JobGraph::noteId(const QString &id)
{
    // An id of the fresh form moves the counter past it, so that it is never handed out again.
    if (id.size() < 2 || id.size() > 19 || id[0] != QLatin1Char('n') || id[1] == QLatin1Char('0'))
        return;
    bool ok = false;
    const quint64 number = QStringView(id).mid(1).toULongLong(&ok);
    if (ok && QStringView(id).mid(1).size() == QString::number(number).size())
        m_nextId = std::max(m_nextId, number + 1);
}

QString JobGraph::addNode(const QString &kind, QPointF position, const QString &id, QString *error)
{
    const NodeKind *nodeKind = m_catalog.kind(kind);
    if (!nodeKind) {
        setError(error, QStringLiteral("unknown node kind \"%1\"").arg(kind));
        return {};
    }
    if (!id.isEmpty() && indexOf(id) >= 0) {
        setError(error, QStringLiteral("a node with id \"%1\" already exists").arg(id));
        return {};
    }
    GraphNode node { id.isEmpty() ? freshId() : id, kind, nodeKind->title, position, nodeKind->defaultParameters() };
    noteId(node.id);
    m_nodes.append(node);
    Q_EMIT nodeAdded(node.id);
    return node.id;
}

NodeSnapshot JobGraph::removeNode(const QString &id)
{
    NodeSnapshot snapshot;
    const qsizetype index = indexOf(id);
    if (index < 0)
        return snapshot;
    snapshot.node = m_nodes[index];
    snapshot.nodeIndex = index;
    for (qsizetype i = 0; i < m_edges.size();) {
        if (m_edges[i].fromNode == id || m_edges[i].toNode == id) {
            const GraphEdge edge = m_edges.takeAt(i);
            snapshot.edges.append(edge);
            Q_EMIT edgeRemoved(edge);
        } else {
            ++i;
        }
    }
    m_nodes.removeAt(index);
    Q_EMIT nodeRemoved(id);
    return snapshot;
}

bool JobGraph::restoreNode(const NodeSnapshot &snapshot, QString *error)
{
    const GraphNode &node = snapshot.node;
    if (node.id.isEmpty() || !m_catalog.kind(node.kind)) {
        setError(error, QStringLiteral("the snapshot holds no node of a known kind"));
        return false;
    }
    if (indexOf(node.id) >= 0) {
        setError(error, QStringLiteral("a node with id \"%1\" already exists").arg(node.id));
        return false;
    }
    // Check every edge against the graph as it will be, before changing anything.
    QList<GraphNode> nodes = m_nodes;
    nodes.append(node);
    QList<GraphEdge> edges = m_edges;
    for (const GraphEdge &edge : snapshot.edges) {
        if (!checkEdge(edge, nodes, edges, error))
            return false;
        edges.append(edge);
    }
    const qsizetype index = snapshot.nodeIndex >= 0 ? std::min(snapshot.nodeIndex, m_nodes.size()) : m_nodes.size();
    m_nodes.insert(index, node);
    noteId(node.id);
    Q_EMIT nodeAdded(node.id);
    for (const GraphEdge &edge : snapshot.edges) {
        m_edges.append(edge);
        Q_EMIT edgeAdded(edge);
    }
    return true;
}

bool JobGraph::setParameter(const QString &nodeId, const QString &key, const QVariant &value, QVariant *oldValue,
    QString *error)
{
    const qsizetype index = indexOf(nodeId);
    if (index < 0) {
        setError(error, QStringLiteral("no node \"%1\"").arg(nodeId));
        return false;
    }
    GraphNode &node = m_nodes[index];
    const ParameterSpec *spec = m_catalog.kind(node.kind)->parameter(key);
    if (!spec) {
        setError(error, QStringLiteral("%1 (%2) has no parameter '%3'").arg(nodeId, node.kind, key));
        return false;
    }
    QVariant normalized;
    QString why;
    if (!normalizeParameter(*spec, value, &normalized, &why)) {
        setError(error, QStringLiteral("%1: %2").arg(nodeId, why));
        return false;
    }
    const QVariant old = node.parameters.value(key);
    if (oldValue)
        *oldValue = old;
    if (old == normalized && old.metaType() == normalized.metaType())
        return true;
    node.parameters.insert(key, normalized);
    Q_EMIT parameterChanged(nodeId, key, normalized);
    return true;
}

bool JobGraph::setTitle(const QString &nodeId, const QString &title, QString *oldTitle)
{
    const qsizetype index = indexOf(nodeId);
    if (index < 0)
        return false;
    if (oldTitle)
        *oldTitle = m_nodes[index].title;
    if (m_nodes[index].title == title)
        return true;
    m_nodes[index].title = title;
    Q_EMIT titleChanged(nodeId, title);
    return true;
}

bool JobGraph::moveNode(const QString &nodeId, QPointF position, QPointF *oldPosition)
{
    const qsizetype index = indexOf(nodeId);
    if (index < 0)
        return false;
    if (oldPosition)
        *oldPosition = m_nodes[index].position;
    if (m_nodes[index].position == position)
        return true;
    m_nodes[index].position = position;
    Q_EMIT nodeMoved(nodeId, position);
    return true;
}

bool JobGraph::reaches(const QString &start, const QString &target, const QList<GraphEdge> &edges) const
{
    QList<QString> pending { start };
    QSet<QString> seen { start };
    while (!pending.isEmpty()) {
        const QString current = pending.takeLast();
        if (current == target)
            return true;
        for (const GraphEdge &edge : edges)
            if (edge.fromNode == current && !seen.contains(edge.toNode)) {
                seen.insert(edge.toNode);
                pending.append(edge.toNode);
            }
    }
    return false;
}

bool JobGraph::checkEdge(
    const GraphEdge &edge, const QList<GraphNode> &nodes, const QList<GraphEdge> &edges, QString *error) const
{
    const GraphNode *from = findNode(nodes, edge.fromNode);
    if (!from) {
        setError(error, QStringLiteral("no node \"%1\" to connect from").arg(edge.fromNode));
        return false;
    }
    const GraphNode *to = findNode(nodes, edge.toNode);
    if (!to) {
        setError(error, QStringLiteral("no node \"%1\" to connect to").arg(edge.toNode));
        return false;
    }
    const NodeKind *fromKind = m_catalog.kind(from->kind);
    const NodeKind *toKind = m_catalog.kind(to->kind);
    const OutputPort *output = fromKind->output(edge.outputPort);
    if (!output) {
        setError(error, QStringLiteral("%1 (%2) has no output \"%3\"").arg(from->id, fromKind->title, edge.outputPort));
        return false;
    }
    const InputPort *input = toKind->input(edge.inputPort);
    if (!input) {
        setError(error, QStringLiteral("%1 (%2) has no input \"%3\"").arg(to->id, toKind->title, edge.inputPort));
        return false;
    }
    if (edge.fromNode == edge.toNode) {
        setError(error, QStringLiteral("%1 cannot connect to itself").arg(from->id));
        return false;
    }
    if (!input->acceptsType(output->type)) {
        setError(error, QStringLiteral("%1 output cannot connect to a %2 input")
                            .arg(portTypeName(output->type), portTypesText(input->accepts)));
        return false;
    }
    for (const GraphEdge &other : edges)
        if (other.toNode == edge.toNode && other.inputPort == edge.inputPort) {
            setError(error, QStringLiteral("input \"%1\" of %2 is already connected (from %3.%4)")
                                .arg(edge.inputPort, edge.toNode, other.fromNode, other.outputPort));
            return false;
        }
    if (reaches(edge.toNode, edge.fromNode, edges)) {
        setError(error, QStringLiteral("connecting %1 would make a cycle: %2 already depends on %3")
                            .arg(edgeText(edge), edge.fromNode, edge.toNode));
        return false;
    }
    return true;
}

bool JobGraph::canConnect(const GraphEdge &edge, QString *error) const
{
    return checkEdge(edge, m_nodes, m_edges, error);
}

bool JobGraph::connectPorts(const GraphEdge &edge, QString *error)
{
    if (!canConnect(edge, error))
        return false;
    m_edges.append(edge);
    Q_EMIT edgeAdded(edge);
    return true;
}

bool JobGraph::disconnectPorts(const GraphEdge &edge)
{
    const qsizetype index = m_edges.indexOf(edge);
    if (index < 0)
        return false;
    m_edges.removeAt(index);
    Q_EMIT edgeRemoved(edge);
    return true;
}

GraphContents JobGraph::contents() const
{
    return GraphContents { m_name, m_nodes, m_edges };
}

bool JobGraph::setContents(const GraphContents &contents, QString *error)
{
    QList<GraphNode> nodes;
    QSet<QString> ids;
    for (const GraphNode &given : contents.nodes) {
        if (given.id.isEmpty()) {
            setError(error, QStringLiteral("a node has no id"));
            return false;
        }
        if (ids.contains(given.id)) {
            setError(error, QStringLiteral("duplicate node id \"%1\"").arg(given.id));
            return false;
        }
        ids.insert(given.id);
        const NodeKind *kind = m_catalog.kind(given.kind);
        if (!kind) {
            setError(error, QStringLiteral("node %1: unknown node kind \"%2\"").arg(given.id, given.kind));
            return false;
        }
        GraphNode node = given;
        node.parameters = kind->defaultParameters();
        for (auto it = given.parameters.cbegin(); it != given.parameters.cend(); ++it) {
            const ParameterSpec *spec = kind->parameter(it.key());
            if (!spec) {
                setError(error, QStringLiteral("node %1 (%2): unknown parameter '%3'").arg(given.id, given.kind, it.key()));
                return false;
            }
            QVariant normalized;
            QString why;
            if (!normalizeParameter(*spec, it.value(), &normalized, &why)) {
                setError(error, QStringLiteral("node %1 (%2): %3").arg(given.id, given.kind, why));
                return false;
            }
            node.parameters.insert(it.key(), normalized);
        }
        nodes.append(node);
    }
    QList<GraphEdge> edges;
    for (const GraphEdge &edge : contents.edges) {
        QString why;
        if (!checkEdge(edge, nodes, edges, &why)) {
            setError(error, QStringLiteral("edge %1: %2").arg(edgeText(edge), why));
            return false;
        }
        edges.append(edge);
    }
    const bool renamed = m_name != contents.name;
    m_name = contents.name;
    m_nodes = nodes;
    m_edges = edges;
    for (const GraphNode &node : m_nodes)
        noteId(node.id);
    if (renamed)
        Q_EMIT nameChanged(m_name);
    Q_EMIT reset();
    return true;
}

void JobGraph::clear()
{
    setContents(GraphContents {});
}

} // namespace tributary::studio
