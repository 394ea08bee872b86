#pragma once

// JobRunner: submits a job to a coordinator and follows it to the end on its own named
// thread ("tributary-job-runner"), reporting through signals on the owner's thread.
// For GEMM jobs it also fetches the result and checks it on this machine's CPU
// reference, so the user sees a result verified twice: by the coordinator, tile by
// tile, and locally, as a whole.
//
// One job per runner; destroying the runner cancels the watch and joins the thread.

#include "engine/engine.h"
#include "tributary/v1/job.pb.h"

#include "app/client/channel.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

namespace tributary::client {
class JobClient;
}

namespace tributary {

struct JobOutcome {
    bool succeeded = false;
    QString jobId;
    QString message;        // what went wrong, or how the result was verified
    QString resultSha256;
    int rows = 0;
    int cols = 0;
    float firstValue = 0.0f; // C[0][0], a value a person can compare across runs
    bool verifiedByCoordinator = false;
    bool checkedLocally = false;
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    // `engine` must outlive the runner; it is used for the local check.
    JobRunner(const engine::Engine &engine, const client::Endpoint &coordinator,
              QObject *parent = nullptr);
    ~JobRunner() override;

    // Starts the job. Call once.
    void run(const v1::JobSpec &spec);
    bool isRunning() const;

Q_SIGNALS:
    void submitted(const QString &jobId, int taskCount);
    void progress(const QString &jobId, int tasksDone, int tasksTotal);
    void finished(const tributary::JobOutcome &outcome);

private:
    JobOutcome execute(const v1::JobSpec &spec);

    const engine::Engine &m_engine;
    std::unique_ptr<client::JobClient> m_client;
    QThread *m_thread = nullptr;
};

} // namespace tributary

Q_DECLARE_METATYPE(tributary::JobOutcome)
