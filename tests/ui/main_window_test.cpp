// The desktop window, driven as a user would (offscreen): the devices are listed, the
// local contributor connects, and "Run sample job" moves the progress bar to the end and
// shows a verified result.

#include "app/local/local_network.h"
#include "ui/device_card.h"
#include "ui/device_cards_panel.h"
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
#include <QTableWidget>
#include <QCheckBox>
#include <QLineSeries>
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

    // Every device the engine found has a card; unusable ones say what to do about it.
    ui::DeviceCardsPanel *cards = window.deviceCards();
    QCOMPARE(cards->cardCount(), int(network.engine().devices().size()));
    QVERIFY(cards->cardCount() >= 3); // CPU, and a Vulkan and a CUDA card even when unavailable
    ui::DeviceCard *cpu = cards->card(QStringLiteral("cpu:0"));
    QVERIFY(cpu);
    QVERIFY(!cpu->isUnavailable());
    QVERIFY(cpu->policy().enabled); // started with --device cpu:0: shared
    QVERIFY(cpu->enabledSwitch()->isChecked());
    for (const engine::DeviceInfo &device : network.engine().devices()) {
        ui::DeviceCard *card = cards->card(QString::fromStdString(device.id));
        QVERIFY(card);
        if (!device.available) {
            QVERIFY(card->isUnavailable());
            QVERIFY(!card->enabledSwitch()->isEnabled());
        }
        if (!device.available && device.unavailableReason == "no NVIDIA driver found")
            QVERIFY2(card->adviceLabel()->text().contains(QStringLiteral("If this computer has an NVIDIA GPU, "
                                                                         "install NVIDIA's driver")),
                qPrintable(card->adviceLabel()->text()));
        // Usable, but not the device this session shares: its card says so.
        if (device.available && device.id != "cpu:0")
            QVERIFY2(card->adviceLabel()->text().contains(QStringLiteral("Not shared in this session")),
                qPrintable(card->adviceLabel()->text()));
    }
    // The shared device charts a reading a second.
    QTRY_VERIFY_WITH_TIMEOUT(cpu->utilizationSeries()->count() >= 2, 5000);
    QVERIFY(cpu->temperatureNote()->isVisible()); // the CPU device reports no temperature

    // The contributor connects to the embedded coordinator.
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("waiting for work")), 20000);

    QSignalSpy finished(&window, &ui::MainWindow::sampleJobFinished);
    QTest::mouseClick(window.sampleButton(), Qt::LeftButton);
    QVERIFY(!window.sampleButton()->isEnabled());
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(cpu->stateLabel()->text(), QStringLiteral("Running"));

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
    // By device and by job: every run was cpu:0's, for the one sample job.
    QCOMPARE(earnings->byDeviceTable()->rowCount(), 1);
    QCOMPARE(earnings->byDeviceTable()->item(0, 0)->text(), QStringLiteral("cpu:0"));
    QCOMPARE(earnings->byDeviceTable()->item(0, 1)->text(), QStringLiteral("16"));
    QVERIFY(earnings->byDeviceTable()->item(0, 2)->text().toDouble() > 0);
    QCOMPARE(earnings->byDeviceTable()->item(0, 3)->text(), QStringLiteral("0"));
    QCOMPARE(earnings->byJobTable()->rowCount(), 1);
    QCOMPARE(earnings->byJobTable()->item(0, 1)->text(), QStringLiteral("16"));
    QCOMPARE(earnings->byJobTable()->item(0, 2)->text(), earnings->byDeviceTable()->item(0, 2)->text());
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
    QCOMPARE(cpu->stateLabel()->text(), QStringLiteral("Paused"));
    QVERIFY2(activity->index(0, 0).data().toString().endsWith(QStringLiteral("paused by you")),
             qPrintable(activity->index(0, 0).data().toString()));
    QTest::mouseClick(window.pauseButton(), Qt::LeftButton);
    QVERIFY(!network.sharingPaused());
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("waiting for work")), 1000);

    // The card's switch turns the device off at once, and the choice is saved.
    cpu->enabledSwitch()->click();
    QVERIFY(!network.device(QStringLiteral("cpu:0"))->policy().enabled);
    QTRY_COMPARE_WITH_TIMEOUT(cpu->stateLabel()->text(), QStringLiteral("Off"), 1000);
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains(QStringLiteral("paused")), 1000);
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("policies.json"))));
    cpu->enabledSwitch()->click();
    QVERIFY(network.device(QStringLiteral("cpu:0"))->policy().enabled);
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
