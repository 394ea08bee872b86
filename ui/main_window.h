#pragma once

// MainWindow: the first window a user sees. It shows a card per device the engine found
// (its switch, rules, state and live charts), the state of the local network with a
// switch to pause all sharing, what the contributor did and why (the activity log), and runs the sample job
// with a progress bar that moves as tasks are verified.
//
// It owns the tray icon. Where the desktop has a tray, closing the window hides it and
// sharing goes on; "Quit Tributary" in the tray's menu is the way out.

#include "app/contributor/contributor.h"
#include "app/jobs/job_runner.h"

#include <QMainWindow>
#include <QTimer>

#include <memory>

class QLabel;
class QListView;
class QTabWidget;
class QProgressBar;
class QPushButton;
class QCloseEvent;

namespace tributary {
class LocalNetwork;
}

namespace tributary::ui {

class DeviceCardsPanel;
class EarningsPanel;
class TrayIcon;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `network` must outlive the window. The window listens to it from construction, so
    // create the window before starting the network to see every state change.
    explicit MainWindow(LocalNetwork &network, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Call once the network has started: shows its address and its task history.
    void showNetworkStarted();

    // For tests: the widgets a user looks at.
    DeviceCardsPanel *deviceCards() const { return m_deviceCards; }
    QProgressBar *sampleProgress() const { return m_progress; }
    QPushButton *sampleButton() const { return m_runButton; }
    QLabel *sampleResultLabel() const { return m_resultLabel; }
    QLabel *connectionLabel() const { return m_connectionLabel; }
    QLabel *tasksLabel() const { return m_tasksLabel; }
    QPushButton *pauseButton() const { return m_pauseButton; }
    QListView *activityView() const { return m_activityView; }
    QTabWidget *tabs() const { return m_tabs; }
    EarningsPanel *earningsPanel() const { return m_earnings; }
    TrayIcon *trayIcon() const { return m_tray; }

    // Whether closing the window only hides it (a tray is there to bring it back).
    bool closesToTray() const;
    // Lets the next close quit even with a tray ("Quit Tributary").
    void quitFromTray();

public Q_SLOTS:
    void runSampleJob();

Q_SIGNALS:
    void sampleJobFinished(bool succeeded);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createTray();
    void showTrayState();
    QWidget *createHeader();
    QWidget *createSampleJobBox();
    QWidget *createActivityBox();
    void showSharingPaused(bool paused);
    void showContributorState(Contributor::State state, const QString &detail);
    void showJobOutcome(const JobOutcome &outcome);
    void countTask(bool accepted);

    LocalNetwork &m_network;
    DeviceCardsPanel *m_deviceCards = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_addressLabel = nullptr;
    QLabel *m_tasksLabel = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QListView *m_activityView = nullptr;
    QTabWidget *m_tabs = nullptr;
    EarningsPanel *m_earnings = nullptr;
    TrayIcon *m_tray = nullptr;
    bool m_quitting = false;
    bool m_toldAboutTray = false;
    QString m_contributorState; // for the tray's status line
    QTimer m_trayRefresh; // coalesces the history's commits into one tray update a second
    int m_tasksAccepted = 0;
    QPushButton *m_runButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_resultLabel = nullptr;
    std::unique_ptr<JobRunner> m_jobRunner;
};

} // namespace tributary::ui
