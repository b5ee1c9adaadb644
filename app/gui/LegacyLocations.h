#pragma once
// Where earlier PosLab versions kept things, moved once to where this one does.
// They named the application "PosLab" and the organization "PosLab" too, so the
// data folder was ~/.local/share/PosLab/PosLab (the name twice) and the settings
// ~/.config/PosLab/PosLab.conf. Now no organization is named: the data folder is
// ~/.local/share/PosLab and QSettings falls back to the organization domain.
#include <QString>

namespace poslab {

class LegacyLocations {
public:
  // Call once the application's names are set, before anything reads settings or
  // the workspace. Moves each entry of the old data folder (the workspace with its
  // runs) into the new one, and the old settings file to the new file, where the
  // new place has none yet; nothing is overwritten, and a second call does
  // nothing. Returns a line per entry that could not be moved ("" when none).
  static QString migrate();
  // The organization name earlier versions set.
  static QString oldOrganization() { return QStringLiteral("PosLab"); }
};

} // namespace poslab
