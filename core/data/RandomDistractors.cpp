#include "core/data/RandomDistractors.h"

#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace poslab {

namespace {

std::string asciiLower(std::string s) {
  for (char& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

bool isWordByte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return std::isalnum(c) || c >= 0x80; // UTF-8 bytes of non-ASCII letters count as word
}

// `needle` occurs in `hay` with no word character right before or after it.
bool containsWord(const std::string& hay, const std::string& needle) {
  if (needle.empty()) return false;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
    const bool startOk = at == 0 || !isWordByte(hay[at - 1]) || !isWordByte(needle.front());
    const size_t end = at + needle.size();
    const bool endOk = end == hay.size() || !isWordByte(hay[end]) || !isWordByte(needle.back());
    if (startOk && endOk) return true;
  }
  return false;
}

} // namespace

std::vector<RetrievalExample> RandomDistractors::apply(const std::vector<RetrievalExample>& oracle) const {
  const size_t k = options_.documents;
  if (k == 0) fail("random distractors", "documents", "must be at least 1");

  // The pool: distinct gold passages in file order; poolOf[i] = example i's own.
  std::vector<Document> pool;
  std::vector<std::string> poolLower;
  std::vector<size_t> poolOf(oracle.size());
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < oracle.size(); ++i) {
    const auto& ex = oracle[i];
    const auto gold = ex.goldIndex();
    if (ex.kind != TaskKind::Qa || !gold)
      fail("example " + std::to_string(ex.index), "documents",
           "random distractors need a QA example with a gold");
    Document d = ex.documents[*gold];
    d.isGold = false;
    auto [it, added] = seen.emplace(d.title + '\x1f' + d.text, pool.size());
    if (added) {
      poolLower.push_back(asciiLower(d.title + "\n" + d.text));
      pool.push_back(std::move(d));
    }
    poolOf[i] = it->second;
  }
  if (k > 1 && pool.size() < k)
    fail("random distractors", "documents",
         std::to_string(k) + " documents need " + std::to_string(k - 1) + " other passages; the file has " +
             std::to_string(pool.size() - 1));

  std::vector<RetrievalExample> out;
  out.reserve(oracle.size());
  for (size_t i = 0; i < oracle.size(); ++i) {
    const auto& ex = oracle[i];
    RetrievalExample r = ex;
    r.documents = {ex.documents[*ex.goldIndex()]};
    std::vector<std::string> answers;
    if (options_.skipAnswerBearing)
      for (const auto& a : ex.answers)
        answers.push_back(asciiLower(a));

    SeededRandom rng(SeededRandom::derive(options_.seed, ex.index));
    std::unordered_set<size_t> taken{poolOf[i]};
    while (r.documents.size() < k) {
      if (taken.size() == pool.size())
        fail("example " + std::to_string(ex.index), "answers",
             "too few passages without the answer to draw " + std::to_string(k - 1) + " distractors");
      const size_t c = rng.below(pool.size());
      if (!taken.insert(c).second) continue;
      if (std::any_of(answers.begin(), answers.end(),
                      [&](const std::string& a) { return containsWord(poolLower[c], a); }))
        continue;
      r.documents.push_back(pool[c]);
    }
    r.metadata["distractors"] = "random";
    r.metadata["distractor_seed"] = std::to_string(options_.seed);
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace poslab
