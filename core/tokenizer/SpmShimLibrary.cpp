#include "core/tokenizer/SpmShimLibrary.h"

#include "core/util/Error.h"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <mutex>

namespace poslab {
namespace {

// AddressSanitizer refuses RTLD_DEEPBIND (its interceptors must see every call).
// The sanitized builds are the fuzz targets, which link no LibTorch, so there
// is no second protobuf for the shim to keep apart from.
// GCC says so with __SANITIZE_ADDRESS__, clang 14 only through __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define POSLAB_SHIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POSLAB_SHIM_ASAN 1
#endif
#endif
#ifdef POSLAB_SHIM_ASAN
constexpr int kShimFlags = RTLD_NOW | RTLD_LOCAL;
#else
constexpr int kShimFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif

template <typename Fn> void resolve(void* handle, const std::string& path, const char* name, Fn& fn) {
  void* symbol = dlsym(handle, name);
  if (!symbol) fail(path, name, "symbol missing from the sentencepiece shim");
  fn = reinterpret_cast<Fn>(symbol);
}

} // namespace

std::vector<std::string> SpmShimLibrary::candidatePaths() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const auto dir = exe.parent_path();
  return {(dir / kFileName).string(), (dir / ".." / "lib" / kFileName).lexically_normal().string(),
          (dir / ".." / "lib" / "poslab" / kFileName).lexically_normal().string()};
}

std::shared_ptr<const SpmShimLibrary> SpmShimLibrary::open(const std::string& path) {
  dlerror();
  void* handle = dlopen(path.c_str(), kShimFlags);
  if (!handle) {
    const char* why = dlerror();
    fail(path, "", std::string("cannot load the sentencepiece shim (") + (why ? why : "unknown error") + ")");
  }
  std::shared_ptr<SpmShimLibrary> lib(new SpmShimLibrary(path));
  lib->handle_ = handle;
  decltype(&poslab_spm_api_version) version = nullptr;
  resolve(handle, path, "poslab_spm_api_version", version);
  if (version() != POSLAB_SPM_API_VERSION)
    fail(path, "poslab_spm_api_version",
         "shim has API version " + std::to_string(version()) + ", this program needs " +
             std::to_string(POSLAB_SPM_API_VERSION));
  resolve(handle, path, "poslab_spm_load", lib->load);
  resolve(handle, path, "poslab_spm_free", lib->free);
  resolve(handle, path, "poslab_spm_free_string", lib->freeString);
  resolve(handle, path, "poslab_spm_vocab_size", lib->vocabSize);
  resolve(handle, path, "poslab_spm_piece", lib->piece);
  resolve(handle, path, "poslab_spm_score", lib->score);
  resolve(handle, path, "poslab_spm_type", lib->type);
  resolve(handle, path, "poslab_spm_piece_to_id", lib->pieceToId);
  resolve(handle, path, "poslab_spm_bos_id", lib->bosId);
  resolve(handle, path, "poslab_spm_eos_id", lib->eosId);
  resolve(handle, path, "poslab_spm_unk_id", lib->unkId);
  resolve(handle, path, "poslab_spm_pad_id", lib->padId);
  resolve(handle, path, "poslab_spm_encode", lib->encode);
  resolve(handle, path, "poslab_spm_free_pieces", lib->freePieces);
  resolve(handle, path, "poslab_spm_decode", lib->decode);
  resolve(handle, path, "poslab_spm_train", lib->train);
  return lib;
}

std::shared_ptr<const SpmShimLibrary> SpmShimLibrary::shared() {
  static std::mutex mutex;
  static std::shared_ptr<const SpmShimLibrary> loaded;
  std::lock_guard lock(mutex);
  if (loaded) return loaded;
  if (const char* env = std::getenv(kEnvVar); env && *env) {
    loaded = open(env);
    return loaded;
  }
  std::string searched;
  for (const auto& candidate : candidatePaths()) {
    std::error_code ec;
    if (std::filesystem::exists(candidate, ec)) {
      loaded = open(candidate);
      return loaded;
    }
    searched += (searched.empty() ? "" : ", ") + candidate;
  }
  fail(kFileName, "", "sentencepiece shim not found (looked in " + searched + "; set " + kEnvVar + ")");
}

std::string SpmShimLibrary::takeError(char* error) const {
  std::string message = error ? error : "unknown error";
  if (error) freeString(error);
  return message;
}

} // namespace poslab
