#include "ui/tray_icon.h"

#include <QAction>
#include <QColor>
#include <QFile>
#include <QGuiApplication>
#include <QIcon>
#include <QImage>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace tributary::ui {

namespace {

QString pauseText(bool paused)
{
    return paused ? QStringLiteral("Resume sharing") : QStringLiteral("Pause sharing");
}

QString creditsText(double credits)
{
    // A small task earns a fraction of a credit: show its first digits, not "0.0".
    if (credits > 0 && credits < 1)
        return QString::number(credits, 'g', 2);
    return QString::number(credits, 'f', 1);
}

// A menu reads "&" as a keyboard shortcut marker; a status is shown as written.
QString menuText(QString text)
{
    return text.replace(QLatin1Char('&'), QStringLiteral("&&"));
}

// resources/icons/tributary.svg drawn by hand, for builds without the resource (or the
// SVG plugin): three streams joining into one river on a dark blue square.
QIcon drawnIcon()
{
    QImage image(64, 64, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(64.0 / 256.0, 64.0 / 256.0);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0x1f, 0x4e, 0x79));
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 52, 52);
    auto stroke = [&painter](const QPainterPath &path, QColor color, double width) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(color, width, Qt::SolidLine, Qt::RoundCap));
        painter.drawPath(path);
    };
    QPainterPath left(QPointF(52, 52));
    left.cubicTo(80, 110, 110, 130, 128, 160);
    QPainterPath right(QPointF(204, 52));
    right.cubicTo(176, 110, 146, 130, 128, 160);
    QPainterPath middle(QPointF(128, 40));
    middle.lineTo(128, 160);
    QPainterPath river(QPointF(128, 160));
    river.lineTo(128, 214);
    stroke(left, QColor(0x7f, 0xd3, 0xff), 16);
    stroke(right, QColor(0x7f, 0xd3, 0xff), 16);
    stroke(middle, QColor(0xa6, 0xe4, 0xff), 16);
    stroke(river, Qt::white, 26);
    painter.end();
    return QIcon(QPixmap::fromImage(image));
}

} // namespace

QIcon TrayIcon::appIcon()
{
    const QString path = QStringLiteral(":/icons/tributary.svg");
    if (QFile::exists(path)) {
        const QIcon icon(path);
        if (!icon.pixmap(QSize(32, 32)).isNull()) // null without Qt's SVG plugin
            return icon;
    }
    return drawnIcon();
}

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_status(QStringLiteral("Not sharing"))
    , m_menu(std::make_unique<QMenu>())
    , m_tray(std::make_unique<QSystemTrayIcon>())
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_statusAction = m_menu->addAction(QString());
    m_statusAction->setObjectName(QStringLiteral("trayStatus"));
    m_statusAction->setEnabled(false);
    m_todayAction = m_menu->addAction(QString());
    m_todayAction->setObjectName(QStringLiteral("trayToday"));
    m_todayAction->setEnabled(false);

    m_pauseAction = m_menu->addAction(pauseText(false));
    m_pauseAction->setObjectName(QStringLiteral("trayPause"));
    m_pauseAction->setCheckable(true);
    // toggled follows every change of state (the text must too); triggered only the
    // user's, which is all that is reported.
    connect(m_pauseAction, &QAction::toggled, this,
        [this](bool paused) { m_pauseAction->setText(pauseText(paused)); });
    connect(m_pauseAction, &QAction::triggered, this, [this](bool paused) { Q_EMIT pauseToggled(paused); });

    m_openAction = m_menu->addAction(QStringLiteral("Open Tributary"));
    m_openAction->setObjectName(QStringLiteral("trayOpen"));
    connect(m_openAction, &QAction::triggered, this, [this] { Q_EMIT openRequested(); });

    m_menu->addSeparator();
    m_startOnLoginAction = m_menu->addAction(QStringLiteral("Start on login"));
    m_startOnLoginAction->setObjectName(QStringLiteral("trayStartOnLogin"));
    m_startOnLoginAction->setCheckable(true);
    connect(
        m_startOnLoginAction, &QAction::triggered, this, [this](bool on) { Q_EMIT startOnLoginToggled(on); });

    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(QStringLiteral("Quit Tributary"));
    m_quitAction->setObjectName(QStringLiteral("trayQuit"));
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, [this] { Q_EMIT quitRequested(); });

    m_tray->setIcon(appIcon());
    m_tray->setContextMenu(m_menu.get());
    connect(
        m_tray.get(), &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger)
                Q_EMIT openRequested();
        });

    setStatus(m_status);
    setTodayCredits(0, 0);
}

TrayIcon::~TrayIcon() = default;

void TrayIcon::setStatus(const QString &text)
{
    m_status = text;
    m_statusAction->setText(menuText(text));
    updateToolTip();
}

void TrayIcon::setSharingPaused(bool paused)
{
    m_pauseAction->setChecked(paused);
}

void TrayIcon::setTodayCredits(double verified, double pending)
{
    m_creditsToday = creditsText(verified);
    m_todayAction->setText(
        QStringLiteral("Today: %1 credits (%2 pending)").arg(m_creditsToday, creditsText(pending)));
    updateToolTip();
}

void TrayIcon::setStartOnLogin(bool on)
{
    m_startOnLoginAction->setChecked(on);
}

bool TrayIcon::isAvailable() const
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::show()
{
    // At login the app may start before the panel does. On X11 Qt puts a visible icon into
    // a tray that appears later, so show it even with no tray yet there; elsewhere that
    // would only make Qt warn.
    if (isAvailable() || QGuiApplication::platformName() == QLatin1String("xcb"))
        m_tray->show();
}

void TrayIcon::updateToolTip()
{
    m_tray->setToolTip(QStringLiteral("Tributary — %1 · today %2 credits").arg(m_status, m_creditsToday));
}

} // namespace tributary::ui
