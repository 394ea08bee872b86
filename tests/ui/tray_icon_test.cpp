// The tray icon's menu, driven as a user would (offscreen): each entry reports what was
// asked with the right value, the setters change the menu without reporting anything,
// and the status and today's credits read the same in the menu and the tooltip.

#include "ui/tray_icon.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

using namespace tributary;

class TrayIconTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void menuIsLaidOutOnce();
    void pauseReportsAndFlipsItsText();
    void setSharingPausedEmitsNothing();
    void openQuitAndStartOnLoginReport();
    void setStartOnLoginEmitsNothing();
    void statusAndCreditsShowInMenuAndToolTip();
    void clickOnTheIconOpens();
    void showDoesNotChangeTheMenu();
};

void TrayIconTest::menuIsLaidOutOnce()
{
    ui::TrayIcon tray;
    QVERIFY(!tray.trayIcon()->icon().isNull());
    QCOMPARE(tray.trayIcon()->contextMenu(), tray.menu());

    const QList<QAction *> actions = tray.menu()->actions();
    QCOMPARE(actions.size(), 8);
    QCOMPARE(actions[0], tray.statusAction());
    QCOMPARE(actions[1], tray.todayAction());
    QCOMPARE(actions[2], tray.pauseAction());
    QCOMPARE(actions[3], tray.openAction());
    QVERIFY(actions[4]->isSeparator());
    QCOMPARE(actions[5], tray.startOnLoginAction());
    QVERIFY(actions[6]->isSeparator());
    QCOMPARE(actions[7], tray.quitAction());

    // The two information lines cannot be clicked; the rest can.
    QVERIFY(!tray.statusAction()->isEnabled());
    QVERIFY(!tray.todayAction()->isEnabled());
    QCOMPARE(tray.statusAction()->text(), QStringLiteral("Not sharing"));
    QCOMPARE(tray.todayAction()->text(), QStringLiteral("Today: 0.0 credits (0.0 pending)"));
    QCOMPARE(tray.pauseAction()->text(), QStringLiteral("Pause sharing"));
    QVERIFY(tray.pauseAction()->isCheckable() && !tray.pauseAction()->isChecked());
    QCOMPARE(tray.openAction()->text(), QStringLiteral("Open Tributary"));
    QCOMPARE(tray.startOnLoginAction()->text(), QStringLiteral("Start on login"));
    QVERIFY(tray.startOnLoginAction()->isCheckable() && !tray.startOnLoginAction()->isChecked());
    QCOMPARE(tray.quitAction()->text(), QStringLiteral("Quit Tributary"));

    // Updates change the entries in place rather than rebuilding the menu.
    tray.setStatus(QStringLiteral("Paused"));
    tray.setTodayCredits(1, 2);
    QCOMPARE(tray.menu()->actions(), actions);
}

void TrayIconTest::pauseReportsAndFlipsItsText()
{
    ui::TrayIcon tray;
    QSignalSpy paused(&tray, &ui::TrayIcon::pauseToggled);
    QSignalSpy others(&tray, &ui::TrayIcon::openRequested);

    tray.pauseAction()->trigger();
    QCOMPARE(paused.count(), 1);
    QCOMPARE(paused.takeFirst().at(0).toBool(), true);
    QVERIFY(tray.pauseAction()->isChecked());
    QCOMPARE(tray.pauseAction()->text(), QStringLiteral("Resume sharing"));

    tray.pauseAction()->trigger();
    QCOMPARE(paused.count(), 1);
    QCOMPARE(paused.takeFirst().at(0).toBool(), false);
    QCOMPARE(tray.pauseAction()->text(), QStringLiteral("Pause sharing"));
    QCOMPARE(others.count(), 0);
}

void TrayIconTest::setSharingPausedEmitsNothing()
{
    ui::TrayIcon tray;
    QSignalSpy paused(&tray, &ui::TrayIcon::pauseToggled);

    tray.setSharingPaused(true);
    QVERIFY(tray.pauseAction()->isChecked());
    QCOMPARE(tray.pauseAction()->text(), QStringLiteral("Resume sharing"));
    tray.setSharingPaused(true); // again: no change
    QVERIFY(tray.pauseAction()->isChecked());
    tray.setSharingPaused(false);
    QVERIFY(!tray.pauseAction()->isChecked());
    QCOMPARE(tray.pauseAction()->text(), QStringLiteral("Pause sharing"));
    QCOMPARE(paused.count(), 0);

    // The user's next click starts from the state set.
    tray.setSharingPaused(true);
    tray.pauseAction()->trigger();
    QCOMPARE(paused.count(), 1);
    QCOMPARE(paused.takeFirst().at(0).toBool(), false);
}

