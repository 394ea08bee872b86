#include "app/contributor/contributor_runner.h"

namespace tributary {

ContributorRunner::ContributorRunner(const engine::Engine &engine, Contributor::Options options,
                                     QObject *parent)
    : QObject(parent)
    , m_contributor(new Contributor(engine, std::move(options)))
{
    m_thread.setObjectName(QStringLiteral("tributary-contributor"));
    m_contributor->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_contributor, &QObject::deleteLater);
    m_thread.start();
}

ContributorRunner::~ContributorRunner()
{
    stop();
    m_thread.quit();
    m_thread.wait();
}

void ContributorRunner::start()
{
    QMetaObject::invokeMethod(m_contributor, &Contributor::start, Qt::QueuedConnection);
}

void ContributorRunner::stop()
{
    if (m_thread.isRunning())
        QMetaObject::invokeMethod(m_contributor, &Contributor::stop, Qt::BlockingQueuedConnection);
}

} // namespace tributary
