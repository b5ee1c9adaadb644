#pragma once
// Where one prompt's attention went, per layer, head and document, for one query
// (core's attention analysis for one example at one gold position, as plain values).
#include <QMetaType>
#include <QStringList>
#include <QVector>
#include <algorithm>

namespace poslab {

// Which query tokens the attention was measured from (METHOD.md §4.2).
enum class AttentionQuery { LastToken, Question, Answer };

// How the heads of a layer are reduced for display.
struct HeadSelection {
  enum Kind { Mean, Max, Single };
  Kind kind = Mean;
  int head = 0; // Single only

  friend bool operator==(const HeadSelection&, const HeadSelection&) = default;
};

struct AttentionGrid {
  int layers = 0;
  int heads = 0;
  int documents = 0;
  AttentionQuery query = AttentionQuery::LastToken;
  // mass[(layer * heads + head) * documents + doc]: share of the query's attention on the
  // document's tokens, in [0, 1]
  QVector<float> mass;
  QStringList documentLabels; // one per document (titles); may be empty
  int goldIndex = -1;         // 0-based; -1: no gold (closed-book)
  // Share on the first prompt tokens per layer (the "attention sink", METHOD.md §3), mean over heads.
  QVector<float> sinkShare;

  float at(int layer, int head, int doc) const { return mass[(layer * heads + head) * documents + doc]; }

  // [layers, documents]: the heads of each layer reduced as `selection` says.
  QVector<double> reduced(HeadSelection selection) const {
    QVector<double> out(layers * documents, 0.0);
    for (int l = 0; l < layers; ++l)
      for (int d = 0; d < documents; ++d) {
        double v = 0;
        if (selection.kind == HeadSelection::Single) {
          v = at(l, selection.head, d);
        } else {
          for (int h = 0; h < heads; ++h) {
            const double x = at(l, h, d);
            v = selection.kind == HeadSelection::Max ? (h == 0 ? x : std::max(v, x)) : v + x / heads;
          }
        }
        out[l * documents + d] = v;
      }
    return out;
  }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::AttentionGrid)
Q_DECLARE_METATYPE(poslab::HeadSelection)
Q_DECLARE_METATYPE(poslab::AttentionQuery)
