// The Contribute tab's device card and its rules editor, driven through their widgets
// (offscreen): the editor gives back exactly the policy it was given and each change made
// in the form, refuses a form that cannot be saved, and the card reports the user's
// changes (switch, editor) by signal, keeps five minutes of readings and shows the state.

#include "ui/device_card.h"
#include "ui/policy_editor.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimeEdit>
#include <QToolButton>

using namespace tributary;
using tributary::ui::DeviceCard;
using tributary::DeviceReading;
using tributary::ui::PolicyEditor;

namespace {

constexpr quint64 kGiB = 1024ull * 1024 * 1024;

// Every field away from its default, and a window that crosses midnight.
DevicePolicy everyField()
{
    DevicePolicy policy;
    policy.enabled = true;
    policy.when = DevicePolicy::When::Schedule;
    policy.idleSeconds = 300;
    policy.schedule = {
        { { Qt::Friday, Qt::Saturday }, QTime(22, 0), QTime(7, 0) },
        { { Qt::Monday, Qt::Tuesday, Qt::Wednesday }, QTime(12, 30), QTime(13, 15) },
    };
    policy.pauseOnBattery = false;
    policy.pauseWhenGpuBusy = true;
    policy.gpuBusyProcesses = { QStringLiteral("blender"), QStringLiteral("Resolve") };
    policy.gpuBusyUtilizationPercent = 35;
    policy.temperatureLimitC = 82;
    policy.powerLimitW = 300;
    policy.overLimitAction = DevicePolicy::OverLimitAction::Pause;
    policy.memoryCapBytes = 6 * kGiB;
    return policy;
}

DeviceReading sample(
    qint64 atMs, double utilization, std::optional<double> temperature = {}, std::optional<double> power = {})
{
    return { atMs, utilization, temperature, power };
}

// Clicks a check box or radio button where its indicator is: a click in the middle of a
// box stretched by its layout would miss the part that reacts.
void clickBox(QAbstractButton *button)
{
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(6, button->height() / 2));
}

} // namespace

class DeviceCardTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void editorGivesBackWhatItWasGiven();
    void editorKeepsValuesItShowsRounded();
    void editorReflectsEachChange();
    void editorRefusesAScheduleWithoutWindows();
    void editorRefusesAWindowWithoutDays();
    void switchEmitsOnlyWhenTheUserFlipsIt();
    void acceptedEditorEmitsTheChangedPolicyOnce();
    void cancelledOrUnchangedEditorEmitsNothing();
    void chartsKeepTheLastFiveMinutes();
    void unreportedReadingsSaySo();
    void showsDecisionTaskAndUnavailability();
    void summarizesTheRules();
};

void DeviceCardTest::editorGivesBackWhatItWasGiven()
{
    const DevicePolicy given = everyField();
    PolicyEditor editor(given, QStringLiteral("NVIDIA H100 (cuda:0)"));
    QCOMPARE(editor.windowCount(), 2);
    QVERIFY(editor.policy() == given);
    QVERIFY2(editor.problem().isEmpty(), qPrintable(editor.problem()));

    // The defaults too (no limits, no cap, no windows).
    PolicyEditor defaults(DevicePolicy {}, QStringLiteral("cpu:0"));
    QVERIFY(defaults.policy() == DevicePolicy {});
}

void DeviceCardTest::editorKeepsValuesItShowsRounded()
{
    DevicePolicy given = everyField();
    given.idleSeconds = 90; // shown as 2 min
    given.temperatureLimitC = 82.5; // shown as 83 °C (whole degrees)
    given.gpuBusyUtilizationPercent = 12.25;
    given.memoryCapBytes = 1234567891;
    given.schedule[0].days = { Qt::Saturday, Qt::Friday }; // not Monday first
    PolicyEditor editor(given, QStringLiteral("cuda:0"));
    QVERIFY(editor.policy() == given);

    // Touched, they take what the form shows.
    editor.idleMinutes()->setValue(3);
    editor.temperatureLimit()->setValue(75);
    editor.dayButton(0, Qt::Sunday)->setChecked(true);
    const DevicePolicy edited = editor.policy();
    QCOMPARE(edited.idleSeconds, 180);
    QCOMPARE(edited.temperatureLimitC, std::optional<double>(75));
    QCOMPARE(edited.schedule[0].days, (QList<Qt::DayOfWeek> { Qt::Friday, Qt::Saturday, Qt::Sunday }));
    QCOMPARE(edited.memoryCapBytes, std::optional<quint64>(1234567891));
}

