#include "ui/main_window.h"

#include "app/jobs/sample_job.h"
#include "app/local/local_network.h"
#include "app/settings/autostart.h"
#include "ui/device_cards_panel.h"
#include "ui/earnings_panel.h"
#include "ui/tray_icon.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QFont>
#include <QMessageBox>
#include <QSystemTrayIcon>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QSignalBlocker>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tributary::ui {

MainWindow::MainWindow(LocalNetwork &network, QWidget *parent)
    : QMainWindow(parent)
    , m_network(network)
{
    setWindowTitle(QStringLiteral("Tributary"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->setSpacing(12);
    layout->addWidget(createHeader());
    // Contribute: what this machine has and does; Earnings: what it earned; Activity: why.
    m_tabs = new QTabWidget(central);
    auto *contribute = new QWidget(m_tabs);
    auto *contributeLayout = new QVBoxLayout(contribute);
    m_deviceCards = new DeviceCardsPanel(m_network, contribute);
    contributeLayout->addWidget(m_deviceCards, 1);
    contributeLayout->addWidget(createSampleJobBox());
    m_tabs->addTab(contribute, QStringLiteral("Contribute"));
    m_earnings = new EarningsPanel(m_tabs);
    m_tabs->addTab(m_earnings, QStringLiteral("Earnings"));
    m_tabs->addTab(createActivityBox(), QStringLiteral("Activity"));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    resize(920, 820);

    m_addressLabel = new QLabel(QStringLiteral("Local coordinator: starting…"), this);
    statusBar()->addPermanentWidget(m_addressLabel);

    connect(&m_network, &LocalNetwork::contributorStateChanged, this, &MainWindow::showContributorState);
    connect(&m_network, &LocalNetwork::taskFinished, this,
            [this](const QString &, const QString &, bool accepted) { countTask(accepted); });
    createTray();
}

void MainWindow::createTray()
{
    m_tray = new TrayIcon(this);
    connect(m_tray, &TrayIcon::pauseToggled, &m_network, &LocalNetwork::setSharingPaused);
    connect(m_tray, &TrayIcon::openRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(m_tray, &TrayIcon::quitRequested, this, [this] {
        quitFromTray();
        close();
        QApplication::quit();
    });
    connect(m_tray, &TrayIcon::startOnLoginToggled, this, [this](bool on) {
        QString error;
        Autostart autostart;
        if (!autostart.setEnabled(on, &error))
            QMessageBox::warning(this, QStringLiteral("Start on login"), error);
        m_tray->setStartOnLogin(autostart.isEnabled());
    });
    connect(&m_network, &LocalNetwork::sharingPausedChanged, this, &MainWindow::showTrayState);
    m_tray->setStartOnLogin(Autostart().isEnabled());
    showTrayState();
    m_tray->show();
}

void MainWindow::showTrayState()
{
    m_tray->setSharingPaused(m_network.sharingPaused());
    m_tray->setStatus(m_network.sharingPaused() ? QStringLiteral("Paused")
            : m_contributorState.isEmpty()      ? QStringLiteral("Not sharing")
                                                : m_contributorState);
    if (TaskHistory *history = m_network.history()) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 midnight = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        const TaskHistory::Totals today = history->totals(midnight, now + 1);
        m_tray->setTodayCredits(double(today.verifiedUnits) / double(kCreditUnitsPerCredit),
            double(today.pendingUnits) / double(kCreditUnitsPerCredit));
    }
}

bool MainWindow::closesToTray() const
{
    return !m_quitting && m_tray->isAvailable();
}

void MainWindow::quitFromTray()
{
    m_quitting = true;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!closesToTray()) {
        QMainWindow::closeEvent(event);
        return;
    }
    // Sharing goes on; say so once, where the user will look for the app.
    hide();
    event->ignore();
    if (!m_toldAboutTray) {
        m_toldAboutTray = true;
        m_tray->trayIcon()->showMessage(QStringLiteral("Tributary is still sharing"),
            QStringLiteral("It keeps running in the tray. Use Quit Tributary there to stop."),
            QSystemTrayIcon::Information, 5000);
    }
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::createHeader()
{
    auto *header = new QWidget(this);
    auto *layout = new QHBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(QStringLiteral("Tributary"), header);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    layout->addWidget(title);
    layout->addStretch(1);
    auto *stateColumn = new QVBoxLayout;
    m_connectionLabel = new QLabel(QStringLiteral("Contributor: starting…"), header);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setAlignment(Qt::AlignRight);
    stateColumn->addWidget(m_connectionLabel);
    m_tasksLabel = new QLabel(header);
    m_tasksLabel->setAlignment(Qt::AlignRight);
    stateColumn->addWidget(m_tasksLabel);
    layout->addLayout(stateColumn);
    m_pauseButton = new QPushButton(header);
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QPushButton::toggled, &m_network, &LocalNetwork::setSharingPaused);
    connect(&m_network, &LocalNetwork::sharingPausedChanged, this, &MainWindow::showSharingPaused);
    showSharingPaused(m_network.sharingPaused());
    layout->addWidget(m_pauseButton);
    countTask(false);
    return header;
}

QWidget *MainWindow::createActivityBox()
{
    auto *box = new QWidget(this);
    auto *layout = new QVBoxLayout(box);
    m_activityView = new QListView(box);
    m_activityView->setObjectName(QStringLiteral("activityView"));
    m_activityView->setModel(m_network.activityLog());
    m_activityView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_activityView->setUniformItemSizes(true);
    layout->addWidget(m_activityView);
    return box;
}

void MainWindow::showSharingPaused(bool paused)
{
    const QSignalBlocker blocker(m_pauseButton);
    m_pauseButton->setChecked(paused);
    m_pauseButton->setText(paused ? QStringLiteral("Resume sharing") : QStringLiteral("Pause sharing"));
    m_pauseButton->setToolTip(paused ? QStringLiteral("Let the network use this machine's devices again")
                                     : QStringLiteral("Stop computing for the network until you resume"));
}

QWidget *MainWindow::createSampleJobBox()
{
    auto *box = new QGroupBox(QStringLiteral("Sample job"), this);
    auto *layout = new QVBoxLayout(box);
    auto *description = new QLabel(
        QStringLiteral("A 512×512×512 matrix product split into 16 tile tasks. The local coordinator "
                       "hands them to this machine's contributor, checks every tile against its CPU "
                       "reference and assembles the result."),
        box);
    description->setWordWrap(true);
    layout->addWidget(description);

    auto *row = new QHBoxLayout;
    m_runButton = new QPushButton(QStringLiteral("Run sample job"), box);
    m_runButton->setObjectName(QStringLiteral("runSampleJobButton"));
    connect(m_runButton, &QPushButton::clicked, this, &MainWindow::runSampleJob);
    row->addWidget(m_runButton);
    m_progress = new QProgressBar(box);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%v / %m tasks"));
    row->addWidget(m_progress, 1);
    layout->addLayout(row);

    m_resultLabel = new QLabel(box);
    m_resultLabel->setWordWrap(true);
    m_resultLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_resultLabel);
    return box;
}

