#pragma once
// Attention mass per document for every gold position, averaged over a dataset
// (Pos2Distill Fig. 7): which documents the model looks at as the gold moves.
#include <QMetaType>
#include <QString>
#include <QVector>

namespace poslab {

struct AttentionMassGrid {
  int documents = 0;     // rows: document index in the prompt, 0-based
  int goldPositions = 0; // columns: where the gold was, 0-based
  // mass[gold * documents + doc]: mean share of attention on that document, in [0, 1]
  QVector<float> mass;
  QString description; // what was averaged, for the title ("last token, mean over layers and heads")

  float at(int doc, int gold) const { return mass[gold * documents + doc]; }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::AttentionMassGrid)
