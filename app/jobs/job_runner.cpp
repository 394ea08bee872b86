#include "app/jobs/job_runner.h"

#include "app/client/channel.h"
#include "app/client/job_client.h"
#include "app/jobs/sample_job.h"
#include "app/logging_categories.h"

#include <cstring>

namespace tributary {

JobRunner::JobRunner(const engine::Engine &engine, const client::Endpoint &coordinator, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_client(std::make_unique<client::JobClient>(coordinator))
{
    qRegisterMetaType<JobOutcome>();
}

JobRunner::~JobRunner()
{
    m_client->cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool JobRunner::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void JobRunner::run(const v1::JobSpec &spec)
{
    Q_ASSERT(!m_thread);
    m_thread = QThread::create([this, spec] { Q_EMIT finished(execute(spec)); });
    m_thread->setObjectName(QStringLiteral("tributary-job-runner"));
    m_thread->start();
}

JobOutcome JobRunner::execute(const v1::JobSpec &spec)
{
    JobOutcome outcome;
    v1::SubmitJobResponse submitted;
    grpc::Status status = m_client->submitJob(spec, &submitted);
    if (!status.ok()) {
        outcome.message = QStringLiteral("the coordinator did not take the job: %1")
                              .arg(client::describeStatus(status));
        return outcome;
    }
    outcome.jobId = QString::fromStdString(submitted.job_id());
    qCInfo(lcNet).noquote() << "submitted job" << outcome.jobId << "with" << submitted.task_count() << "tasks";
    Q_EMIT this->submitted(outcome.jobId, int(submitted.task_count()));

    v1::JobStatus last;
    status = m_client->watchJob(outcome.jobId, [&](const v1::JobStatus &update) {
        last = update;
        Q_EMIT progress(outcome.jobId, int(update.tasks_done()), int(update.tasks_total()));
    });
    if (!status.ok()) {
        outcome.message = QStringLiteral("lost track of job %1: %2")
                              .arg(outcome.jobId, client::describeStatus(status));
        return outcome;
    }
    if (last.state() != v1::JOB_STATE_COMPLETED) {
        outcome.message = QStringLiteral("job %1 ended as %2: %3")
                              .arg(outcome.jobId, QString::fromStdString(v1::JobState_Name(last.state())),
                                   QString::fromStdString(last.message()));
        return outcome;
    }

    v1::JobResult result;
    status = m_client->getJobResult(outcome.jobId, &result);
    if (!status.ok()) {
        outcome.message = QStringLiteral("cannot fetch the result of job %1: %2")
                              .arg(outcome.jobId, client::describeStatus(status));
        return outcome;
    }
    outcome.resultSha256 = QString::fromStdString(result.sha256());
    outcome.rows = int(result.rows());
    outcome.cols = int(result.cols());
    if (result.data().size() >= sizeof(float))
        std::memcpy(&outcome.firstValue, result.data().data(), sizeof(float));
    outcome.verifiedByCoordinator = result.verified();
    if (!result.verified()) {
        outcome.message = QStringLiteral("the coordinator did not verify the result");
        return outcome;
    }
    if (spec.has_gemm()) {
        QString detail;
        outcome.checkedLocally = checkGemmResultLocally(m_engine, spec.gemm(), result, &detail);
        if (!outcome.checkedLocally) {
            outcome.message = QStringLiteral("local check failed: %1").arg(detail);
            return outcome;
        }
        outcome.message = QStringLiteral("every tile verified by the coordinator; the whole result %1")
                              .arg(detail);
    } else {
        outcome.message = QStringLiteral("verified by the coordinator");
    }
    outcome.succeeded = true;
    return outcome;
}

} // namespace tributary
