#include "core/weights/GgufFile.h"

#include "core/util/Error.h"
#include "core/weights/GgufReader.h"
#include "core/weights/MappedFile.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

// Layout (gguf.md): "GGUF" magic, u32 version, u64 tensor_count, u64 kv_count,
// kv_count × (string key, u32 type, value), tensor_count × (string name, u32 n_dims,
// n_dims × u64 ne, u32 ggml_type, u64 offset), padding to general.alignment, data.
// Strings are u64 length + bytes; arrays are u32 element type + u64 count + elements.
// Everything little-endian.
static_assert(std::endian::native == std::endian::little, "GGUF is read as little-endian");

namespace poslab {

namespace {

using Type = GgufValue::Type;
constexpr auto typeName = GgufReader::typeName;
constexpr auto isUnsigned = GgufReader::isUnsigned;
constexpr auto isSigned = GgufReader::isSigned;
constexpr auto isFloat = GgufReader::isFloat;
constexpr auto isInteger = GgufReader::isInteger;

constexpr uint32_t kDefaultAlignment = 32;
constexpr uint32_t kMaxDims = 4; // GGML_MAX_DIMS

bool ggmlType(uint32_t raw, DType& out) {
  switch (raw) {
  case 0:
    out = DType::F32;
    return true;
  case 1:
    out = DType::F16;
    return true;
  case 8:
    out = DType::Q8_0;
    return true;
  case 30:
    out = DType::BF16;
    return true;
  default:
    return false;
  }
}

std::string singleQuoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '\'';
  out += name;
  out += '\'';
  return out;
}

} // namespace

