#include "app/logging_categories.h"

Q_LOGGING_CATEGORY(lcApp, "tributary.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNet, "tributary.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcContributor, "tributary.contributor", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "tributary.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCoordinator, "tributary.coordinator", QtInfoMsg)

namespace tributary {

engine::LogCallback logToCategory(const QLoggingCategory &category)
{
    // Categories are static objects that outlive every caller, so holding a pointer is safe.
    const QLoggingCategory *target = &category;
    return [target](engine::LogLevel level, std::string_view message) {
        const QString text = QString::fromUtf8(message.data(), qsizetype(message.size()));
        switch (level) {
        case engine::LogLevel::Debug:
            qCDebug((*target)).noquote() << text;
            break;
        case engine::LogLevel::Info:
            qCInfo((*target)).noquote() << text;
            break;
        case engine::LogLevel::Warning:
            qCWarning((*target)).noquote() << text;
            break;
        case engine::LogLevel::Error:
            qCCritical((*target)).noquote() << text;
            break;
        }
    };
}

} // namespace tributary
