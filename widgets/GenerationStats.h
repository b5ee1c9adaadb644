#pragma once
// How one generation ended: plain values shown in the generation view's status line.
#include <QMetaType>
#include <QString>

namespace poslab {

struct GenerationStats {
  int promptTokens = 0;
  int generatedTokens = 0;
  double prefillSeconds = 0; // the prompt's forward pass
  double decodeSeconds = 0;  // every token after it
  QString stopReason;        // "eos" | "stop-string" | "length" | "cancelled"

  double tokensPerSecond() const { return decodeSeconds > 0 ? generatedTokens / decodeSeconds : 0; }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::GenerationStats)
