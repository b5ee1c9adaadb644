#pragma once
// Ticks of an accuracy axis in %: no label above 100 %, where the axis only makes
// room for significance markers. Internal to widgets/ (includes qcustomplot.h).
#include <qcustomplot.h>

namespace poslab {

class AccuracyTicker : public QCPAxisTicker {
protected:
  QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;
};

} // namespace poslab