GgufFile::GgufFile(const std::string& path) : path_(path) {
  auto mapped = std::make_shared<MappedFile>(path);
  file_ = mapped;
  const std::byte* base = mapped->data();
  const uint64_t size = mapped->size();
  GgufReader cur(path_, base, size);

  // Header.
  if (size < 4 || std::memcmp(base, "GGUF", 4) != 0)
    fail(path_, "magic", "not a GGUF file (no \"GGUF\" magic)");
  cur.read<uint32_t>("magic");
  version_ = cur.read<uint32_t>("version");
  if (version_ == 1)
    fail(path_, "version",
         "GGUF v1 is not supported (32-bit counts); re-convert it with a current llama.cpp");
  if (version_ != 2 && version_ != 3)
    fail(path_, "version", "unsupported GGUF version " + std::to_string(version_) + " (expected 2 or 3)");
  const auto tensorCount = cur.read<uint64_t>("tensor_count");
  const auto kvCount = cur.read<uint64_t>("metadata_kv_count");
  // Each key/value takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor
  // info at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset).
  if (kvCount > cur.remaining() / 13)
    fail(path_, "metadata_kv_count",
         std::to_string(kvCount) + " entries cannot fit in the " + std::to_string(cur.remaining()) +
             " bytes left in the file");
  if (tensorCount > cur.remaining() / 24)
    fail(path_, "tensor_count",
         std::to_string(tensorCount) + " tensors cannot fit in the " + std::to_string(cur.remaining()) +
             " bytes left in the file");

  // Metadata.
  std::unordered_set<std::string> seenKeys;
  metadata_.reserve(static_cast<size_t>(kvCount));
  for (uint64_t k = 0; k < kvCount; ++k) {
    const std::string where = "metadata entry " + std::to_string(k);
    std::string key = cur.readString(where + " (key)");
    const std::string field = "metadata " + singleQuoted(key);
    if (!seenKeys.insert(key).second) fail(path_, field, "key appears twice");
    const Type type = cur.readType(field + " (type)");
    GgufValue value = cur.readValue(type, field);
    metadata_.emplace_back(std::move(key), std::move(value));
  }

  uint64_t alignment = kDefaultAlignment;
  if (const GgufValue* a = find("general.alignment")) {
    if (!isInteger(a->type))
      fail(path_, "general.alignment", std::string("expected an integer, found ") + typeName(a->type));
    if (isSigned(a->type) && a->i <= 0) fail(path_, "general.alignment", "must be a positive power of two");
    alignment = isSigned(a->type) ? static_cast<uint64_t>(a->i) : a->u;
    if (alignment == 0 || !std::has_single_bit(alignment) || alignment > (1ull << 30))
      fail(path_, "general.alignment", std::to_string(alignment) + " is not a power of two up to 2^30");
  }

  // Tensor infos.
  struct Placement {
    uint64_t offset, nbytes;
    size_t index;
  };
  std::vector<Placement> placements;
  std::unordered_set<std::string> seenNames;
  tensors_.reserve(static_cast<size_t>(tensorCount));
  placements.reserve(static_cast<size_t>(tensorCount));
  for (uint64_t k = 0; k < tensorCount; ++k) {
    TensorView t;
    t.file = path_;
    t.name = cur.readString("tensor " + std::to_string(k) + " (name)");
    const std::string field = "tensor " + singleQuoted(t.name);
    if (!seenNames.insert(t.name).second) fail(path_, field, "name appears twice");
    const auto nDims = cur.read<uint32_t>(field + " (n_dims)");
    if (nDims < 1 || nDims > kMaxDims)
      fail(path_, field, "n_dims " + std::to_string(nDims) + " is outside 1.." + std::to_string(kMaxDims));
    uint64_t numel = 1;
    std::vector<int64_t> ne(nDims);
    for (uint32_t d = 0; d < nDims; ++d) {
      const auto n = cur.read<uint64_t>(field + " (ne)");
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          __builtin_mul_overflow(numel, n, &numel))
        fail(path_, field, "shape overflows 64 bits");
      ne[d] = static_cast<int64_t>(n);
    }
    if (numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(path_, field, "shape overflows 64 bits");
    const auto rawType = cur.read<uint32_t>(field + " (type)");
    if (!ggmlType(rawType, t.dtype)) fail(path_, field, "unsupported ggml type " + std::to_string(rawType));
    if (t.dtype == DType::Q8_0 && ne[0] % kQ8_0BlockElements != 0)
      fail(path_, field,
           "Q8_0 needs ne0 to be a multiple of 32 (blocks of 32 along the innermost dim), got " +
               std::to_string(ne[0]));
    if (!storageBytes(t.dtype, numel, t.nbytes)) fail(path_, field, "size overflows 64 bits");
    const auto offset = cur.read<uint64_t>(field + " (offset)");
    if (offset % alignment != 0)
      fail(path_, field,
           "offset " + std::to_string(offset) + " is not a multiple of the alignment " +
               std::to_string(alignment));
    t.shape.assign(ne.rbegin(), ne.rend()); // ggml's ne0 is the innermost dim
    placements.push_back({offset, t.nbytes, tensors_.size()});
    tensors_.push_back(std::move(t));
  }

  // Data region: starts at the next multiple of the alignment after the infos.
  const uint64_t infoEnd = cur.pos();
  const uint64_t dataStart =
      (infoEnd + alignment - 1) / alignment * alignment; // infoEnd <= size, no overflow
  for (const Placement& p : placements) {
    TensorView& t = tensors_[p.index];
    uint64_t begin = 0, end = 0;
    if (__builtin_add_overflow(dataStart, p.offset, &begin) || __builtin_add_overflow(begin, p.nbytes, &end))
      fail(path_, "tensor " + singleQuoted(t.name),
           "offset " + std::to_string(p.offset) + " overflows 64 bits");
    if (end > size)
      fail(path_, "tensor " + singleQuoted(t.name),
           "data ends at byte " + std::to_string(end) + " but the file has " + std::to_string(size));
    t.data = base + begin;
  }
  std::sort(placements.begin(), placements.end(),
            [](const Placement& a, const Placement& b) { return a.offset < b.offset; });
  uint64_t prevEnd = 0;
  size_t prevIndex = 0;
  for (const Placement& p : placements) {
    if (p.nbytes == 0) continue; // an empty tensor occupies nothing
    if (p.offset < prevEnd)
      fail(path_, "tensor " + singleQuoted(tensors_[p.index].name),
           "data overlaps tensor " + singleQuoted(tensors_[prevIndex].name));
    prevEnd = p.offset + p.nbytes; // cannot overflow: checked against the file size above
    prevIndex = p.index;
  }
}

