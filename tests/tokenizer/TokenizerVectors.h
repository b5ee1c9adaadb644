#pragma once
// Shared helpers of the tokenizer tests: llama.cpp's test vectors
// (data/tokenizer-vectors/<vocab>.inp/.out, format in its SOURCE.md), row
// names, and span checks.
#include "core/tokenizer/Tokenizer.h"
#include "tests/util/TestPaths.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace poslab::test {

struct TokenizerVector {
  std::string input;
  std::vector<int32_t> ids; // without BOS
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) qFatal("cannot read %s", path.c_str());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// <base>.inp holds the inputs, each followed by "\n__ggml_vocab_test__\n";
// <base>.out one line of " id id ..." per input.
inline std::vector<TokenizerVector> loadTokenizerVectors(const std::string& base) {
  const std::string inp = readFile(base + ".inp");
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<TokenizerVector> vectors;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t next = inp.find(separator, pos);
    if (next == std::string::npos) qFatal("%s.inp: text after the last separator", base.c_str());
    vectors.push_back({inp.substr(pos, next - pos), {}});
    pos = next + separator.size();
  }
  std::istringstream out(readFile(base + ".out"));
  std::string line;
  for (auto& vector : vectors) {
    if (!std::getline(out, line)) qFatal("%s.out: fewer lines than inputs", base.c_str());
    std::istringstream ids(line);
    for (int32_t id = 0; ids >> id;)
      vector.ids.push_back(id);
  }
  return vectors;
}

inline QByteArray rowName(size_t index, const std::string& input) {
  QByteArray name = QByteArray::number(static_cast<int>(index)).rightJustified(2, '0') + " ";
  for (char c : input.substr(0, 24))
    name += (c == '\n' ? "\\n" : c == '\t' ? "\\t" : QByteArray(1, c));
  return name;
}

inline QString describe(const std::vector<int32_t>& ids) {
  QStringList parts;
  for (int32_t id : ids)
    parts << QString::number(id);
  return parts.join(' ');
}

// Every span lies inside the text, spans never go backwards.
inline bool spansInside(const Encoding& e, size_t textSize, QString* why) {
  if (e.offsets.size() != e.ids.size()) return *why = "offsets.size() != ids.size()", false;
  size_t previousEnd = 0;
  for (size_t i = 0; i < e.offsets.size(); ++i) {
    const auto& span = e.offsets[i];
    if (span.begin > span.end || span.end > textSize || span.begin < previousEnd)
      return *why = QString("token %1 span [%2, %3) (previous end %4, text %5 bytes)")
                        .arg(i)
                        .arg(span.begin)
                        .arg(span.end)
                        .arg(previousEnd)
                        .arg(textSize),
             false;
    previousEnd = span.end;
  }
  return true;
}

// The spans, concatenated in order, are exactly the text: each begins where
// the previous one ended and the last ends at the end of the text.
inline bool spansTile(const Encoding& e, size_t textSize, QString* why) {
  size_t cursor = 0;
  for (size_t i = 0; i < e.offsets.size(); ++i) {
    if (e.offsets[i].begin != cursor)
      return *why = QString("token %1 begins at %2, expected %3").arg(i).arg(e.offsets[i].begin).arg(cursor),
             false;
    cursor = e.offsets[i].end;
  }
  if (cursor != textSize) return *why = QString("spans end at %1 of %2").arg(cursor).arg(textSize), false;
  return true;
}

inline const char* kParagraph =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her "
    "dog, Max. One day, they found a big red ball under a tree! \"Can we keep it?\" Lily asked her mom.\n\n"
    "Her mom smiled and said, \"Yes, but you must share it with your friends.\" Lily was so happy. "
    "She played with the ball all day long, until the sun went down at 7:45 pm.";

} // namespace poslab::test