void TrayIconTest::openQuitAndStartOnLoginReport()
{
    ui::TrayIcon tray;
    QSignalSpy open(&tray, &ui::TrayIcon::openRequested);
    QSignalSpy quit(&tray, &ui::TrayIcon::quitRequested);
    QSignalSpy startOnLogin(&tray, &ui::TrayIcon::startOnLoginToggled);
    QSignalSpy paused(&tray, &ui::TrayIcon::pauseToggled);

    tray.openAction()->trigger();
    QCOMPARE(open.count(), 1);
    QCOMPARE(quit.count(), 0);

    tray.startOnLoginAction()->trigger();
    QCOMPARE(startOnLogin.count(), 1);
    QCOMPARE(startOnLogin.takeFirst().at(0).toBool(), true);
    QVERIFY(tray.startOnLoginAction()->isChecked());
    tray.startOnLoginAction()->trigger();
    QCOMPARE(startOnLogin.count(), 1);
    QCOMPARE(startOnLogin.takeFirst().at(0).toBool(), false);

    tray.quitAction()->trigger();
    QCOMPARE(quit.count(), 1);
    QCOMPARE(open.count(), 1);
    QCOMPARE(paused.count(), 0);

    // The information lines report nothing, even if triggered.
    tray.statusAction()->trigger();
    tray.todayAction()->trigger();
    QCOMPARE(open.count() + quit.count() + startOnLogin.count() + paused.count(), 1 + 1);
}

void TrayIconTest::setStartOnLoginEmitsNothing()
{
    ui::TrayIcon tray;
    QSignalSpy startOnLogin(&tray, &ui::TrayIcon::startOnLoginToggled);
    tray.setStartOnLogin(true);
    QVERIFY(tray.startOnLoginAction()->isChecked());
    tray.setStartOnLogin(false);
    QVERIFY(!tray.startOnLoginAction()->isChecked());
    QCOMPARE(startOnLogin.count(), 0);
}

void TrayIconTest::statusAndCreditsShowInMenuAndToolTip()
{
    ui::TrayIcon tray;
    QCOMPARE(tray.trayIcon()->toolTip(), QStringLiteral("Tributary — Not sharing · today 0.0 credits"));

    tray.setStatus(QStringLiteral("Sharing: computing on cuda:0"));
    QCOMPARE(tray.statusAction()->text(), QStringLiteral("Sharing: computing on cuda:0"));
    QCOMPARE(tray.trayIcon()->toolTip(),
        QStringLiteral("Tributary — Sharing: computing on cuda:0 · today 0.0 credits"));

    tray.setTodayCredits(12.5, 3.0);
    QCOMPARE(tray.todayAction()->text(), QStringLiteral("Today: 12.5 credits (3.0 pending)"));
    tray.setTodayCredits(0.0163, 0);
    QCOMPARE(tray.todayAction()->text(), QStringLiteral("Today: 0.016 credits (0.0 pending)"));
    tray.setTodayCredits(12.5, 3.0);
    QCOMPARE(tray.trayIcon()->toolTip(),
        QStringLiteral("Tributary — Sharing: computing on cuda:0 · today 12.5 credits"));

    tray.setStatus(QStringLiteral("Paused"));
    tray.setTodayCredits(0.04, 1234.56);
    QCOMPARE(tray.statusAction()->text(), QStringLiteral("Paused"));
    QCOMPARE(tray.todayAction()->text(), QStringLiteral("Today: 0.04 credits (1234.6 pending)"));
    QCOMPARE(tray.trayIcon()->toolTip(), QStringLiteral("Tributary — Paused · today 0.04 credits"));

    // "&" in a status is shown, not taken as a shortcut marker.
    tray.setStatus(QStringLiteral("Sharing: computing on R&D GPU"));
    QCOMPARE(tray.statusAction()->text(), QStringLiteral("Sharing: computing on R&&D GPU"));
    QCOMPARE(tray.trayIcon()->toolTip(),
        QStringLiteral("Tributary — Sharing: computing on R&D GPU · today 0.04 credits"));
}

void TrayIconTest::clickOnTheIconOpens()
{
    ui::TrayIcon tray;
    QSignalSpy open(&tray, &ui::TrayIcon::openRequested);
    Q_EMIT tray.trayIcon()->activated(QSystemTrayIcon::Context); // right click: the menu
    Q_EMIT tray.trayIcon()->activated(QSystemTrayIcon::MiddleClick);
    QCOMPARE(open.count(), 0);
    Q_EMIT tray.trayIcon()->activated(QSystemTrayIcon::Trigger);
    QCOMPARE(open.count(), 1);
}

void TrayIconTest::showDoesNotChangeTheMenu()
{
    ui::TrayIcon tray;
    // Offscreen there is no tray; show() must still be harmless.
    QCOMPARE(tray.isAvailable(), QSystemTrayIcon::isSystemTrayAvailable());
    tray.show();
    tray.setStatus(QStringLiteral("Paused"));
    QCOMPARE(tray.statusAction()->text(), QStringLiteral("Paused"));
    QCOMPARE(tray.trayIcon()->contextMenu(), tray.menu());
}

QTEST_MAIN(TrayIconTest)
#include "tray_icon_test.moc"
