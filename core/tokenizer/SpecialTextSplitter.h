#pragma once
// Cuts a text at occurrences of special-token texts ("<s>", "[INST]", ...) so
// that each occurrence becomes one token and the rest is encoded normally.
// At each position the longest matching text wins (llama.cpp partitions the
// same way, longest token first, for the texts that appear in practice).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poslab {

class SpecialTextSplitter {
public:
  struct Fragment {
    size_t begin = 0; // byte range of the input
    size_t end = 0;
    int32_t id = -1; // the special token, or -1 for ordinary text
  };

  SpecialTextSplitter() = default;
  explicit SpecialTextSplitter(std::vector<std::pair<std::string, int32_t>> texts);

  bool empty() const { return texts_.empty(); }
  // Fragments in input order covering all of text; no empty text fragments.
  std::vector<Fragment> split(std::string_view text) const;

private:
  std::vector<std::pair<std::string, int32_t>> texts_; // longest first
  std::vector<bool> firstByte_ = std::vector<bool>(256, false);
};

} // namespace poslab
