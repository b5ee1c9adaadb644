#pragma once
// Reads what `poslab-cli attention --aggregate` writes ("poslab-attention-matrix",
// docs/ATTENTION-FORMAT.md) into the heatmap's plain grid. Every field is
// checked; an error names the file and the field.
#include "widgets/AttentionMassGrid.h"

#include <QString>
#include <optional>

namespace poslab {

class AttentionMatrixFile {
public:
  static std::optional<AttentionMassGrid> read(const QString& path, QString* error = nullptr);
};

} // namespace poslab
