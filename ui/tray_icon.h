#pragma once

// TrayIcon: Tributary in the system tray, as qBittorrent or a sync client sits there, so
// that sharing goes on with the window closed. Its menu says what the machine is doing
// and what it earned today, and offers the few things a contributor does without opening
// the window:
//
//   Sharing: computing on cuda:0          (status, greyed)
//   Today: 12.5 credits (3.0 pending)     (greyed)
//   Pause sharing / Resume sharing        (checkable)
//   Open Tributary
//   ───
//   Start on login                        (checkable)
//   ───
//   Quit Tributary
//
// The icon only reports what the user asked for (signals); the owner applies it and
// feeds the state back with the setters, which never emit, so there is no loop:
//
//   ui::TrayIcon tray;
//   connect(&tray, &ui::TrayIcon::pauseToggled, ..., /* pause or resume sharing */);
//   connect(&tray, &ui::TrayIcon::openRequested, &window, [&] {
//       window.showNormal(); window.raise(); window.activateWindow(); });
//   connect(&tray, &ui::TrayIcon::quitRequested, qApp, &QCoreApplication::quit);
//   connect(&tray, &ui::TrayIcon::startOnLoginToggled, ..., /* Autostart::setEnabled */);
//   tray.setStartOnLogin(autostart.isEnabled());
//   tray.show();
//
// Clicking the icon (QSystemTrayIcon::Trigger) opens the window too.
//
// Close to tray (for MainWindow, which this class does not touch): when isAvailable(),
// closing the window should hide it and keep sharing, so MainWindow::closeEvent hides the
// window and ignores the event, and "Quit Tributary" becomes the way out. Set
// QApplication::setQuitOnLastWindowClosed(false) as well, or closing any dialog while the
// window is hidden quits the app. Where no tray is available (GNOME without the
// AppIndicator extension, some Wayland sessions) closing must quit as before: a hidden
// window with no icon would leave the user no way back. The same holds for --minimized
// (what "Start on login" runs): start hidden only when the tray is available.

#include <QObject>
#include <QString>

#include <memory>

class QAction;
class QIcon;
class QMenu;
class QSystemTrayIcon;

namespace tributary::ui {

class TrayIcon : public QObject {
    Q_OBJECT
public:
    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    // What sharing is doing, in the user's words: "Sharing: computing on cuda:0",
    // "Paused", "Not sharing" (the initial text).
    void setStatus(const QString &text);
    // Checks "Pause sharing" (which then reads "Resume sharing"); emits nothing.
    void setSharingPaused(bool paused);
    // Today's credits: verified, and pending verification.
    void setTodayCredits(double verified, double pending);
    // Checks "Start on login"; emits nothing.
    void setStartOnLogin(bool on);

    // Whether the desktop has a tray to show the icon in.
    bool isAvailable() const;
    // Shows the icon. On X11 a tray that appears only later (a panel that starts after the
    // app at login) gets it then. isAvailable() still decides about close to tray.
    void show();

    // The context menu, built once and updated in place (for tests and the integrator).
    QMenu *menu() const { return m_menu.get(); }
    QSystemTrayIcon *trayIcon() const { return m_tray.get(); }
    QAction *statusAction() const { return m_statusAction; }
    QAction *todayAction() const { return m_todayAction; }
    QAction *pauseAction() const { return m_pauseAction; }
    QAction *openAction() const { return m_openAction; }
    QAction *startOnLoginAction() const { return m_startOnLoginAction; }
    QAction *quitAction() const { return m_quitAction; }

    // The app's icon from the resources, or a drawn stand-in when they are not linked in.
    static QIcon appIcon();

Q_SIGNALS:
    void pauseToggled(bool paused);
    void openRequested();
    void quitRequested();
    void startOnLoginToggled(bool on);

private:
    void updateToolTip();

    QString m_status;
    QString m_creditsToday; // verified, as shown: "12.5"
    // The menu outlives the icon that shows it (members are destroyed in reverse order).
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    QAction *m_statusAction = nullptr;
    QAction *m_todayAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_startOnLoginAction = nullptr;
    QAction *m_quitAction = nullptr;
};

} // namespace tributary::ui