void DeviceCardTest::editorReflectsEachChange()
{
    PolicyEditor editor(everyField(), QStringLiteral("NVIDIA H100 (cuda:0)"));
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));

    clickBox(editor.shareBox());
    QCOMPARE(editor.policy().enabled, false);

    // Schedule: add a window (weeknights by default), edit it, remove the first.
    QTest::mouseClick(editor.addWindowButton(), Qt::LeftButton);
    QCOMPARE(editor.windowCount(), 3);
    QCOMPARE(editor.policy().schedule.size(), 3);
    QTest::mouseClick(editor.dayButton(2, Qt::Monday), Qt::LeftButton); // off
    QTest::mouseClick(editor.dayButton(2, Qt::Sunday), Qt::LeftButton); // on
    editor.startEdit(2)->setTime(QTime(23, 45));
    editor.endEdit(2)->setTime(QTime(23, 45));
    const ScheduleWindow added = editor.policy().schedule[2];
    QCOMPARE(added.days,
        (QList<Qt::DayOfWeek> { Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday, Qt::Sunday }));
    QCOMPARE(added.start, QTime(23, 45));
    QCOMPARE(added.end, QTime(23, 45));
    QTest::mouseClick(editor.removeWindowButton(0), Qt::LeftButton);
    QCOMPARE(editor.windowCount(), 2);
    QCOMPARE(editor.policy().schedule.size(), 2);
    QCOMPARE(editor.policy().schedule[0].start, QTime(12, 30));
    QCOMPARE(editor.policy().schedule[1], added);

    // When to run.
    clickBox(editor.idleButton());
    QCOMPARE(editor.policy().when, DevicePolicy::When::WhenIdle);
    QVERIFY(editor.idleMinutes()->isEnabled());
    editor.idleMinutes()->setValue(10);
    QCOMPARE(editor.policy().idleSeconds, 600);
    QCOMPARE(editor.policy().schedule.size(), 2); // kept while another rule is chosen
    clickBox(editor.alwaysButton());
    QCOMPARE(editor.policy().when, DevicePolicy::When::Always);
    QVERIFY(!editor.idleMinutes()->isEnabled());

    // Pauses.
    clickBox(editor.pauseOnBatteryBox());
    QCOMPARE(editor.policy().pauseOnBattery, true);
    editor.processNames()->setText(QStringLiteral(" steam ,, obs64 , "));
    QCOMPARE(
        editor.policy().gpuBusyProcesses, (QStringList { QStringLiteral("steam"), QStringLiteral("obs64") }));
    editor.gpuBusyPercent()->setValue(50);
    QCOMPARE(editor.policy().gpuBusyUtilizationPercent, 50.0);
    clickBox(editor.gpuBusyBox());
    QCOMPARE(editor.policy().pauseWhenGpuBusy, false);
    QVERIFY(!editor.processNames()->isEnabled());

    // Limits and the memory cap.
    editor.powerLimit()->setValue(450);
    QCOMPARE(editor.policy().powerLimitW, std::optional<double>(450));
    clickBox(editor.temperatureLimitBox());
    QCOMPARE(editor.policy().temperatureLimitC, std::nullopt);
    clickBox(editor.throttleButton());
    QCOMPARE(editor.policy().overLimitAction, DevicePolicy::OverLimitAction::Throttle);
    clickBox(editor.powerLimitBox());
    QCOMPARE(editor.policy().powerLimitW, std::nullopt);
    QVERIFY(!editor.throttleButton()->isEnabled()); // nothing to be over
    editor.memoryCapGiB()->setValue(2.5);
    QCOMPARE(editor.policy().memoryCapBytes, std::optional<quint64>(5 * kGiB / 2));
    clickBox(editor.memoryCapBox());
    QCOMPARE(editor.policy().memoryCapBytes, std::nullopt);

    // The edited form is valid, and saving closes the dialog.
    QVERIFY2(editor.problem().isEmpty(), qPrintable(editor.problem()));
    QTest::mouseClick(editor.okButton(), Qt::LeftButton);
    QCOMPARE(editor.result(), int(QDialog::Accepted));
    QVERIFY(!editor.isVisible());
}

