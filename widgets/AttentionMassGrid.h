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
  // Examples averaged into each gold position's row: a cancelled run has fewer
  // in its later rows (and 0 where none was analysed: that row's mass is NaN).
  QVector<int> counts; // [goldPositions]; empty when unknown
  // The same mass before the mean over layers: perLayer[(layer * goldPositions + gold) * documents + doc].
  int layers = 0;          // 0 when the grid was made without per-layer numbers
  QVector<float> perLayer; // [layers][goldPositions][documents]

  float at(int doc, int gold) const { return mass[gold * documents + doc]; }
  float layerAt(int layer, int doc, int gold) const {
    return perLayer[(layer * goldPositions + gold) * documents + doc];
  }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::AttentionMassGrid)
