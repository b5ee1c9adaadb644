// libposlab_spm: sentencepiece behind the C interface of SpmShimApi.h. Every
// entry point catches everything: an exception must not cross a dlopen'ed C
// boundary, and a bad model must come back as a message, never an abort.
#include "core/tokenizer/spm_shim/SpmShimApi.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#define POSLAB_SPM_EXPORT __attribute__((visibility("default")))

// Defined in libsentencepiece (logging.h is not installed): 0 = INFO, 1 = WARNING, ...
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
} // namespace sentencepiece::logging

struct PoslabSpmModel {
  sentencepiece::SentencePieceProcessor processor;
  std::vector<int32_t> types; // piece type per id, read from the serialized ModelProto
};

namespace {

char* copyString(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

void setError(char** error, const std::string& message) {
  if (error) *error = copyString(message);
}

// Minimal protobuf wire-format reader: sentencepiece 0.1.97 has no public
// IsUserDefined(), so the piece types are read from ModelProto field 1
// (repeated SentencePiece { string piece = 1; float score = 2; Type type = 3; }).
class WireReader {
public:
  WireReader(const char* data, size_t size) : p_(reinterpret_cast<const uint8_t*>(data)), end_(p_ + size) {}
  bool done() const { return p_ >= end_; }
  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t byte = *p_++;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  // Skips or returns a field's payload; false on a malformed field.
  bool field(uint32_t& number, uint32_t& wireType, uint64_t& value, const char*& bytes) {
    uint64_t key = 0;
    if (!varint(key)) return false;
    number = static_cast<uint32_t>(key >> 3);
    wireType = static_cast<uint32_t>(key & 7);
    bytes = nullptr;
    switch (wireType) {
    case 0:
      return varint(value);
    case 1:
      return skip(8);
    case 5:
      return skip(4);
    case 2:
      if (!varint(value) || value > static_cast<uint64_t>(end_ - p_)) return false;
      bytes = reinterpret_cast<const char*>(p_);
      p_ += value;
      return true;
    default:
      return false;
    }
  }

private:
  bool skip(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

std::vector<int32_t> readPieceTypes(const std::string& proto) {
  std::vector<int32_t> types;
  WireReader model(proto.data(), proto.size());
  while (!model.done()) {
    uint32_t number = 0, wireType = 0;
    uint64_t value = 0;
    const char* bytes = nullptr;
    if (!model.field(number, wireType, value, bytes)) return {};
    if (number != 1 || wireType != 2) continue;
    int32_t type = POSLAB_SPM_NORMAL; // the proto's default
    WireReader piece(bytes, value);
    while (!piece.done()) {
      uint32_t n = 0, w = 0;
      uint64_t v = 0;
      const char* b = nullptr;
      if (!piece.field(n, w, v, b)) return {};
      if (n == 3 && w == 0) type = static_cast<int32_t>(v);
    }
    types.push_back(type);
  }
  return types;
}

bool validId(const PoslabSpmModel* model, int32_t id) {
  return model && id >= 0 && id < model->processor.GetPieceSize();
}

// The caller's sentences as sentencepiece's input.
class SentenceList : public sentencepiece::SentenceIterator {
public:
  SentenceList(const char* const* items, size_t count) : items_(items), count_(count) { load(); }
  bool done() const override { return index_ >= count_; }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

private:
  void load() {
    if (index_ < count_) value_ = items_[index_];
  }
  const char* const* items_;
  size_t count_;
  size_t index_ = 0;
  std::string value_;
};

} // namespace

extern "C" {

POSLAB_SPM_EXPORT int poslab_spm_api_version(void) {
  return POSLAB_SPM_API_VERSION;
}

POSLAB_SPM_EXPORT PoslabSpmModel* poslab_spm_load(const char* path, char** error) {
  try {
    auto* model = new PoslabSpmModel;
    const auto status = model->processor.Load(path);
    if (!status.ok()) {
      setError(error, status.ToString());
      delete model;
      return nullptr;
    }
    model->types = readPieceTypes(model->processor.serialized_model_proto());
    if (model->types.size() != static_cast<size_t>(model->processor.GetPieceSize())) {
      setError(error, "piece table could not be read back from the model");
      delete model;
      return nullptr;
    }
    return model;
  } catch (const std::exception& e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return nullptr;
}

POSLAB_SPM_EXPORT void poslab_spm_free(PoslabSpmModel* model) {
  delete model;
}

POSLAB_SPM_EXPORT void poslab_spm_free_string(char* text) {
  std::free(text);
}

POSLAB_SPM_EXPORT int32_t poslab_spm_vocab_size(const PoslabSpmModel* model) {
  return model ? model->processor.GetPieceSize() : 0;
}

POSLAB_SPM_EXPORT const char* poslab_spm_piece(const PoslabSpmModel* model, int32_t id, size_t* length) {
  if (!validId(model, id)) return nullptr;
  const std::string& piece = model->processor.IdToPiece(id);
  if (length) *length = piece.size();
  return piece.data();
}

POSLAB_SPM_EXPORT float poslab_spm_score(const PoslabSpmModel* model, int32_t id) {
  return validId(model, id) ? model->processor.GetScore(id) : 0.0f;
}

POSLAB_SPM_EXPORT int32_t poslab_spm_type(const PoslabSpmModel* model, int32_t id) {
  return validId(model, id) ? model->types[static_cast<size_t>(id)] : 0;
}

POSLAB_SPM_EXPORT int32_t poslab_spm_piece_to_id(const PoslabSpmModel* model, const char* piece,
                                                 size_t length) {
  if (!model || (!piece && length)) return -1;
  try {
    const std::string text(piece ? piece : "", length);
    const int id = model->processor.PieceToId(text);
    // PieceToId answers unk for unknown pieces; only the unk piece itself maps to unk.
    if (id == model->processor.unk_id() && model->processor.IdToPiece(id) != text) return -1;
    return id;
  } catch (...) {
    return -1;
  }
}

POSLAB_SPM_EXPORT int32_t poslab_spm_bos_id(const PoslabSpmModel* model) {
  return model ? model->processor.bos_id() : -1;
}
POSLAB_SPM_EXPORT int32_t poslab_spm_eos_id(const PoslabSpmModel* model) {
  return model ? model->processor.eos_id() : -1;
}
POSLAB_SPM_EXPORT int32_t poslab_spm_unk_id(const PoslabSpmModel* model) {
  return model ? model->processor.unk_id() : -1;
}
POSLAB_SPM_EXPORT int32_t poslab_spm_pad_id(const PoslabSpmModel* model) {
  return model ? model->processor.pad_id() : -1;
}

POSLAB_SPM_EXPORT int poslab_spm_encode(const PoslabSpmModel* model, const char* text, size_t length,
                                        PoslabSpmPieces* out, char** error) {
  if (!model || !out || (!text && length)) {
    setError(error, "invalid arguments");
    return 1;
  }
  *out = PoslabSpmPieces{0, nullptr, nullptr, nullptr};
  try {
    sentencepiece::ImmutableSentencePieceText spt;
    const auto status =
        model->processor.Encode(absl::string_view(text ? text : "", length), spt.mutable_proto());
    if (!status.ok()) {
      setError(error, status.ToString());
      return 1;
    }
    const size_t count = spt.pieces_size();
    // One block: ids, then begins, then ends (all 4-byte, so aligned).
    void* block = std::malloc((count ? count : 1) * (sizeof(int32_t) + 2 * sizeof(uint32_t)));
    if (!block) throw std::bad_alloc();
    out->count = count;
    out->ids = static_cast<int32_t*>(block);
    out->begin = reinterpret_cast<uint32_t*>(out->ids + count);
    out->end = out->begin + count;
    for (size_t i = 0; i < count; ++i) {
      const auto piece = spt.pieces(static_cast<int>(i));
      out->ids[i] = static_cast<int32_t>(piece.id());
      out->begin[i] = piece.begin();
      out->end[i] = piece.end();
    }
    return 0;
  } catch (const std::exception& e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return 1;
}

POSLAB_SPM_EXPORT void poslab_spm_free_pieces(PoslabSpmPieces* pieces) {
  if (!pieces) return;
  std::free(pieces->ids);
  *pieces = PoslabSpmPieces{0, nullptr, nullptr, nullptr};
}

POSLAB_SPM_EXPORT char* poslab_spm_decode(const PoslabSpmModel* model, const int32_t* ids, size_t count,
                                          size_t* length, char** error) {
  if (!model || (!ids && count)) {
    setError(error, "invalid arguments");
    return nullptr;
  }
  try {
    std::vector<int> input(count);
    for (size_t i = 0; i < count; ++i) {
      if (!validId(model, ids[i])) {
        setError(error, "id " + std::to_string(ids[i]) + " is out of range [0, " +
                            std::to_string(model->processor.GetPieceSize()) + ")");
        return nullptr;
      }
      input[i] = ids[i];
    }
    std::string text;
    const auto status = model->processor.Decode(input, &text);
    if (!status.ok()) {
      setError(error, status.ToString());
      return nullptr;
    }
    char* out = copyString(text);
    if (!out) throw std::bad_alloc();
    if (length) *length = text.size();
    return out;
  } catch (const std::exception& e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return nullptr;
}

POSLAB_SPM_EXPORT int poslab_spm_train(const char* const* sentences, size_t sentence_count,
                                       const char* const* keys, const char* const* values, size_t count,
                                       unsigned int seed, int quiet, char** model, size_t* length,
                                       char** error) {
  if ((sentence_count && !sentences) || (count && (!keys || !values)) || !model) {
    setError(error, "null argument");
    return 1;
  }
  try {
    // The trainer samples and shuffles with sentencepiece's global generator.
    sentencepiece::SetRandomGeneratorSeed(seed);
    if (quiet) sentencepiece::logging::SetMinLogLevel(1);
    std::unordered_map<std::string, std::string> options;
    for (size_t i = 0; i < count; ++i)
      options[keys[i]] = values[i];
    std::string serialized;
    SentenceList list(sentences, sentence_count);
    const auto status = sentencepiece::SentencePieceTrainer::Train(options, &list, &serialized);
    if (quiet) sentencepiece::logging::SetMinLogLevel(0);
    if (!status.ok()) {
      setError(error, status.ToString());
      return 1;
    }
    char* out = static_cast<char*>(std::malloc(serialized.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, serialized.data(), serialized.size());
    out[serialized.size()] = '\0';
    *model = out;
    if (length) *length = serialized.size();
    return 0;
  } catch (const std::exception& e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return 1;
}

} // extern "C"