void DeviceCardTest::editorRefusesAScheduleWithoutWindows()
{
    DevicePolicy given;
    given.when = DevicePolicy::When::Schedule;
    PolicyEditor editor(given, QStringLiteral("cpu:0"));
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));

    editor.accept();
    QVERIFY(editor.isVisible());
    QVERIFY(editor.result() != QDialog::Accepted);
    QVERIFY(editor.problemLabel()->isVisible());
    QVERIFY2(editor.problemLabel()->text().contains(QStringLiteral("needs at least one window")),
        qPrintable(editor.problemLabel()->text()));

    // Adding a window fixes it.
    QTest::mouseClick(editor.addWindowButton(), Qt::LeftButton);
    editor.accept();
    QVERIFY(!editor.isVisible());
    QCOMPARE(editor.result(), int(QDialog::Accepted));
    QVERIFY(!editor.problemLabel()->isVisibleTo(&editor));
}

void DeviceCardTest::editorRefusesAWindowWithoutDays()
{
    PolicyEditor editor(everyField(), QStringLiteral("cpu:0"));
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.dayButton(1, Qt::Monday)->setChecked(false);
    editor.dayButton(1, Qt::Tuesday)->setChecked(false);
    editor.dayButton(1, Qt::Wednesday)->setChecked(false);

    QTest::mouseClick(editor.okButton(), Qt::LeftButton);
    QVERIFY(editor.isVisible());
    QVERIFY2(editor.problemLabel()->text().startsWith(QStringLiteral("Schedule window 2 has no days")),
        qPrintable(editor.problemLabel()->text()));
    // Also while another rule is chosen: such a window could not be saved.
    clickBox(editor.alwaysButton());
    editor.accept();
    QVERIFY(editor.isVisible());

    clickBox(editor.scheduleButton());
    QTest::mouseClick(editor.removeWindowButton(1), Qt::LeftButton);
    QTest::mouseClick(editor.okButton(), Qt::LeftButton);
    QVERIFY(!editor.isVisible());
    QCOMPARE(editor.policy().schedule.size(), 1);
}

void DeviceCardTest::switchEmitsOnlyWhenTheUserFlipsIt()
{
    DeviceCard card(
        QStringLiteral("cuda:0"), QStringLiteral("NVIDIA H100 (cuda:0)"), QStringLiteral("80 GiB"));
    card.show();
    QVERIFY(QTest::qWaitForWindowExposed(&card));
    QSignalSpy toggled(&card, &DeviceCard::enabledToggled);

    DevicePolicy on;
    on.enabled = true;
    card.setPolicy(on);
    QVERIFY(card.enabledSwitch()->isChecked());
    QCOMPARE(toggled.count(), 0);

    clickBox(card.enabledSwitch());
    QCOMPARE(toggled.count(), 1);
    QCOMPARE(toggled.at(0).at(0).toString(), QStringLiteral("cuda:0"));
    QCOMPARE(toggled.at(0).at(1).toBool(), false);
    QCOMPARE(card.policy().enabled, false);
    clickBox(card.enabledSwitch());
    QCOMPARE(toggled.count(), 2);
    QCOMPARE(toggled.at(1).at(1).toBool(), true);
}

