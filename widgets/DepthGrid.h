#pragma once
// Accuracy over gold position × number of documents ("needle in a haystack" style,
// METHOD.md §4.4). Gold positions are 0-based indices; a cell with n == 0 was not run.
#include <QVector>

namespace poslab {

struct DepthCell {
  int n = 0;
  int correct = 0;
  double accuracy = 0;
};

struct DepthGrid {
  QVector<int> documentCounts; // columns: context lengths in documents, ascending (10, 20, 30)
  int maxPositions = 0;        // rows: gold positions 0 .. maxPositions-1 (the largest count)
  // cells[c * maxPositions + p]: documentCounts[c] documents with the gold at index p;
  // positions p >= documentCounts[c] do not exist and stay n == 0.
  QVector<DepthCell> cells;

  const DepthCell& cell(int countIndex, int position) const {
    return cells[countIndex * maxPositions + position];
  }
};

} // namespace poslab
