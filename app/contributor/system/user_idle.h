#pragma once

// UserIdle: how long the person at this computer has left keyboard and mouse alone, for
// the "only when I'm away" rule.
//
//   UserIdle idle;                       // probes once: X11, then logind
//   if (auto seconds = idle.seconds()) ... else idle.why();   // "no X display and no logind session"
//
// Sources, in order:
// - X11's screen-saver extension on $DISPLAY (libXss, loaded at run time so that headless
//   machines need no X libraries): exact idle time, what xprintidle reports;
// - logind's IdleHint for this process's session on the system bus, which GNOME, KDE and
//   screen lockers set after their own idle delay: idle or not, and since when.
// Wayland sessions without XWayland answer through logind. Not thread-safe: use it from
// one thread (the runtime's telemetry poll).

#include <QString>

#include <memory>
#include <optional>

namespace tributary {

class UserIdle {
public:
    UserIdle();
    ~UserIdle();
    UserIdle(const UserIdle &) = delete;
    UserIdle &operator=(const UserIdle &) = delete;

    // Seconds since the last input, or unset when no source answers now.
    std::optional<double> seconds();
    // The source in use ("X11 screen saver on :0", "logind session 3"), or why there is none.
    QString source() const;
    QString why() const;

private:
    struct X11;
    std::optional<double> logindSeconds();

    std::unique_ptr<X11> m_x11;
    QString m_logindSession; // D-Bus object path of our session, when logind has one
    QString m_source;
    QString m_why;
};

} // namespace tributary
