#include "app/gui/ProgressText.h"

#include <QChar>

namespace poslab {

QString ProgressText::clock(double seconds) {
  const auto s = static_cast<qint64>(seconds + 0.5);
  return s >= 3600 ? QString("%1h%2m").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0'))
                   : QString("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString ProgressText::eta(double done, double total, double elapsedSeconds) {
  if (done <= 0 || elapsedSeconds <= 0 || total < done) return QStringLiteral("–");
  return clock(elapsedSeconds / done * (total - done));
}

} // namespace poslab
