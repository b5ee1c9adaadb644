#pragma once
// Small QA data in PosLab's JSONL format, in words the TinyStories model
// (../shared/models/stories260K) knows, so sweeps in tests are real and fast.
#include <QtTest/QtTest>
#include <fstream>
#include <string>

namespace poslab::test {

// `examples` questions with `docs` documents each, the gold first (is_gold).
inline std::string writeStoryQa(const std::string& path, int examples, int docs) {
  static const char* names[] = {"Lily", "Tom", "Sue", "Ben", "Max", "Mia", "Sam", "Amy"};
  static const char* things[] = {"ball", "cat", "kite", "cake", "dog", "hat", "boat", "tree"};
  static const char* colours[] = {"red", "blue", "green", "big", "small", "happy", "pink", "old"};
  std::ofstream out(path);
  for (int e = 0; e < examples; ++e) {
    const std::string name = names[e % 8], thing = things[(e + 3) % 8], colour = colours[(e * 5) % 8];
    out << "{\"id\": \"story-" << e << "\", \"question\": \"What colour is the " << thing << " of " << name
        << "?\", \"answers\": [\"" << colour << "\"], \"documents\": [";
    for (int d = 0; d < docs; ++d) {
      if (d) out << ", ";
      if (d == 0)
        out << "{\"title\": \"" << name << "\", \"text\": \"" << name << " had a " << colour << " " << thing
            << ". " << name << " was happy.\", \"is_gold\": true}";
      else
        out << "{\"title\": \"" << names[(e + d) % 8] << "\", \"text\": \"Once upon a time "
            << names[(e + d) % 8] << " saw a " << colours[(e + d) % 8] << " " << things[(e + 2 * d) % 8]
            << " in the park.\"}";
    }
    out << "]}\n";
  }
  return path;
}

} // namespace poslab::test