void MainWindow::showNetworkStarted()
{
    m_addressLabel->setText(QStringLiteral("%1: %2")
            .arg(m_network.isRemote() ? QStringLiteral("Coordinator") : QStringLiteral("Local coordinator"),
                m_network.coordinatorAddress()));
    m_earnings->setHistory(m_network.history());
    m_deviceCards->bindToNetwork();
    // Today's credits in the tray follow the history: a run recorded, a payment settled.
    if (TaskHistory *history = m_network.history()) {
        m_trayRefresh.setSingleShot(true);
        m_trayRefresh.setInterval(1000);
        connect(&m_trayRefresh, &QTimer::timeout, this, &MainWindow::showTrayState);
        connect(history, &TaskHistory::committed, this, [this] {
            if (!m_trayRefresh.isActive())
                m_trayRefresh.start();
        });
    }
    showTrayState();
}

void MainWindow::showContributorState(Contributor::State state, const QString &detail)
{
    QString text = QStringLiteral("Contributor (%1): %2")
                       .arg(m_network.contributorDeviceId(), Contributor::stateName(state));
    if (state == Contributor::State::Disconnected || state == Contributor::State::Stopped
        || state == Contributor::State::Paused) {
        if (!detail.isEmpty())
            text += QStringLiteral(" — ") + detail;
    }
    m_connectionLabel->setText(text);
    m_contributorState = state == Contributor::State::Working
        ? QStringLiteral("Sharing: computing on %1").arg(m_network.contributorDeviceId())
        : QStringLiteral("Sharing: %1").arg(Contributor::stateName(state));
    showTrayState();
}

void MainWindow::countTask(bool accepted)
{
    if (accepted)
        ++m_tasksAccepted;
    m_tasksLabel->setText(QStringLiteral("Tasks computed and verified on this machine: %1").arg(m_tasksAccepted));
}

void MainWindow::runSampleJob()
{
    if (m_jobRunner && m_jobRunner->isRunning())
        return;
    m_runButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_resultLabel->setText(QStringLiteral("Submitting…"));

    m_jobRunner = std::make_unique<JobRunner>(m_network.engine(), m_network.coordinatorEndpoint());
    connect(m_jobRunner.get(), &JobRunner::submitted, this, [this](const QString &jobId, int taskCount) {
        m_progress->setRange(0, taskCount);
        m_resultLabel->setText(QStringLiteral("Job %1 running…").arg(jobId));
    });
    connect(m_jobRunner.get(), &JobRunner::progress, this, [this](const QString &, int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
    connect(m_jobRunner.get(), &JobRunner::finished, this, &MainWindow::showJobOutcome);
    m_jobRunner->run(sampleJobSpec());
}

void MainWindow::showJobOutcome(const JobOutcome &outcome)
{
    m_runButton->setEnabled(true);
    if (outcome.succeeded) {
        m_progress->setValue(m_progress->maximum());
        m_resultLabel->setText(
            QStringLiteral("<b>Verified.</b> %1×%2 result, C[0][0] = %3<br>SHA-256 %4<br>%5")
                .arg(outcome.rows).arg(outcome.cols)
                .arg(QString::number(double(outcome.firstValue), 'g', 9), outcome.resultSha256,
                     outcome.message.toHtmlEscaped()));
    } else {
        m_resultLabel->setText(QStringLiteral("<b>Failed.</b> %1").arg(outcome.message.toHtmlEscaped()));
    }
    Q_EMIT sampleJobFinished(outcome.succeeded);
}

} // namespace tributary::ui
