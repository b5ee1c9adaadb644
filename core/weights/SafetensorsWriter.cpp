#include "core/weights/SafetensorsWriter.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <bit>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

static_assert(std::endian::native == std::endian::little, "safetensors is written little-endian");

namespace poslab {

void SafetensorsWriter::write(const std::string& path, const std::vector<Entry>& entries,
                              const std::map<std::string, std::string>& metadata) {
  // Header in the entries' order (ordered_json keeps insertion order).
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const Entry& e : entries) {
    const std::string field = "tensor '" + e.name + "'";
    if (e.name == "__metadata__") fail(path, field, "the name is reserved");
    if (!names.insert(e.name).second) fail(path, field, "appears twice");
    if (e.dtype == DType::Q8_0) fail(path, field, "Q8_0 cannot be stored in safetensors");
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d < 0) fail(path, field, "negative dim " + std::to_string(d));
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel))
        fail(path, field, "shape overflows");
    }
    uint64_t bytes = 0;
    if (!storageBytes(e.dtype, numel, bytes)) fail(path, field, "size overflows");
    if (bytes != e.nbytes)
      fail(path, field,
           "shape needs " + std::to_string(bytes) + " bytes but " + std::to_string(e.nbytes) + " given");
    if (bytes > 0 && !e.data) fail(path, field, "no data");
    header[e.name] = {
        {"dtype", dtypeName(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // data then starts 8-byte aligned
  const uint64_t headerLen = text.size();

  AtomicFile tmp(path);
  tmp.write(&headerLen, 8); // little-endian host (static_assert in SafetensorsFile.cpp)
  tmp.write(text.data(), headerLen);
  for (const Entry& e : entries)
    if (e.nbytes > 0) tmp.write(e.data, e.nbytes);
  tmp.commit();
}

} // namespace poslab