void DeviceCardTest::acceptedEditorEmitsTheChangedPolicyOnce()
{
    DeviceCard card(
        QStringLiteral("cuda:0"), QStringLiteral("NVIDIA H100 (cuda:0)"), QStringLiteral("80 GiB"));
    card.setPolicy(everyField());
    card.show();
    QVERIFY(QTest::qWaitForWindowExposed(&card));
    QSignalSpy opened(&card, &DeviceCard::editorOpened);
    QSignalSpy changed(&card, &DeviceCard::policyChanged);
    QSignalSpy toggled(&card, &DeviceCard::enabledToggled);

    QTest::mouseClick(card.policyButton(), Qt::LeftButton);
    QCOMPARE(opened.count(), 1);
    auto *editor = opened.at(0).at(0).value<PolicyEditor *>();
    QVERIFY(editor);
    QCOMPARE(editor, card.editor());
    QVERIFY(editor->isVisible());
    QVERIFY(editor->policy() == everyField());

    editor->temperatureLimit()->setValue(70);
    clickBox(editor->shareBox());
    QTest::mouseClick(editor->okButton(), Qt::LeftButton);

    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), QStringLiteral("cuda:0"));
    DevicePolicy expected = everyField();
    expected.temperatureLimitC = 70;
    expected.enabled = false;
    QVERIFY(changed.at(0).at(1).value<DevicePolicy>() == expected);
    QVERIFY(card.policy() == expected);
    QVERIFY2(card.summaryLabel()->text().contains(QStringLiteral("70 °C and 300 W limits (pause)")),
        qPrintable(card.summaryLabel()->text()));
    QVERIFY(!card.enabledSwitch()->isChecked());
    QCOMPARE(toggled.count(), 0); // the editor's change comes as policyChanged only
    QTRY_VERIFY(card.editor() == nullptr);
}

void DeviceCardTest::cancelledOrUnchangedEditorEmitsNothing()
{
    DeviceCard card(QStringLiteral("cpu:0"), QStringLiteral("CPU (cpu:0)"), QStringLiteral("16 cores"));
    card.setPolicy(everyField());
    card.show();
    QVERIFY(QTest::qWaitForWindowExposed(&card));
    QSignalSpy opened(&card, &DeviceCard::editorOpened);
    QSignalSpy changed(&card, &DeviceCard::policyChanged);

    card.editPolicy();
    QCOMPARE(opened.count(), 1);
    auto *editor = opened.at(0).at(0).value<PolicyEditor *>();
    editor->powerLimit()->setValue(999);
    editor->reject();
    QCOMPARE(changed.count(), 0);
    QVERIFY(card.policy() == everyField());

    card.editPolicy();
    QCOMPARE(opened.count(), 2);
    editor = opened.at(1).at(0).value<PolicyEditor *>();
    editor->accept(); // saved without a change
    QCOMPARE(editor->result(), int(QDialog::Accepted));
    QCOMPARE(changed.count(), 0);
}

