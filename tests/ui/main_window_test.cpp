// The desktop window, driven as a user would (offscreen): the devices are listed, the
// local contributor connects, and "Run sample job" moves the progress bar to the end and
// shows a verified result.

#include "app/local/local_network.h"
#include "ui/device_table_model.h"
#include "ui/earnings_panel.h"
#include "ui/main_window.h"
#include "ui/tray_icon.h"

#include <QAction>
#include <QBarSet>
#include <QFile>
#include <QLabel>
#include <QListView>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary;

class MainWindowTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsDevicesAndRunsTheSampleJob();
};

void MainWindowTest::showsDevicesAndRunsTheSampleJob()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LocalNetwork network({dir.filePath(QStringLiteral("local.db")), QStringLiteral("cpu:0")});
    ui::MainWindow window(network);
    QSignalSpy contributorStates(&network, &LocalNetwork::contributorStateChanged);
    QString error;
    QVERIFY2(network.start(&error), qPrintable(error));
    window.showNetworkStarted();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Every device the engine found is listed; the CPU first, and available.
    QAbstractItemModel *devices = window.deviceTable()->model();
    QCOMPARE(devices->rowCount(), int(network.engine().devices().size()));
    QVERIFY(devices->rowCount() >= 3); // CPU, and a Vulkan and a CUDA row even when unavailable
    QCOMPARE(devices->index(0, ui::DeviceTableModel::Backend).data().toString(), QStringLiteral("CPU"));
    // Available, and bit-identical to the reference by the determinism self-test.
    QCOMPARE(devices->index(0, ui::DeviceTableModel::Status).data().toString(), QStringLiteral("Available · exact"));
    for (int row = 0; row < devices->rowCount(); ++row) {
        const QString status = devices->index(row, ui::DeviceTableModel::Status).data().toString();
        QVERIFY2(status.startsWith(QStringLiteral("Available")) || status.startsWith(QStringLiteral("Unavailable: ")),
                 qPrintable(status));
        QVERIFY2(status != QStringLiteral("Unavailable: "), "an unavailable device must say why");
    }

    // An unusable device says what to do about it, under the list.
    for (const engine::DeviceInfo &device : network.engine().devices()) {
        if (!device.available && device.unavailableReason == "no NVIDIA driver found")
            QVERIFY2(window.deviceAdviceLabel()->text().contains(QStringLiteral("CUDA: If this computer has an NVIDIA GPU, "
                                                                                "install NVIDIA's driver")),
                     qPrintable(window.deviceAdviceLabel()->text()));
    }

    // The contributor connects to the embedded coordinator.
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("waiting for work")), 20000);

    QSignalSpy finished(&window, &ui::MainWindow::sampleJobFinished);
    QTest::mouseClick(window.sampleButton(), Qt::LeftButton);
    QVERIFY(!window.sampleButton()->isEnabled());
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().first().toBool(), true);

    QCOMPARE(window.sampleProgress()->maximum(), 16);
    QCOMPARE(window.sampleProgress()->value(), 16);
    QVERIFY2(window.sampleResultLabel()->text().contains(QStringLiteral("Verified.")),
             qPrintable(window.sampleResultLabel()->text()));
    QVERIFY(window.sampleButton()->isEnabled());
    // The local contributor did the work; its count arrives by queued signal.
    QTRY_COMPARE(window.tasksLabel()->text(), QStringLiteral("Tasks computed and verified on this machine: 16"));
    QVERIFY(contributorStates.count() >= 1);

    // Earnings: once the ledger is read, the 16 runs are verified credits, today's bar
    // shows them, and the CSV export lists every run.
    QVERIFY(network.history() && network.earnings());
    QSignalSpy polled(network.earnings(), &EarningsTracker::polled);
    network.earnings()->pollNow();
    QVERIFY(polled.wait(10000));
    QVERIFY(network.history()->flush());
    ui::EarningsPanel *earnings = window.earningsPanel();
    earnings->refresh();
    QVERIFY2(earnings->totalLabel()->text().contains(QStringLiteral("0 pending · 16 tasks"))
                 || earnings->totalLabel()->text().contains(QStringLiteral("0 credits pending · 16 tasks")),
             qPrintable(earnings->totalLabel()->text()));
    QVERIFY2(!earnings->totalLabel()->text().startsWith(QStringLiteral("0 credits verified")),
             qPrintable(earnings->totalLabel()->text()));
    QCOMPARE(earnings->verifiedPerDay()->count(), ui::EarningsPanel::kChartDays);
    QVERIFY(earnings->verifiedPerDay()->at(ui::EarningsPanel::kChartDays - 1) > 0);
    const QString csvPath = dir.filePath(QStringLiteral("earnings.csv"));
    QString csvError;
    QVERIFY2(earnings->exportCsv(csvPath, &csvError), qPrintable(csvError));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 17); // a header and 16 runs

    // The activity log says what the contributor did.
    QAbstractItemModel *activity = window.activityView()->model();
    QVERIFY(activity->rowCount() >= 16);
    QVERIFY2(activity->index(0, 0).data().toString().contains(QStringLiteral("computed in")),
             qPrintable(activity->index(0, 0).data().toString()));

    // "Pause sharing": within a second the contributor stops and says why, in the header
    // and at the top of the activity log; "Resume sharing" starts it again.
    QCOMPARE(window.pauseButton()->text(), QStringLiteral("Pause sharing"));
    QTest::mouseClick(window.pauseButton(), Qt::LeftButton);
    QVERIFY(network.sharingPaused());
    QCOMPARE(window.pauseButton()->text(), QStringLiteral("Resume sharing"));
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("paused — paused by you")), 1000);
    QVERIFY2(activity->index(0, 0).data().toString().endsWith(QStringLiteral("paused by you")),
             qPrintable(activity->index(0, 0).data().toString()));
    QTest::mouseClick(window.pauseButton(), Qt::LeftButton);
    QVERIFY(!network.sharingPaused());
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("waiting for work")), 1000);

    // The tray: today's credits, and the same pause as the window's button.
    ui::TrayIcon *tray = window.trayIcon();
    QTRY_VERIFY2(tray->todayAction()->text().startsWith(QStringLiteral("Today: "))
                     && !tray->todayAction()->text().startsWith(QStringLiteral("Today: 0.0 ")),
        qPrintable(tray->todayAction()->text()));
    QVERIFY2(tray->statusAction()->text().startsWith(QStringLiteral("Sharing: ")), qPrintable(tray->statusAction()->text()));
    tray->pauseAction()->trigger();
    QVERIFY(network.sharingPaused());
    QCOMPARE(window.pauseButton()->text(), QStringLiteral("Resume sharing"));
    QCOMPARE(tray->statusAction()->text(), QStringLiteral("Paused"));
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("paused — paused by you")), 1000);
    tray->pauseAction()->trigger();
    QVERIFY(!network.sharingPaused());
    QVERIFY(!tray->pauseAction()->isChecked());

    // Without a tray to come back from (offscreen has none), closing the window closes it.
    QVERIFY(!window.closesToTray());
    QVERIFY(window.close());
    QVERIFY(!window.isVisible());
}

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
