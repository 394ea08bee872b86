#include "ui/policy_editor.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFont>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTimeEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tributary::ui {

namespace {

constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;
constexpr std::array<const char *, 7> kDayNames = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
constexpr std::array<const char *, 7> kLongDayNames
    = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };

// A spin box rounds what it shows: while it still shows what it showed at load, the value
// it was given stands (so an untouched form gives back the policy it was given).
double keptValue(double shownAtLoad, double shownNow, double given)
{
    return shownNow == shownAtLoad ? given : shownNow;
}

QDoubleSpinBox *spinBox(double minimum, double maximum, int decimals, const QString &suffix, QWidget *parent)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    return box;
}

QLabel *hint(const QString &text, QWidget *parent)
{
    // Lines broken by hand: word-wrapped labels give the dialog a height that squeezes
    // the schedule rows.
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QStringList processList(const QString &text)
{
    QStringList names;
    for (const QString &name : text.split(QLatin1Char(','))) {
        if (!name.trimmed().isEmpty())
            names << name.trimmed();
    }
    return names;
}

} // namespace

PolicyEditor::PolicyEditor(const DevicePolicy &policy, const QString &deviceTitle, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(QStringLiteral("Rules for %1").arg(deviceTitle));
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    auto *title = new QLabel(deviceTitle, this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    title->setFont(titleFont);
    title->setTextFormat(Qt::PlainText);
    layout->addWidget(title);
    layout->addWidget(
        hint(QStringLiteral("Tributary only computes on this device when every rule below allows it,\n"
                            "and stops within a second when one no longer does."),
            this));

    m_share = new QCheckBox(QStringLiteral("Share this device with the network"), this);
    m_share->setObjectName(QStringLiteral("shareBox"));
    layout->addWidget(m_share);
    layout->addWidget(createWhenBox());
    layout->addWidget(createPauseBox());
    layout->addWidget(createLimitsBox());

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problemLabel"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; font-weight: 600; }"));
    m_problem->hide();
    layout->addWidget(m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(QStringLiteral("Save rules"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PolicyEditor::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &PolicyEditor::reject);
    layout->addWidget(buttons);

    layout->setSizeConstraint(QLayout::SetMinimumSize); // never squeeze the form
    load(policy);
    updateEnabled();
}

QWidget *PolicyEditor::createWhenBox()
{
    auto *box = new QGroupBox(QStringLiteral("When to run"), this);
    auto *layout = new QVBoxLayout(box);
    m_always = new QRadioButton(QStringLiteral("Always"), box);
    m_always->setObjectName(QStringLiteral("alwaysButton"));
    layout->addWidget(m_always);

    auto *idleRow = new QHBoxLayout;
    m_idle = new QRadioButton(QStringLiteral("When I am away for"), box);
    m_idle->setObjectName(QStringLiteral("idleButton"));
    m_idleMinutes = new QSpinBox(box);
    m_idleMinutes->setObjectName(QStringLiteral("idleMinutes"));
    m_idleMinutes->setRange(1, 24 * 60); // DevicePolicy allows up to a day
    m_idleMinutes->setSuffix(QStringLiteral(" min"));
    idleRow->addWidget(m_idle);
    idleRow->addWidget(m_idleMinutes);
    idleRow->addStretch(1);
    layout->addLayout(idleRow);

    m_scheduled = new QRadioButton(QStringLiteral("On a schedule"), box);
    m_scheduled->setObjectName(QStringLiteral("scheduleButton"));
    layout->addWidget(m_scheduled);
    auto *group = new QButtonGroup(box);
    for (QRadioButton *button : { m_always, m_idle, m_scheduled })
        group->addButton(button);
    connect(group, &QButtonGroup::buttonToggled, this, &PolicyEditor::updateEnabled);

    // The windows, indented under their option.
    m_scheduleBox = new QWidget(box);
    auto *scheduleLayout = new QVBoxLayout(m_scheduleBox);
    scheduleLayout->setContentsMargins(24, 0, 0, 0);
    m_windowRows = new QVBoxLayout;
    m_windowRows->setSpacing(4);
    scheduleLayout->addLayout(m_windowRows);
    auto *addRow = new QHBoxLayout;
    m_addWindow = new QPushButton(QStringLiteral("Add window"), m_scheduleBox);
    m_addWindow->setObjectName(QStringLiteral("addWindowButton"));
    // Weeknight evenings are the commonest answer; the user edits from there.
    connect(m_addWindow, &QPushButton::clicked, this, [this] {
        addWindow({ { Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday }, QTime(22, 0),
            QTime(7, 0) });
    });
    addRow->addWidget(m_addWindow);
    addRow->addStretch(1);
    scheduleLayout->addLayout(addRow);
    scheduleLayout->addWidget(
        hint(QStringLiteral("A window that ends before it starts runs past midnight into "
                            "the next day;\nthe same start and end means the whole day."),
            m_scheduleBox));
    layout->addWidget(m_scheduleBox);
    return box;
}

QWidget *PolicyEditor::createPauseBox()
{
    auto *box = new QGroupBox(QStringLiteral("Pause"), this);
    auto *layout = new QVBoxLayout(box);
    m_pauseOnBattery = new QCheckBox(QStringLiteral("Pause on battery power"), box);
    m_pauseOnBattery->setObjectName(QStringLiteral("pauseOnBatteryBox"));
    layout->addWidget(m_pauseOnBattery);
    m_pauseWhenGpuBusy = new QCheckBox(QStringLiteral("Pause while other programs use the GPU"), box);
    m_pauseWhenGpuBusy->setObjectName(QStringLiteral("gpuBusyBox"));
    connect(m_pauseWhenGpuBusy, &QCheckBox::toggled, this, &PolicyEditor::updateEnabled);
    layout->addWidget(m_pauseWhenGpuBusy);

    auto *details = new QGridLayout;
    details->setContentsMargins(24, 0, 0, 0);
    m_processNames = new QLineEdit(box);
    m_processNames->setObjectName(QStringLiteral("processNames"));
    m_processNames->setPlaceholderText(QStringLiteral("e.g. blender, resolve, steam"));
    m_processNames->setToolTip(QStringLiteral("Program names separated by commas; case, folder and .exe "
                                              "do not matter"));
    details->addWidget(new QLabel(QStringLiteral("when one of these runs on it:"), box), 0, 0);
    details->addWidget(m_processNames, 0, 1);
    m_gpuBusyPercent = spinBox(1, 100, 0, QStringLiteral(" %"), box);
    m_gpuBusyPercent->setObjectName(QStringLiteral("gpuBusyPercent"));
    auto *percentRow = new QHBoxLayout;
    percentRow->addWidget(m_gpuBusyPercent);
    percentRow->addStretch(1);
    details->addWidget(new QLabel(QStringLiteral("or others keep it busier than:"), box), 1, 0);
    details->addLayout(percentRow, 1, 1);
    layout->addLayout(details);
    return box;
}

QWidget *PolicyEditor::createLimitsBox()
{
    auto *box = new QGroupBox(QStringLiteral("Limits"), this);
    auto *layout = new QGridLayout(box);
    m_hasTemperatureLimit = new QCheckBox(QStringLiteral("Temperature limit"), box);
    m_hasTemperatureLimit->setObjectName(QStringLiteral("temperatureLimitBox"));
    m_temperatureLimit = spinBox(30, 110, 0, QStringLiteral(" °C"), box);
    m_temperatureLimit->setObjectName(QStringLiteral("temperatureLimit"));
    layout->addWidget(m_hasTemperatureLimit, 0, 0);
    layout->addWidget(m_temperatureLimit, 0, 1);

    m_hasPowerLimit = new QCheckBox(QStringLiteral("Power limit"), box);
    m_hasPowerLimit->setObjectName(QStringLiteral("powerLimitBox"));
    m_powerLimit = spinBox(10, 2000, 0, QStringLiteral(" W"), box);
    m_powerLimit->setObjectName(QStringLiteral("powerLimit"));
    layout->addWidget(m_hasPowerLimit, 1, 0);
    layout->addWidget(m_powerLimit, 1, 1);

    auto *actionRow = new QHBoxLayout;
    m_throttle = new QRadioButton(QStringLiteral("Slow down (throttle)"), box);
    m_throttle->setObjectName(QStringLiteral("throttleButton"));
    m_pauseOverLimit = new QRadioButton(QStringLiteral("Pause"), box);
    m_pauseOverLimit->setObjectName(QStringLiteral("pauseOverLimitButton"));
    auto *group = new QButtonGroup(box);
    group->addButton(m_throttle);
    group->addButton(m_pauseOverLimit);
    actionRow->addWidget(m_throttle);
    actionRow->addWidget(m_pauseOverLimit);
    actionRow->addStretch(1);
    layout->addWidget(new QLabel(QStringLiteral("Over a limit:"), box), 2, 0);
    layout->addLayout(actionRow, 2, 1);

    m_hasMemoryCap = new QCheckBox(QStringLiteral("Use at most"), box);
    m_hasMemoryCap->setObjectName(QStringLiteral("memoryCapBox"));
    m_memoryCapGiB = spinBox(0.25, 4096, 2, QStringLiteral(" GiB of device memory"), box);
    m_memoryCapGiB->setObjectName(QStringLiteral("memoryCapGiB"));
    m_memoryCapGiB->setSingleStep(0.5);
    layout->addWidget(m_hasMemoryCap, 3, 0);
    layout->addWidget(m_memoryCapGiB, 3, 1);
    layout->setColumnStretch(2, 1);

    for (QCheckBox *check : { m_hasTemperatureLimit, m_hasPowerLimit, m_hasMemoryCap })
        connect(check, &QCheckBox::toggled, this, &PolicyEditor::updateEnabled);
    return box;
}

void PolicyEditor::load(const DevicePolicy &policy)
{
    m_given = policy;
    m_share->setChecked(policy.enabled);
    m_always->setChecked(policy.when == DevicePolicy::When::Always);
    m_idle->setChecked(policy.when == DevicePolicy::When::WhenIdle);
    m_scheduled->setChecked(policy.when == DevicePolicy::When::Schedule);
    m_idleMinutes->setValue(std::max(1, int(std::lround(policy.idleSeconds / 60.0))));
    m_shownIdleMinutes = m_idleMinutes->value();
    for (const ScheduleWindow &window : policy.schedule)
        addWindow(window);

    m_pauseOnBattery->setChecked(policy.pauseOnBattery);
    m_pauseWhenGpuBusy->setChecked(policy.pauseWhenGpuBusy);
    m_processNames->setText(policy.gpuBusyProcesses.join(QStringLiteral(", ")));
    m_gpuBusyPercent->setValue(policy.gpuBusyUtilizationPercent);
    m_shownGpuBusyPercent = m_gpuBusyPercent->value();

    // Unset limits still get a sensible value to start from when ticked.
    m_hasTemperatureLimit->setChecked(policy.temperatureLimitC.has_value());
    m_temperatureLimit->setValue(policy.temperatureLimitC.value_or(80));
    m_shownTemperatureLimitC = m_temperatureLimit->value();
    m_hasPowerLimit->setChecked(policy.powerLimitW.has_value());
    m_powerLimit->setValue(policy.powerLimitW.value_or(250));
    m_shownPowerLimitW = m_powerLimit->value();
    m_throttle->setChecked(policy.overLimitAction == DevicePolicy::OverLimitAction::Throttle);
    m_pauseOverLimit->setChecked(policy.overLimitAction == DevicePolicy::OverLimitAction::Pause);
    m_hasMemoryCap->setChecked(policy.memoryCapBytes.has_value());
    m_memoryCapGiB->setValue(policy.memoryCapBytes ? double(*policy.memoryCapBytes) / kBytesPerGiB : 4.0);
    m_shownMemoryCapGiB = m_memoryCapGiB->value();
}

void PolicyEditor::addWindow(const ScheduleWindow &window)
{
    WindowRow row;
    row.givenDays = window.days;
    row.row = new QWidget(m_scheduleBox);
    // The style's own checked tool button is hard to tell from an unchecked one.
    row.row->setStyleSheet(QStringLiteral(
        "QToolButton { border: 1px solid palette(mid); border-radius: 3px; padding: 3px 4px; "
        "background: palette(base); }"
        "QToolButton:checked { background: palette(highlight); color: palette(highlighted-text); "
        "border-color: palette(highlight); }"
        "QToolButton:disabled { color: palette(mid); }"
        "QToolButton:checked:disabled { background: palette(mid); color: palette(base); }"));
    auto *layout = new QHBoxLayout(row.row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    for (int i = 0; i < 7; ++i) {
        auto *day = new QToolButton(row.row);
        day->setText(QLatin1String(kDayNames[std::size_t(i)]));
        day->setToolTip(QStringLiteral("Starts on %1").arg(QLatin1String(kLongDayNames[std::size_t(i)])));
        day->setCheckable(true);
        day->setChecked(window.days.contains(Qt::DayOfWeek(i + 1)));
        day->setMinimumWidth(40);
        row.days[std::size_t(i)] = day;
        layout->addWidget(day);
    }
    layout->addSpacing(10);
    layout->addWidget(new QLabel(QStringLiteral("from"), row.row));
    row.start = new QTimeEdit(window.start, row.row);
    row.end = new QTimeEdit(window.end, row.row);
    for (QTimeEdit *edit : { row.start, row.end })
        edit->setDisplayFormat(QStringLiteral("HH:mm"));
    layout->addWidget(row.start);
    layout->addWidget(new QLabel(QStringLiteral("until"), row.row));
    layout->addWidget(row.end);
    layout->addSpacing(6);
    row.remove = new QPushButton(QStringLiteral("Remove"), row.row);
    row.remove->setToolTip(QStringLiteral("Remove this window"));
    connect(row.remove, &QPushButton::clicked, this, [this, button = row.remove] { removeWindow(button); });
    layout->addWidget(row.remove);
    layout->addStretch(1);
    m_windowRows->addWidget(row.row);
    m_windows.push_back(row);
}

void PolicyEditor::removeWindow(QPushButton *removeButton)
{
    const auto found = std::find_if(
        m_windows.begin(), m_windows.end(), [&](const WindowRow &row) { return row.remove == removeButton; });
    if (found == m_windows.end())
        return;
    // Deleted later: this runs inside the remove button's own clicked signal.
    found->row->hide();
    found->row->deleteLater();
    m_windows.erase(found);
}

QToolButton *PolicyEditor::dayButton(int window, Qt::DayOfWeek day) const
{
    return m_windows.at(std::size_t(window)).days.at(std::size_t(day) - 1);
}

void PolicyEditor::updateEnabled()
{
    m_idleMinutes->setEnabled(m_idle->isChecked());
    m_scheduleBox->setEnabled(m_scheduled->isChecked());
    m_processNames->setEnabled(m_pauseWhenGpuBusy->isChecked());
    m_gpuBusyPercent->setEnabled(m_pauseWhenGpuBusy->isChecked());
    m_temperatureLimit->setEnabled(m_hasTemperatureLimit->isChecked());
    m_powerLimit->setEnabled(m_hasPowerLimit->isChecked());
    const bool anyLimit = m_hasTemperatureLimit->isChecked() || m_hasPowerLimit->isChecked();
    m_throttle->setEnabled(anyLimit);
    m_pauseOverLimit->setEnabled(anyLimit);
    m_memoryCapGiB->setEnabled(m_hasMemoryCap->isChecked());
}

DevicePolicy PolicyEditor::policy() const
{
    DevicePolicy policy = m_given; // fields the form does not show stay as given
    policy.enabled = m_share->isChecked();
    policy.when = m_idle->isChecked() ? DevicePolicy::When::WhenIdle
        : m_scheduled->isChecked()    ? DevicePolicy::When::Schedule
                                      : DevicePolicy::When::Always;
    policy.idleSeconds
        = m_idleMinutes->value() == m_shownIdleMinutes ? m_given.idleSeconds : m_idleMinutes->value() * 60;
    policy.schedule.clear();
    for (const WindowRow &row : m_windows) {
        ScheduleWindow window { {}, row.start->time(), row.end->time() };
        for (int i = 0; i < 7; ++i) {
            if (row.days[std::size_t(i)]->isChecked())
                window.days << Qt::DayOfWeek(i + 1);
        }
        // The same days as loaded keep their given order (and so compare equal).
        QList<Qt::DayOfWeek> given = row.givenDays;
        std::sort(given.begin(), given.end());
        given.erase(std::unique(given.begin(), given.end()), given.end());
        if (given == window.days)
            window.days = row.givenDays;
        policy.schedule << window;
    }

    policy.pauseOnBattery = m_pauseOnBattery->isChecked();
    policy.pauseWhenGpuBusy = m_pauseWhenGpuBusy->isChecked();
    policy.gpuBusyProcesses = processList(m_processNames->text());
    policy.gpuBusyUtilizationPercent
        = keptValue(m_shownGpuBusyPercent, m_gpuBusyPercent->value(), m_given.gpuBusyUtilizationPercent);

    policy.temperatureLimitC.reset();
    if (m_hasTemperatureLimit->isChecked()) {
        policy.temperatureLimitC = keptValue(m_shownTemperatureLimitC, m_temperatureLimit->value(),
            m_given.temperatureLimitC.value_or(m_shownTemperatureLimitC));
    }
    policy.powerLimitW.reset();
    if (m_hasPowerLimit->isChecked()) {
        policy.powerLimitW = keptValue(
            m_shownPowerLimitW, m_powerLimit->value(), m_given.powerLimitW.value_or(m_shownPowerLimitW));
    }
    policy.overLimitAction = m_pauseOverLimit->isChecked() ? DevicePolicy::OverLimitAction::Pause
                                                           : DevicePolicy::OverLimitAction::Throttle;
    policy.memoryCapBytes.reset();
    if (m_hasMemoryCap->isChecked()) {
        if (m_given.memoryCapBytes && m_memoryCapGiB->value() == m_shownMemoryCapGiB)
            policy.memoryCapBytes = m_given.memoryCapBytes;
        else
            policy.memoryCapBytes = quint64(std::llround(m_memoryCapGiB->value() * kBytesPerGiB));
    }
    return policy;
}

QString PolicyEditor::problem() const
{
    if (m_scheduled->isChecked() && m_windows.empty())
        return QStringLiteral("“On a schedule” needs at least one window: "
                              "add a window, or choose another rule.");
    for (std::size_t i = 0; i < m_windows.size(); ++i) {
        const auto &days = m_windows[i].days;
        if (std::none_of(days.begin(), days.end(), [](const QToolButton *day) { return day->isChecked(); }))
            return QStringLiteral("Schedule window %1 has no days: tick at least one day, or remove it.")
                .arg(i + 1);
    }
    // Whatever the form lets through must also survive being saved and read back.
    QString error;
    if (!DevicePolicy::fromJson(policy().toJson(), &error))
        return QStringLiteral("These rules cannot be saved: %1").arg(error);
    return {};
}

void PolicyEditor::accept()
{
    const QString problem = this->problem();
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    if (problem.isEmpty())
        QDialog::accept();
}

} // namespace tributary::ui
