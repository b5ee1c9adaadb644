#pragma once
// The palettes PosLab is checked with: the platform's (light on most desktops)
// and a dark one for Fusion, so every view can be looked at (and tested) on
// dark too. `poslab --palette dark` uses it.
#include <QPalette>

namespace poslab {

class Palettes {
public:
  static QPalette dark();
  // WCAG 2 contrast ratio of two colours (1 .. 21); 4.5 is "readable" for text.
  static double contrast(const QColor& a, const QColor& b);
};

} // namespace poslab
