#include "core/demo/SyntheticTaskGenerator.h"

#include "core/data/SeededRandom.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <zlib.h>

namespace poslab {

namespace {

// Sub-stream numbers: the name inventory and each split draw from their own.
constexpr uint64_t kNameStream = 0x6e616d6573ull; // "names"
constexpr uint64_t kTrainStream = 1ull << 40;
constexpr uint64_t kHeldoutStream = 2ull << 40;

// Consonant-vowel-consonant-vowel names ("Bada", "Kilo", ...): pronounceable,
// easy to tell apart, and none is an English word the reader would trip on.
std::vector<std::string> allNames() {
  const std::string onsets = "bdfgklmnprstvz", vowels = "aeiou";
  std::vector<std::string> out;
  for (char a : onsets)
    for (char b : vowels)
      for (char c : onsets)
        for (char d : vowels)
          out.push_back({static_cast<char>(a - 'a' + 'A'), b, c, d});
  return out;
}

std::string gzipFixed(const std::string& text, const std::string& path) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper; zlib's default header has no name and mtime 0.
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail(path, "", "zlib deflateInit2 failed");
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) fail(path, "", "zlib deflate failed");
  out.resize(written);
  return out;
}

} // namespace

SyntheticTaskGenerator::SyntheticTaskGenerator(const DemoRecipe& recipe) : recipe_(recipe) {
  std::vector<std::string> all = allNames();
  if (recipe_.nameInventory < recipe_.documents || recipe_.nameInventory > all.size())
    fail("demo recipe", "nameInventory",
         "must lie in [documents, " + std::to_string(all.size()) + "], is " +
             std::to_string(recipe_.nameInventory));
  if (recipe_.codeMax - recipe_.codeMin + 1 < static_cast<int>(recipe_.documents))
    fail("demo recipe", "codeMin/codeMax", "fewer codes than documents");
  SeededRandom rng(SeededRandom::derive(recipe_.seed, kNameStream));
  rng.shuffle(all);
  names_.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(recipe_.nameInventory));
}

RetrievalExample SyntheticTaskGenerator::example(const std::string& split, uint64_t stream,
                                                 size_t index) const {
  SeededRandom rng(SeededRandom::derive(recipe_.seed, stream));
  const size_t K = recipe_.documents;
  // K distinct names and K distinct codes: partial Fisher-Yates over index lists.
  std::vector<size_t> nameIdx(names_.size());
  for (size_t i = 0; i < nameIdx.size(); ++i)
    nameIdx[i] = i;
  std::vector<int> codes;
  for (int c = recipe_.codeMin; c <= recipe_.codeMax; ++c)
    codes.push_back(c);
  for (size_t i = 0; i < K; ++i) {
    std::swap(nameIdx[i], nameIdx[i + rng.below(nameIdx.size() - i)]);
    std::swap(codes[i], codes[i + rng.below(codes.size() - i)]);
  }
  RetrievalExample ex;
  ex.kind = TaskKind::Qa;
  ex.index = index;
  ex.id = "demo-" + split + "-" + std::to_string(index);
  // A record repeats its name before the code ("Kolo 47") and the question is
  // the name, so the prompt ends where the answer follows in the gold record
  // (DemoRecipe.h explains why).
  for (size_t i = 0; i < K; ++i) {
    const std::string& name = names_[nameIdx[i]];
    ex.documents.push_back({name, name + " " + std::to_string(codes[i]), i == 0});
  }
  ex.question = names_[nameIdx[0]];
  ex.answers = {std::to_string(codes[0])};
  ex.metadata["source"] = "poslab-cli make-demo, seed " + std::to_string(recipe_.seed);
  return ex;
}

std::vector<RetrievalExample> SyntheticTaskGenerator::trainSet() const {
  std::vector<RetrievalExample> out;
  out.reserve(recipe_.trainExamples);
  for (size_t i = 0; i < recipe_.trainExamples; ++i)
    out.push_back(example("train", kTrainStream + i, i));
  return out;
}

std::vector<RetrievalExample>
SyntheticTaskGenerator::heldoutSet(const std::vector<RetrievalExample>& train) const {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& ex : train)
    seen.insert({ex.documents[0].title, ex.documents[0].text});
  std::vector<RetrievalExample> out;
  // Draw streams until enough examples have an unseen gold fact (a collision
  // chance of about trainExamples / (names * codes) ~ 2.5 % per draw).
  for (uint64_t s = 0; out.size() < recipe_.heldoutExamples; ++s) {
    RetrievalExample ex = example("heldout", kHeldoutStream + s, out.size());
    if (seen.count({ex.documents[0].title, ex.documents[0].text})) continue;
    out.push_back(std::move(ex));
  }
  return out;
}

void SyntheticTaskGenerator::writeJsonlGz(const std::string& path,
                                          const std::vector<RetrievalExample>& examples) {
  std::string text;
  for (const auto& ex : examples) {
    nlohmann::ordered_json docs = nlohmann::ordered_json::array();
    for (const auto& d : ex.documents) {
      nlohmann::ordered_json doc = {{"title", d.title}, {"text", d.text}};
      if (d.isGold) doc["is_gold"] = true;
      if (d.hop > 0) doc["hop"] = d.hop;
      docs.push_back(std::move(doc));
    }
    nlohmann::ordered_json record = {
        {"id", ex.id}, {"question", ex.question}, {"answers", ex.answers}, {"documents", std::move(docs)}};
    if (!ex.metadata.empty()) record["metadata"] = ex.metadata;
    text += record.dump();
    text += '\n';
  }
  AtomicFile file(path);
  file.write(gzipFixed(text, std::filesystem::path(path).filename().string()));
  file.commit();
}

} // namespace poslab
