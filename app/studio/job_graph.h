#pragma once

// JobGraph: the job a researcher draws in the studio, as a model with no widgets. Nodes
// (kinds from node_catalog.h) with stable ids, positions and parameters; edges from an
// output port to an input port that accepts its type. The QGraphicsView editor shows it
// and edits it only through the calls below, each of which emits one signal per change,
// so that views stay in sync however the graph changes (editor, undo, load, paste).
//
// Every edit is small and reversible, for an undo stack:
//   addNode(kind, pos)                  ↔ removeNode(id)  (the undo keeps the NodeSnapshot
//   removeNode(id) → NodeSnapshot       ↔ restoreNode(snapshot)      it returns)
//   setParameter(id, key, v, &old)      ↔ setParameter(id, key, old)
//   setTitle(id, t, &old)               ↔ setTitle(id, old)
//   moveNode(id, pos, &old)             ↔ moveNode(id, old)
//   connectPorts(edge)                  ↔ disconnectPorts(edge)
//   setName(name)                       ↔ setName(old)
// A redo of addNode passes the id it got the first time: addNode(kind, pos, id).
//
// Ids are "n1", "n2", … in the order nodes are added, never reused within one graph (not
// even after a removal), so an undo stack may keep them. Nodes and edges keep their order
// (that of addition), which is the order a .tjob file stores.
//
// connectPorts() refuses, with a message a user understands: an unknown node or port, a
// type the input does not accept ("Model output cannot connect to a Dataset input"), an
// input already connected, a node connected to itself, and an edge that would close a cycle.
// An output may feed any number of inputs.

#include "app/studio/node_catalog.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace tributary::studio {

struct GraphNode {
    QString id;
    QString kind; // a NodeCatalog id
    QString title; // the kind's title unless the user renamed the node
    QPointF position; // scene coordinates of the node's top-left corner
    QVariantMap parameters; // every parameter of the kind, in its stored form (node_catalog.h)
};

struct GraphEdge {
    QString fromNode;
    QString outputPort;
    QString toNode;
    QString inputPort;
    friend bool operator==(const GraphEdge &, const GraphEdge &) = default;
};

// A removed node and the edges that were removed with it, and where it stood, so that
// restoreNode() puts back exactly what was there.
struct NodeSnapshot {
    GraphNode node;
    QList<GraphEdge> edges;
    qsizetype nodeIndex = -1; // its place in nodes(); -1: at the end
};

// A whole graph, as setContents() replaces it in one step (loading a file).
struct GraphContents {
    QString name;
    QList<GraphNode> nodes;
    QList<GraphEdge> edges;
};

class JobGraph : public QObject {
    Q_OBJECT
public:
    explicit JobGraph(QObject *parent = nullptr);
    JobGraph(NodeCatalog catalog, QObject *parent);

    const NodeCatalog &catalog() const { return m_catalog; }

    QString name() const { return m_name; }
    void setName(const QString &name);

    const QList<GraphNode> &nodes() const { return m_nodes; }
    const QList<GraphEdge> &edges() const { return m_edges; }
    const GraphNode *node(const QString &id) const;
    // The node's kind; nullptr for an unknown node.
    const NodeKind *kindOf(const QString &id) const;
    // The edge into this input, or nullptr when it is not connected.
    const GraphEdge *edgeInto(const QString &nodeId, const QString &inputPort) const;
    // Edges from / into the node, in edge order.
    QList<GraphEdge> edgesFrom(const QString &nodeId) const;
    QList<GraphEdge> edgesInto(const QString &nodeId) const;

    // Adds a node of `kind` with default parameters; returns its id, or an empty string
    // (and *error) for an unknown kind or an `id` already in use. An empty `id` takes the
    // next fresh one.
    QString addNode(const QString &kind, QPointF position, const QString &id = {}, QString *error = nullptr);
    // Removes the node and its edges (edgeRemoved for each, then nodeRemoved). An unknown
    // id gives an empty snapshot (node.id empty).
    NodeSnapshot removeNode(const QString &id);
    // Puts a removed node and its edges back; false (and *error) when its id is in use or
    // one of its edges no longer fits (connectPorts' rules).
    bool restoreNode(const NodeSnapshot &snapshot, QString *error = nullptr);

    // Sets one parameter, converted to its stored form (normalizeParameter()); false (and
    // *error) for an unknown node or key, or a value of the wrong type. *oldValue gets the
    // value it replaced. Setting the current value again changes nothing and emits nothing.
    bool setParameter(const QString &nodeId, const QString &key, const QVariant &value, QVariant *oldValue = nullptr,
        QString *error = nullptr);
    bool setTitle(const QString &nodeId, const QString &title, QString *oldTitle = nullptr);
    bool moveNode(const QString &nodeId, QPointF position, QPointF *oldPosition = nullptr);

    // Whether the edge may be added; false with the reason in *error.
    bool canConnect(const GraphEdge &edge, QString *error = nullptr) const;
    bool connectPorts(const GraphEdge &edge, QString *error = nullptr);
    bool connectPorts(const QString &fromNode, const QString &outputPort, const QString &toNode,
        const QString &inputPort, QString *error = nullptr)
    {
        return connectPorts(GraphEdge { fromNode, outputPort, toNode, inputPort }, error);
    }
    // Removes the edge; false when there is no such edge.
    bool disconnectPorts(const GraphEdge &edge);

    GraphContents contents() const;
    // Replaces the whole graph when `contents` is valid (known kinds, unique non-empty ids,
    // every parameter known and of its type, missing ones defaulted, every edge allowed),
    // emitting reset(); else leaves the graph untouched and says what is wrong, naming the
    // node (and key or edge). Fresh ids continue after the largest "nK" it holds (and
    // never go back to one handed out before).
    bool setContents(const GraphContents &contents, QString *error = nullptr);
    void clear();

Q_SIGNALS:
    void nameChanged(const QString &name);
    void nodeAdded(const QString &nodeId);
    void nodeRemoved(const QString &nodeId);
    void nodeMoved(const QString &nodeId, QPointF position);
    void titleChanged(const QString &nodeId, const QString &title);
    void parameterChanged(const QString &nodeId, const QString &key, const QVariant &value);
    void edgeAdded(const tributary::studio::GraphEdge &edge);
    void edgeRemoved(const tributary::studio::GraphEdge &edge);
    // Everything changed at once (setContents(), clear()): views rebuild from scratch.
    void reset();

private:
    qsizetype indexOf(const QString &id) const;
    QString freshId();
    void noteId(const QString &id);
    // Whether `to` reaches `from` along edges (so from → to would close a cycle).
    bool reaches(const QString &start, const QString &target, const QList<GraphEdge> &edges) const;
    bool checkEdge(const GraphEdge &edge, const QList<GraphNode> &nodes, const QList<GraphEdge> &edges,
        QString *error) const;

    NodeCatalog m_catalog;
    QString m_name;
    QList<GraphNode> m_nodes;
    QList<GraphEdge> m_edges;
    quint64 m_nextId = 1; // the k of the next fresh "nk"; only ever grows
};

} // namespace tributary::studio

Q_DECLARE_METATYPE(tributary::studio::GraphEdge)