void DeviceCardTest::chartsKeepTheLastFiveMinutes()
{
    DeviceCard card(
        QStringLiteral("cuda:0"), QStringLiteral("NVIDIA H100 (cuda:0)"), QStringLiteral("80 GiB"));
    const qint64 startMs = 1'700'000'000'000;
    // Ten minutes, one reading a second.
    for (int second = 0; second <= 600; ++second)
        card.addSample(sample(startMs + second * 1000, second % 100, 50 + second % 20, 200));

    const qint64 lastMs = startMs + 600'000;
    for (QLineSeries *series : { card.utilizationSeries(), card.temperatureSeries(), card.powerSeries() }) {
        QCOMPARE(series->count(), 301); // 0 .. 300 seconds ago, both ends included
        QCOMPARE(series->at(0).x(), double(lastMs - DeviceCard::kChartWindowMs));
        QCOMPARE(series->at(series->count() - 1).x(), double(lastMs));
    }
    QCOMPARE(card.utilizationSeries()->at(300).y(), 0.0); // 600 % 100
    QCOMPARE(card.temperatureSeries()->at(300).y(), 50.0);

    // A gap longer than the window leaves only the new point.
    card.addSample(sample(lastMs + 10 * 60'000, 42, 61, 180));
    QCOMPARE(card.utilizationSeries()->count(), 1);
    QCOMPARE(card.powerSeries()->count(), 1);
}

void DeviceCardTest::unreportedReadingsSaySo()
{
    DeviceCard card(
        QStringLiteral("vulkan:0"), QStringLiteral("llvmpipe (vulkan:0)"), QStringLiteral("software"));
    const qint64 startMs = 1'700'000'000'000;
    card.addSample(sample(startMs, 10, std::nullopt, 15.0));
    QVERIFY(card.temperatureNote()->isVisibleTo(&card));
    QVERIFY(card.temperatureNote()->text().contains(QStringLiteral("not reported by this device")));
    QVERIFY(!card.powerNote()->isVisibleTo(&card));
    QCOMPARE(card.temperatureSeries()->count(), 0);

    // One reading in the window brings the chart back, until it ages out of the window.
    card.addSample(sample(startMs + 1000, 10, 55.0, 15.0));
    QVERIFY(!card.temperatureNote()->isVisibleTo(&card));
    QCOMPARE(card.temperatureCaption()->text(), QStringLiteral("Temperature 55 °C"));
    card.addSample(sample(startMs + 1000 + DeviceCard::kChartWindowMs + 1, 10, std::nullopt, 15.0));
    QVERIFY(card.temperatureNote()->isVisibleTo(&card));
    QCOMPARE(card.temperatureCaption()->text(), QStringLiteral("Temperature"));
}

void DeviceCardTest::showsDecisionTaskAndUnavailability()
{
    DeviceCard card(
        QStringLiteral("cuda:0"), QStringLiteral("NVIDIA H100 (cuda:0)"), QStringLiteral("80 GiB"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Off"));
    card.setDecision(QStringLiteral("pause"), QStringLiteral("paused: on battery power"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Paused"));
    QCOMPARE(card.reasonLabel()->text(), QStringLiteral("On battery power"));
    card.setDecision(QStringLiteral("throttle"), QStringLiteral("throttled: 83 °C over the 80 °C limit"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Throttled"));
    QCOMPARE(card.reasonLabel()->text(), QStringLiteral("83 °C over the 80 °C limit"));
    card.setDecision(QStringLiteral("run"), QStringLiteral("running"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Running"));
    QCOMPARE(card.reasonLabel()->text(), QString());
    card.setDecision(QStringLiteral("off"), QStringLiteral("switched off"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Off"));

    QCOMPARE(card.taskLabel()->text(), QStringLiteral("No task"));
    QVERIFY(!card.taskProgress()->isVisibleTo(&card));
    card.setCurrentTask(QStringLiteral("t-7"), QStringLiteral("matmul-2"));
    QCOMPARE(card.taskLabel()->text(), QStringLiteral("Task t-7 of job matmul-2"));
    QVERIFY(card.taskProgress()->isVisibleTo(&card));
    QCOMPARE(card.taskProgress()->maximum(), 0); // busy
    card.clearCurrentTask();
    QCOMPARE(card.taskLabel()->text(), QStringLiteral("No task"));
    QVERIFY(!card.taskProgress()->isVisibleTo(&card));

    const QString advice = QStringLiteral("Install NVIDIA's driver, then restart Tributary.");
    card.setUnavailable(advice);
    QVERIFY(!card.enabledSwitch()->isEnabled());
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Unavailable"));
    QVERIFY(card.adviceLabel()->isVisibleTo(&card));
    QCOMPARE(card.adviceLabel()->text(), advice);
    card.setDecision(QStringLiteral("run"), QStringLiteral("running"));
    QCOMPARE(card.stateLabel()->text(), QStringLiteral("Unavailable"));
    card.setAvailable();
    QVERIFY(card.enabledSwitch()->isEnabled());
    QVERIFY(!card.adviceLabel()->isVisibleTo(&card));
}

void DeviceCardTest::summarizesTheRules()
{
    DevicePolicy idle;
    idle.when = DevicePolicy::When::WhenIdle;
    idle.pauseWhenGpuBusy = false;
    idle.temperatureLimitC = 80;
    QCOMPARE(DeviceCard::summarize(idle),
        QStringLiteral("Runs when idle for 2 min · pauses on battery · 80 °C limit (throttle)"));

    DevicePolicy scheduled = everyField();
    scheduled.schedule.removeLast();
    scheduled.schedule[0].days
        = { Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday, Qt::Sunday };
    QCOMPARE(DeviceCard::summarize(scheduled),
        QStringLiteral("Runs Mon–Fri, Sun 22:00–07:00 · pauses when other programs use the GPU · "
                       "82 °C and 300 W limits (pause) · at most 6 GiB of memory"));
    QCOMPARE(DeviceCard::summarize(everyField()).left(26), QStringLiteral("Runs in 2 weekly windows ·"));
}

QTEST_MAIN(DeviceCardTest)
#include "device_card_test.moc"