GgufFile::~GgufFile() = default;

bool GgufFile::has(std::string_view key) const {
  return find(key) != nullptr;
}

const GgufValue* GgufFile::find(std::string_view key) const {
  for (const auto& [k, v] : metadata_)
    if (k == key) return &v;
  return nullptr;
}

std::vector<std::string> GgufFile::keys() const {
  std::vector<std::string> out;
  out.reserve(metadata_.size());
  for (const auto& kv : metadata_)
    out.push_back(kv.first);
  return out;
}

namespace {

[[noreturn]] void wrongType(const std::string& file, std::string_view key, const char* expected,
                            const GgufValue& v) {
  std::string found = typeName(v.type);
  if (v.type == Type::Array) found += std::string(" of ") + typeName(v.elementType);
  fail(file, std::string(key), std::string("expected ") + expected + ", found " + found);
}

// Integer value as int64; false when it is not an integer or a u64 above INT64_MAX.
bool asInteger(const GgufValue& v, int64_t& out) {
  if (isSigned(v.type)) {
    out = v.i;
    return true;
  }
  if (isUnsigned(v.type) && v.u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    out = static_cast<int64_t>(v.u);
    return true;
  }
  return false;
}

bool asNumber(const GgufValue& v, double& out) {
  if (isFloat(v.type))
    out = v.f;
  else if (isSigned(v.type))
    out = static_cast<double>(v.i);
  else if (isUnsigned(v.type))
    out = static_cast<double>(v.u);
  else
    return false;
  return true;
}

// Looks key up or fails "<file>: <key>: missing".
const GgufValue* require(const GgufFile& file, std::string_view key) {
  const GgufValue* v = file.find(key);
  if (!v) fail(file.path(), std::string(key), "missing");
  return v;
}

} // namespace

std::string GgufFile::string(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  if (v->type != Type::String) wrongType(path_, key, "string", *v);
  return v->s;
}

int64_t GgufFile::integer(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  int64_t out = 0;
  if (!isInteger(v->type)) wrongType(path_, key, "an integer", *v);
  if (!asInteger(*v, out)) fail(path_, std::string(key), std::to_string(v->u) + " does not fit in int64");
  return out;
}

double GgufFile::number(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  double out = 0;
  if (!asNumber(*v, out)) wrongType(path_, key, "a number", *v);
  return out;
}

bool GgufFile::boolean(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  if (v->type != Type::Bool) wrongType(path_, key, "bool", *v);
  return v->u != 0;
}

std::vector<std::string> GgufFile::strings(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  if (v->type != Type::Array || v->elementType != Type::String) wrongType(path_, key, "array of string", *v);
  std::vector<std::string> out;
  out.reserve(v->array.size());
  for (const GgufValue& e : v->array)
    out.push_back(e.s);
  return out;
}

std::vector<float> GgufFile::floats(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  if (v->type != Type::Array || !(isFloat(v->elementType) || isInteger(v->elementType)))
    wrongType(path_, key, "array of numbers", *v);
  std::vector<float> out;
  out.reserve(v->array.size());
  for (const GgufValue& e : v->array) {
    double d = 0;
    asNumber(e, d);
    out.push_back(static_cast<float>(d));
  }
  return out;
}

std::vector<int64_t> GgufFile::integers(std::string_view key) const {
  const GgufValue* v = require(*this, key);
  if (v->type != Type::Array || !isInteger(v->elementType)) wrongType(path_, key, "array of integers", *v);
  std::vector<int64_t> out;
  out.reserve(v->array.size());
  for (size_t k = 0; k < v->array.size(); ++k) {
    int64_t n = 0;
    if (!asInteger(v->array[k], n))
      fail(path_, std::string(key) + "[" + std::to_string(k) + "]", "value does not fit in int64");
    out.push_back(n);
  }
  return out;
}

const TensorView* GgufFile::findTensor(std::string_view name) const {
  for (const TensorView& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

} // namespace poslab
