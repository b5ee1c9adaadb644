#pragma once
// SHA-256 (FIPS 180-4), for data fingerprints that users can check with
// `sha256sum` and against published checksums. Computed by OpenSSL's libcrypto
// (its EVP interface): a well-kept implementation rather than one of our own.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX, kept out of this header

namespace poslab {

class Sha256 {
public:
  Sha256();
  // A copy continues from the same bytes. No move: a moved-from hash would
  // have no context, and copying one is cheap.
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  ~Sha256();

  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // Finishes the hash: lower-case hex, 64 characters. The object then starts
  // a new, empty hash.
  std::string hexDigest();

private:
  struct FreeContext {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, FreeContext> context_;
};

} // namespace poslab
