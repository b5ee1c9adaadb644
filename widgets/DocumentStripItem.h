#pragma once
// One document of a prompt as the document strip shows it.
#include <QString>

namespace poslab {

struct DocumentStripItem {
  QString title;
  int tokenCount = 0; // tokens the document takes in the prompt; sets the box width
  bool isGold = false;
};

} // namespace poslab
