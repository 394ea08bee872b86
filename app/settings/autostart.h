#pragma once

// Autostart: "Start on login", the freedesktop way (XDG Autostart specification). The
// desktop session starts every application that has a .desktop file in
// $XDG_CONFIG_HOME/autostart (~/.config/autostart when the variable is unset), so turning
// it on writes tributary.desktop there and turning it off removes it. This works on
// GNOME, KDE, Xfce, LXQt and Cinnamon alike, with no daemon of our own.
//
//   Autostart autostart;                       // runs "<this executable> --minimized"
//   checkbox->setChecked(autostart.isEnabled());
//   QString error;
//   if (!autostart.setEnabled(true, &error))
//       showError(error);                      // names the file or folder it could not write
//
// The state lives in the file, not in our settings: a user who deletes it in their
// desktop's "Startup Applications" dialog, or sets Hidden=true there, sees the box
// unticked next time. A file of the same name in a system folder ($XDG_CONFIG_DIRS, e.g.
// /etc/xdg/autostart, put there by an administrator) counts too; turning that off writes
// a user file with Hidden=true, which is how the spec says a user overrides it.
//
// setEnabled(true) rewrites the file each time, so calling it again at start-up while
// isEnabled() keeps the Exec line pointing at an executable that has moved.
//
// Qt Core only (tributary-node links it too). Not thread-safe; use it from one thread.

#include <QString>
#include <QStringList>

namespace tributary {

class Autostart {
public:
    // `fileName`: the .desktop file's name in the autostart folder (no folders).
    // `command`: what the session runs, program first, one argument per entry; each is
    // quoted in the Exec line as the Desktop Entry spec requires (a path with spaces).
    explicit Autostart(
        QString fileName = QStringLiteral("tributary.desktop"), QStringList command = defaultCommand());

    // This executable with --minimized, so that a login starts the app in the tray.
    // Needs a QCoreApplication.
    static QStringList defaultCommand();

    // Whether the session will start the app: the user's file (or, without one, a system
    // one) exists, is a [Desktop Entry], and has neither Hidden=true nor
    // X-GNOME-Autostart-enabled=false.
    bool isEnabled() const;

    // Writes the file (atomically, creating the folder) or removes it. False with *error
    // (when not null) saying what failed and naming the path.
    bool setEnabled(bool enabled, QString *error);

    // $XDG_CONFIG_HOME/autostart/<fileName>: the file setEnabled() writes.
    QString filePath() const;

    // The Exec= value for `command`, escaped for a .desktop file (for tests and logs).
    static QString execValue(const QStringList &command);

private:
    bool writeFile(const QString &contents, QString *error) const;
    QString systemFilePath() const; // the first system-wide file of our name; empty if none

    QString m_fileName;
    QStringList m_command;
};

} // namespace tributary
