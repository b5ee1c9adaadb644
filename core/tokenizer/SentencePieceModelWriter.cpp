#include "core/tokenizer/SentencePieceModelWriter.h"

#include "core/util/Error.h"

#include <bit>
#include <fstream>
#include <unordered_set>

namespace poslab {
namespace {

constexpr const char* kFile = "tokenizer.model";

// Protobuf wire format: https://protobuf.dev/programming-guides/encoding/
class ProtoBuffer {
public:
  void varint(uint64_t value) {
    while (value >= 0x80) {
      bytes_ += static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    bytes_ += static_cast<char>(value);
  }
  void key(uint32_t field, uint32_t wireType) { varint((static_cast<uint64_t>(field) << 3) | wireType); }
  // int32 and enums: negative values are sign-extended to 10-byte varints.
  void int32Field(uint32_t field, int32_t value) {
    key(field, 0);
    varint(static_cast<uint64_t>(static_cast<int64_t>(value)));
  }
  void boolField(uint32_t field, bool value) {
    key(field, 0);
    varint(value ? 1 : 0);
  }
  void floatField(uint32_t field, float value) {
    key(field, 5);
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    for (int i = 0; i < 4; ++i)
      bytes_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void bytesField(uint32_t field, const std::string& value) {
    key(field, 2);
    varint(value.size());
    bytes_ += value;
  }
  const std::string& bytes() const { return bytes_; }

private:
  std::string bytes_;
};

void checkId(const SentencePieceModelSpec& spec, int32_t id, const char* field) {
  if (id < -1 || id >= static_cast<int32_t>(spec.pieces.size()))
    fail(kFile, field,
         "id " + std::to_string(id) + " is out of range [0, " + std::to_string(spec.pieces.size()) + ")");
}

void validate(const SentencePieceModelSpec& spec) {
  const size_t n = spec.pieces.size();
  if (n == 0) fail(kFile, "pieces", "empty vocabulary");
  if (spec.scores.size() != n || spec.types.size() != n)
    fail(kFile, "pieces",
         std::to_string(n) + " pieces but " + std::to_string(spec.scores.size()) + " scores and " +
             std::to_string(spec.types.size()) + " types");
  std::unordered_set<std::string> seen;
  size_t unknowns = 0;
  for (size_t id = 0; id < n; ++id) {
    const std::string field = "piece " + std::to_string(id);
    if (spec.pieces[id].empty()) fail(kFile, field, "empty piece");
    if (!seen.insert(spec.pieces[id]).second) fail(kFile, field, "duplicate piece '" + spec.pieces[id] + "'");
    const auto type = static_cast<int32_t>(spec.types[id]);
    if (type < 1 || type > 6) fail(kFile, field, "invalid type " + std::to_string(type));
    if (spec.types[id] == SpmPieceType::Unknown) ++unknowns;
    if (spec.types[id] == SpmPieceType::Byte && !spec.byteFallback)
      fail(kFile, field, "byte piece in a vocabulary without byte fallback");
  }
  if (unknowns != 1)
    fail(kFile, "pieces", std::to_string(unknowns) + " Unknown pieces, sentencepiece needs exactly 1");
  checkId(spec, spec.unkId, "unk_id");
  checkId(spec, spec.bosId, "bos_id");
  checkId(spec, spec.eosId, "eos_id");
  checkId(spec, spec.padId, "pad_id");
  if (spec.unkId < 0 || spec.types[static_cast<size_t>(spec.unkId)] != SpmPieceType::Unknown)
    fail(kFile, "unk_id", "must name the Unknown piece");
}

} // namespace

std::string SentencePieceModelWriter::serialize(const SentencePieceModelSpec& spec) {
  validate(spec);
  ProtoBuffer model;
  // ModelProto.pieces = 1: SentencePiece { piece = 1; score = 2; type = 3 }
  for (size_t id = 0; id < spec.pieces.size(); ++id) {
    ProtoBuffer piece;
    piece.bytesField(1, spec.pieces[id]);
    piece.floatField(2, spec.scores[id]);
    piece.int32Field(3, static_cast<int32_t>(spec.types[id]));
    model.bytesField(1, piece.bytes());
  }
  // ModelProto.trainer_spec = 2. sentencepiece finds the special ids by piece
  // text (unk_piece = 45, bos_piece = 46, eos_piece = 47,
  // pad_piece = 48; 44 is unk_surface), so both ids and texts are written.
  ProtoBuffer trainer;
  trainer.int32Field(3, 2);                                        // model_type = BPE
  trainer.int32Field(4, static_cast<int32_t>(spec.pieces.size())); // vocab_size
  trainer.boolField(35, spec.byteFallback);
  const auto pieceOr = [&](int32_t id, const char* fallback) {
    return id >= 0 ? spec.pieces[static_cast<size_t>(id)] : std::string(fallback);
  };
  trainer.int32Field(40, spec.unkId);
  trainer.int32Field(41, spec.bosId);
  trainer.int32Field(42, spec.eosId);
  trainer.int32Field(43, spec.padId);
  trainer.bytesField(45, pieceOr(spec.unkId, "<unk>"));
  trainer.bytesField(46, pieceOr(spec.bosId, "<s>"));
  trainer.bytesField(47, pieceOr(spec.eosId, "</s>"));
  trainer.bytesField(48, pieceOr(spec.padId, "<pad>"));
  model.bytesField(2, trainer.bytes());
  // ModelProto.normalizer_spec = 3: name = 1, add_dummy_prefix = 3,
  // remove_extra_whitespaces = 4, escape_whitespaces = 5. No
  // precompiled_charsmap (2): the identity normalizer, as Llama's model.
  ProtoBuffer normalizer;
  normalizer.bytesField(1, "identity");
  normalizer.boolField(3, spec.addDummyPrefix);
  normalizer.boolField(4, spec.removeExtraWhitespaces);
  normalizer.boolField(5, spec.escapeWhitespaces);
  model.bytesField(3, normalizer.bytes());
  return model.bytes();
}

void SentencePieceModelWriter::write(const SentencePieceModelSpec& spec, const std::string& path) {
  const std::string bytes = serialize(spec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "", "cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path, "", "write failed");
}

} // namespace poslab
