#pragma once

// ContributorRunner: owns a Contributor and the named thread it runs on
// ("tributary-contributor"). Destroying the runner stops the contributor and joins the
// thread. Connect to contributor() signals before calling start(); they arrive queued on
// the receiver's thread.

#include "app/contributor/contributor.h"

#include <QObject>
#include <QThread>

namespace tributary {

class ContributorRunner : public QObject {
    Q_OBJECT
public:
    ContributorRunner(const engine::Engine &engine, Contributor::Options options,
                      QObject *parent = nullptr);
    ~ContributorRunner() override;

    // The worker; lives on the runner's thread. Use only its signals and queued slots.
    Contributor *contributor() const { return m_contributor; }

    void start();
    void stop();

private:
    QThread m_thread;
    Contributor *m_contributor; // deleted on its own thread when the thread finishes
};

} // namespace tributary
