#include "core/weights/SafetensorsFile.h"

#include "core/util/Error.h"
#include "core/weights/MappedFile.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

static_assert(std::endian::native == std::endian::little, "safetensors is read as little-endian");

namespace poslab {

namespace {

std::optional<DType> dtypeFromName(const std::string& s) {
  for (DType d : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32, DType::I16,
                  DType::I8, DType::U8, DType::Bool})
    if (s == dtypeName(d)) return d;
  return std::nullopt;
}

std::string singleQuoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '\'';
  out += name;
  out += '\'';
  return out;
}

// A JSON value as a non-negative integer, or fails naming what it is.
uint64_t nonNegative(const nlohmann::json& v, const std::string& file, const std::string& field,
                     const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer())
    fail(file, field, what + " " + std::to_string(v.get<int64_t>()) + " is negative");
  fail(file, field, what + " is not an integer: " + v.dump());
}

} // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  auto mapped = std::make_shared<MappedFile>(path);
  file_ = mapped;
  const std::byte* base = mapped->data();
  const uint64_t size = mapped->size();

  if (size < 8)
    fail(path_, "header",
         "the file has " + std::to_string(size) + " bytes, too few for the 8-byte header length");
  uint64_t headerLen = 0;
  std::memcpy(&headerLen, base, 8);
  if (headerLen > size - 8)
    fail(path_, "header",
         "length " + std::to_string(headerLen) + " runs past the end of the file (" + std::to_string(size) +
             " bytes)");
  if (headerLen > kMaxHeaderBytes)
    fail(path_, "header",
         "length " + std::to_string(headerLen) + " is above the limit of " + std::to_string(kMaxHeaderBytes) +
             " bytes");

  nlohmann::json header;
  try {
    const char* text = reinterpret_cast<const char*>(base + 8);
    header = nlohmann::json::parse(text, text + headerLen);
  } catch (const nlohmann::json::exception& e) {
    fail(path_, "header", std::string("invalid JSON: ") + e.what());
  }
  if (!header.is_object())
    fail(path_, "header", "expected a JSON object, found " + std::string(header.type_name()));

  const uint64_t dataStart = 8 + headerLen;
  const uint64_t dataSize = size - dataStart;
  struct Range {
    uint64_t begin, end;
    size_t index;
  };
  std::vector<Range> ranges;
  tensors_.reserve(header.size());
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(path_, "__metadata__", "expected an object of strings");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string())
          fail(path_, "__metadata__ " + singleQuoted(k), "expected a string, found " + v.dump());
        metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string field = "tensor " + singleQuoted(name);
    if (!entry.is_object()) fail(path_, field, "expected an object, found " + entry.dump());

    TensorView t;
    t.name = name;
    t.file = path_;
    const auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string()) fail(path_, field, "dtype is missing or not a string");
    const auto parsed = dtypeFromName(dtype->get<std::string>());
    if (!parsed) fail(path_, field, "unknown dtype \"" + dtype->get<std::string>() + "\"");
    t.dtype = *parsed;

    const auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail(path_, field, "shape is missing or not an array");
    uint64_t numel = 1;
    for (const auto& d : *shape) {
      const uint64_t n = nonNegative(d, path_, field, "shape dim");
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          __builtin_mul_overflow(numel, n, &numel))
        fail(path_, field, "shape " + shape->dump() + " overflows 64 bits");
      t.shape.push_back(static_cast<int64_t>(n));
    }
    if (numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(path_, field, "shape " + shape->dump() + " overflows 64 bits");
    uint64_t bytes = 0;
    if (!storageBytes(t.dtype, numel, bytes))
      fail(path_, field, "size of shape " + shape->dump() + " overflows");

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2)
      fail(path_, field, "data_offsets is missing or not [begin, end]");
    const uint64_t begin = nonNegative((*offsets)[0], path_, field, "data_offsets begin");
    const uint64_t end = nonNegative((*offsets)[1], path_, field, "data_offsets end");
    if (begin > end)
      fail(path_, field,
           "data_offsets begin " + std::to_string(begin) + " is after end " + std::to_string(end));
    if (end > dataSize)
      fail(path_, field,
           "data ends at byte " + std::to_string(dataStart + end) + " but the file has " +
               std::to_string(size));
    if (end - begin != bytes)
      fail(path_, field,
           "shape " + shape->dump() + " of " + dtypeName(t.dtype) + " needs " + std::to_string(bytes) +
               " bytes but data_offsets span " + std::to_string(end - begin));
    t.data = base + dataStart + begin;
    t.nbytes = bytes;
    ranges.push_back({begin, end, tensors_.size()});
    tensors_.push_back(std::move(t));
  }

  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  uint64_t prevEnd = 0;
  size_t prevIndex = 0;
  for (const Range& r : ranges) {
    if (r.begin == r.end) continue; // an empty tensor occupies nothing
    if (r.begin < prevEnd)
      fail(path_, "tensor " + singleQuoted(tensors_[r.index].name),
           "data overlaps tensor " + singleQuoted(tensors_[prevIndex].name));
    prevEnd = r.end;
    prevIndex = r.index;
  }

  // File order, so tensors() reads like the file.
  std::vector<TensorView> ordered;
  ordered.reserve(tensors_.size());
  for (const Range& r : ranges)
    ordered.push_back(std::move(tensors_[r.index]));
  tensors_ = std::move(ordered);
}

SafetensorsFile::~SafetensorsFile() = default;

const TensorView* SafetensorsFile::find(std::string_view name) const {
  for (const TensorView& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

} // namespace poslab
