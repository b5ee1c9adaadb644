#pragma once
// SHA-256 (FIPS 180-4), for data fingerprints that users can check with
// `sha256sum` and against published checksums.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace poslab {

class Sha256 {
public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  std::string hexDigest(); // finishes the hash; lower-case hex, 64 characters

private:
  void block(const uint8_t* p);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

} // namespace poslab
