#pragma once
// One example with its gold document at one position, as the explorer shows it: the
// documents, what the model answered and whether that was right, and where its
// attention went. Plain values, filled by app/ from core's sweep record and
// attention analysis.
#include "widgets/AttentionGrid.h"
#include "widgets/DocumentStripItem.h"

#include <QMetaType>
#include <QStringList>
#include <QVector>
#include <optional>

namespace poslab {

struct PlacementDetails {
  int example = 0;      // index of the example in the dataset
  int goldPosition = 0; // 0-based; shown 1-based
  QString question;
  QStringList goldAnswers;
  QString prediction; // the model's answer as scored (up to its first newline)
  bool correct = false;
  std::optional<double> answerLogprob;
  int promptTokens = 0;
  QVector<DocumentStripItem> documents;
  AttentionGrid attention; // layers == 0: attention was not captured for this placement
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::PlacementDetails)
