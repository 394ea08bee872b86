// tributary: the desktop app. `tributary --headless` runs the same local network in a
// terminal (no display needed) and exits when the sample job is verified.

#include "app/logging_categories.h"
#include "app/local/local_network.h"
#include "app/main/headless.h"
#include "app/settings/connection_settings.h"
#include "ui/earnings_panel.h"
#include "ui/first_run_flow.h"
#include "ui/first_run_wizard.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <cstring>
#include <memory>

namespace {

struct DesktopOptions {
    bool headless = false;
    QString databasePath;
    QString deviceId;
    bool runSampleJob = false;
    bool minimized = false;
    QString screenshotPath;
    QString setupScreenshotPath;
};

DesktopOptions parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tributary: share your GPU with researchers, or run jobs on the network."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
        QStringLiteral("Run without a window: start the local network, run the sample job, print the verified result and exit."));
    const QCommandLineOption database(QStringLiteral("db"),
        QStringLiteral("The local coordinator's database (default: in the app's data folder)."),
        QStringLiteral("path"));
    const QCommandLineOption device(QStringLiteral("device"),
        QStringLiteral("The device to contribute with, e.g. cpu:0 or vulkan:0 (default: the best one)."),
        QStringLiteral("id"));
    const QCommandLineOption runSample(QStringLiteral("run-sample-job"),
        QStringLiteral("Run the sample job as soon as the window opens."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Run the sample job, save a screenshot of the window to <file> once it is verified, and quit."),
        QStringLiteral("file"));
    const QCommandLineOption minimized(QStringLiteral("minimized"),
        QStringLiteral("Start in the tray without opening the window (what \"Start on login\" runs); "
                       "the window opens anyway where the desktop has no tray."));
    const QCommandLineOption setupScreenshot(QStringLiteral("setup-screenshot"),
        QStringLiteral("Save a screenshot of each page of the first-run wizard to <file>-1.png … and quit."),
        QStringLiteral("file"));
    parser.addOptions({headless, database, device, runSample, screenshot, minimized, setupScreenshot});
    parser.process(app);

    DesktopOptions options;
    options.headless = parser.isSet(headless);
    options.databasePath = parser.value(database);
    options.deviceId = parser.value(device);
    options.screenshotPath = parser.value(screenshot);
    options.minimized = parser.isSet(minimized);
    options.setupScreenshotPath = parser.value(setupScreenshot);
    options.runSampleJob = parser.isSet(runSample) || !options.screenshotPath.isEmpty();
    return options;
}

void setApplicationNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Tributary"));
    QCoreApplication::setApplicationName(QStringLiteral("tributary"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRIBUTARY_VERSION));
}

bool wantsHeadless(int argc, char **argv)
{
    // Decided before any QCoreApplication exists: a server has no display for QApplication.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--headless") == 0)
            return true;
    }
    return false;
}

int runHeadlessApp(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    setApplicationNames();
    const DesktopOptions options = parseOptions(app);
    return tributary::runHeadless({options.databasePath, options.deviceId});
}

// Each page of the first-run wizard, as a user first sees it: <path>-1.png, <path>-2.png, …
int saveSetupScreenshots(const tributary::engine::Engine &engine, QString path)
{
    path.remove(QRegularExpression(QStringLiteral("\\.png$")));
    tributary::ui::FirstRunWizard wizard(engine);
    wizard.show();
    bool saved = true;
    for (int page = 1; page <= wizard.pageIds().size(); ++page) {
        QCoreApplication::processEvents();
        const QString file = QStringLiteral("%1-%2.png").arg(path).arg(page);
        saved = wizard.grab().save(file) && saved;
        qCInfo(lcApp).noquote() << "saved screenshot" << file;
        wizard.next();
    }
    return saved ? 0 : 1;
}

int runDesktopApp(int argc, char **argv)
{
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setApplicationDisplayName(QStringLiteral("Tributary"));
    QApplication::setDesktopFileName(QStringLiteral("org.tributary.Tributary"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tributary.svg")));
    const DesktopOptions options = parseOptions(app);

    tributary::LocalNetwork network({options.databasePath, options.deviceId});
    if (!options.setupScreenshotPath.isEmpty())
        return saveSetupScreenshots(network.engine(), options.setupScreenshotPath);
    // The screenshot run shows the window as it is after setup; it never asks anything.
    tributary::ConnectionSettings settings;
    const QString networkNote = options.screenshotPath.isEmpty()
        ? tributary::ui::prepareNetwork(network, settings, nullptr)
        : QString();
    tributary::ui::MainWindow window(network);
    QString error;
    if (!network.start(&error)) {
        QMessageBox::critical(nullptr, QStringLiteral("Tributary"),
                              QStringLiteral("The local network could not start:\n%1").arg(error));
        return 1;
    }
    window.showNetworkStarted();
    // With a tray, closing the window leaves the app sharing there; a dialog closed while
    // the window is hidden must not quit it either.
    QApplication::setQuitOnLastWindowClosed(!window.closesToTray());
    if (!options.minimized || !window.closesToTray())
        window.show();
    if (!networkNote.isEmpty())
        window.statusBar()->showMessage(networkNote, 15000);

    if (!options.screenshotPath.isEmpty()) {
        // The window as it opens, then its Earnings tab once the ledger has paid the sample
        // job: <path> and <path without .png>-earnings.png.
        QObject::connect(&window, &tributary::ui::MainWindow::sampleJobFinished, &app,
                         [&window, &network, path = options.screenshotPath](bool succeeded) {
                             // Let the final repaint land before grabbing the window.
                             QTimer::singleShot(300, &window, [&window, &network, path, succeeded] {
                                 bool saved = window.grab().save(path);
                                 qCInfo(lcApp).noquote() << (saved ? "saved screenshot" : "could not save screenshot") << path;
                                 if (!network.earnings()) {
                                     QApplication::exit(saved && succeeded ? 0 : 1);
                                     return;
                                 }
                                 QObject::connect(network.earnings(), &tributary::EarningsTracker::polled, &window,
                                     [&window, &network, path, saved, succeeded] {
                                         network.history()->flush();
                                         window.earningsPanel()->refresh();
                                         window.tabs()->setCurrentWidget(window.earningsPanel());
                                         QTimer::singleShot(300, &window, [&window, path, saved, succeeded] {
                                             QString earningsPath = path;
                                             earningsPath.replace(QRegularExpression(QStringLiteral("\\.png$")),
                                                 QStringLiteral("-earnings.png"));
                                             const bool also = window.grab().save(earningsPath);
                                             qCInfo(lcApp).noquote() << (also ? "saved screenshot" : "could not save screenshot")
                                                                     << earningsPath;
                                             QApplication::exit(saved && also && succeeded ? 0 : 1);
                                         });
                                     });
                                 network.earnings()->pollNow();
                             });
                         });
    }
    if (options.runSampleJob)
        QTimer::singleShot(0, &window, &tributary::ui::MainWindow::runSampleJob);
    return QApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    return wantsHeadless(argc, argv) ? runHeadlessApp(argc, argv) : runDesktopApp(argc, argv);
}
