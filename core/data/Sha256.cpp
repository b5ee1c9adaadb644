#include "core/data/Sha256.h"

#include "core/util/Error.h"

#include <openssl/evp.h>

namespace poslab {

namespace {

// libcrypto fails only when it cannot allocate or the digest is unavailable
// (e.g. a broken FIPS configuration); both deserve a message, not a wrong hash.
void check(int ok, const char* what) {
  if (ok != 1) fail("sha256", what, "OpenSSL libcrypto failed");
}

EVP_MD_CTX* newContext() {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (!context) fail("sha256", "EVP_MD_CTX_new", "out of memory");
  return context;
}

} // namespace

void Sha256::FreeContext::operator()(evp_md_ctx_st* context) const {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(newContext()) {
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

Sha256::Sha256(const Sha256& other) : context_(newContext()) {
  check(EVP_MD_CTX_copy_ex(context_.get(), other.context_.get()), "EVP_MD_CTX_copy_ex");
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) check(EVP_MD_CTX_copy_ex(context_.get(), other.context_.get()), "EVP_MD_CTX_copy_ex");
  return *this;
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  if (size == 0) return; // data may be null then
  check(EVP_DigestUpdate(context_.get(), data, size), "EVP_DigestUpdate");
}

std::string Sha256::hexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  check(EVP_DigestFinal_ex(context_.get(), digest, &size), "EVP_DigestFinal_ex");
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xF]);
  }
  return out;
}

} // namespace poslab
