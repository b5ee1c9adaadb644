#include "widgets/AccuracyTicker.h"

namespace poslab {

QString AccuracyTicker::getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) {
  return tick > 100.0 + 1e-9 ? QString() : QCPAxisTicker::getTickLabel(tick, locale, formatChar, precision);
}

} // namespace poslab
