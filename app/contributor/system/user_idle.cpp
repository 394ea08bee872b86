#include "app/contributor/system/user_idle.h"

#include <QByteArray>
#include <QDBusConnection>
#include <QDBusInterface>
#include <QDBusReply>
#include <QDBusObjectPath>
#include <QVariant>

#include <algorithm>

#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

namespace tributary {

namespace {

// The handful of Xlib and XScreenSaver declarations used, so that no X header (with its
// macros named Status, Bool and None) enters the build. A stable ABI since X11R6.
struct Display;
using XID = unsigned long;
struct XScreenSaverInfo {
    XID window;
    int state;
    int kind;
    unsigned long tilOrSince;
    unsigned long idle; // milliseconds since the last input
    unsigned long eventMask;
};

} // namespace

struct UserIdle::X11 {
    void *xlib = nullptr;
    void *xss = nullptr;
    Display *display = nullptr;
    XScreenSaverInfo *info = nullptr;
    Display *(*openDisplay)(const char *) = nullptr;
    int (*closeDisplay)(Display *) = nullptr;
    XID (*defaultRootWindow)(Display *) = nullptr;
    int (*free)(void *) = nullptr;
    int (*queryExtension)(Display *, int *, int *) = nullptr;
    XScreenSaverInfo *(*allocInfo)() = nullptr;
    int (*queryInfo)(Display *, XID, XScreenSaverInfo *) = nullptr;

    ~X11()
    {
        if (info && free)
            free(info);
        if (display && closeDisplay)
            closeDisplay(display);
        if (xss)
            dlclose(xss);
        if (xlib)
            dlclose(xlib);
    }

    template<typename F>
    static bool bind(void *library, F *function, const char *name)
    {
        *function = reinterpret_cast<F>(dlsym(library, name));
        return *function != nullptr;
    }

    // Null with *why set when there is no display or no extension.
    static std::unique_ptr<X11> open(QString *why)
    {
        const QByteArray displayName = qgetenv("DISPLAY");
        if (displayName.isEmpty()) {
            *why = QStringLiteral("no X display ($DISPLAY is not set)");
            return nullptr;
        }
        auto x11 = std::make_unique<X11>();
        x11->xlib = dlopen("libX11.so.6", RTLD_NOW | RTLD_LOCAL);
        x11->xss = dlopen("libXss.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!x11->xlib || !x11->xss) {
            *why = QStringLiteral("libX11.so.6 or libXss.so.1 is not installed");
            return nullptr;
        }
        const bool bound = bind(x11->xlib, &x11->openDisplay, "XOpenDisplay")
            && bind(x11->xlib, &x11->closeDisplay, "XCloseDisplay")
            && bind(x11->xlib, &x11->defaultRootWindow, "XDefaultRootWindow") && bind(x11->xlib, &x11->free, "XFree")
            && bind(x11->xss, &x11->queryExtension, "XScreenSaverQueryExtension")
            && bind(x11->xss, &x11->allocInfo, "XScreenSaverAllocInfo")
            && bind(x11->xss, &x11->queryInfo, "XScreenSaverQueryInfo");
        if (!bound) {
            *why = QStringLiteral("libXss.so.1 lacks the screen-saver functions");
            return nullptr;
        }
        x11->display = x11->openDisplay(displayName.constData());
        if (!x11->display) {
            *why = QStringLiteral("cannot open X display %1").arg(QString::fromLocal8Bit(displayName));
            return nullptr;
        }
        int eventBase = 0, errorBase = 0;
        if (!x11->queryExtension(x11->display, &eventBase, &errorBase)) {
            *why = QStringLiteral("X display %1 has no screen-saver extension").arg(QString::fromLocal8Bit(displayName));
            return nullptr;
        }
        x11->info = x11->allocInfo();
        if (!x11->info) {
            *why = QStringLiteral("out of memory");
            return nullptr;
        }
        return x11;
    }

    std::optional<double> seconds()
    {
        if (!queryInfo(display, defaultRootWindow(display), info))
            return std::nullopt;
        return double(info->idle) / 1000.0;
    }
};

UserIdle::UserIdle()
{
    QString x11Why;
    m_x11 = X11::open(&x11Why);
    if (m_x11) {
        m_source = QStringLiteral("X11 screen saver on %1").arg(QString::fromLocal8Bit(qgetenv("DISPLAY")));
        return;
    }
    // logind: the session this process belongs to.
    QString logindWhy;
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        logindWhy = QStringLiteral("no system bus");
    } else {
        QDBusInterface manager(QStringLiteral("org.freedesktop.login1"), QStringLiteral("/org/freedesktop/login1"),
            QStringLiteral("org.freedesktop.login1.Manager"), bus);
        const QDBusReply<QDBusObjectPath> session
            = manager.call(QStringLiteral("GetSessionByPID"), quint32(::getpid()));
        if (session.isValid())
            m_logindSession = session.value().path();
        else
            logindWhy = QStringLiteral("no logind session (%1)").arg(session.error().message());
    }
    if (!m_logindSession.isEmpty()) {
        m_source = QStringLiteral("logind session %1").arg(m_logindSession.section(QLatin1Char('/'), -1));
        return;
    }
    m_why = x11Why + QStringLiteral(", and ") + logindWhy;
}

UserIdle::~UserIdle() = default;

std::optional<double> UserIdle::seconds()
{
    if (m_x11)
        return m_x11->seconds();
    if (!m_logindSession.isEmpty())
        return logindSeconds();
    return std::nullopt;
}

std::optional<double> UserIdle::logindSeconds()
{
    QDBusInterface session(QStringLiteral("org.freedesktop.login1"), m_logindSession,
        QStringLiteral("org.freedesktop.login1.Session"), QDBusConnection::systemBus());
    const QVariant hint = session.property("IdleHint");
    if (!hint.isValid())
        return std::nullopt;
    if (!hint.toBool())
        return 0.0;
    // IdleSinceHintMonotonic is CLOCK_MONOTONIC in microseconds.
    const QVariant since = session.property("IdleSinceHintMonotonic");
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const double nowUs = double(now.tv_sec) * 1e6 + double(now.tv_nsec) / 1e3;
    if (!since.isValid() || since.toULongLong() == 0)
        return std::nullopt;
    return std::max(0.0, (nowUs - double(since.toULongLong())) / 1e6);
}

QString UserIdle::source() const
{
    return m_source;
}

QString UserIdle::why() const
{
    return m_why;
}

} // namespace tributary
