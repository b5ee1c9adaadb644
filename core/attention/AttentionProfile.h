#pragma once
// Where one query span's attention went, for one prompt: per layer and head, the
// mass on each document, on the first tokens (the sink) and outside every
// document. Plain data (no torch), for app/, widgets and JSON.
#include "core/prompt/TokenSpans.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct AttentionProfile {
  std::string query; // attentionQueryName(): "last" | "question" | "answer"
  size_t layers = 0;
  size_t heads = 0;
  size_t documents = 0;

  // Mass of a query row on a document = the sum of its attention probabilities
  // over the document's key tokens; each value here is that mass averaged over
  // the query rows. For every (layer, head): sum over documents of mass +
  // outsideMass = 1 (each row's probabilities sum to 1 and every key token is
  // counted once: in its document or outside).
  std::vector<float> mass; // [layers][heads][documents], row-major
  std::vector<float>
      outsideMass; // [layers][heads]: keys in no document (instruction, question, template, answer)
  // The first `sinkTokens` keys (BOS and the next ones) as a separate view: they
  // overlap the partition above (they usually sit in the instruction).
  std::vector<float> sinkMass;  // [layers][heads]
  std::vector<float> sinkShare; // [layers]: sinkMass averaged over heads
  size_t sinkTokens = 0;

  size_t sequenceTokens = 0; // tokens in the analysed forward (prompt, plus the answer for "answer")
  size_t promptTokens = 0;
  TokenRange queryRows;                   // the averaged rows, token indices [first, last)
  std::vector<TokenRange> documentRanges; // each document's tokens (TokenSpans)
  std::vector<size_t> documentTokens;     // keys counted for each document (a shared token counts once)
  std::optional<size_t> goldIndex;        // the gold's document index, when the prompt has one
  std::vector<int32_t> answerIds;         // "answer": the greedy answer, stop token included
  std::string answerText;                 // "answer": decoded, cut before a stop string
  std::string stopReason;                 // "answer": "eos" | "stop-string" | "length"

  size_t index(size_t layer, size_t head, size_t document) const {
    return (layer * heads + head) * documents + document;
  }
  float at(size_t layer, size_t head, size_t document) const { return mass[index(layer, head, document)]; }
  // [layers][documents]: mass averaged over heads.
  std::vector<float> massOverHeads() const;
  // [documents]: mass averaged over layers and heads.
  std::vector<float> massOverLayersAndHeads() const;
};

} // namespace poslab
