#pragma once
// The run-time-loaded sentencepiece shim (libposlab_spm.so, see spm_shim/).
// It is dlopen'ed with RTLD_LOCAL | RTLD_DEEPBIND so that libsentencepiece's
// private protobuf never binds to LibTorch's (BUILD-NOTES.md, trap 2).
#include "core/tokenizer/spm_shim/SpmShimApi.h"

#include <memory>
#include <string>
#include <vector>

namespace poslab {

class SpmShimLibrary {
public:
  static constexpr const char* kFileName = "libposlab_spm.so";
  static constexpr const char* kEnvVar = "POSLAB_SPM_SHIM";

  // The process-wide shim: $POSLAB_SPM_SHIM if set, else the first of
  // candidatePaths() that exists. Loaded once; a failure is not cached.
  static std::shared_ptr<const SpmShimLibrary> shared();
  // Loads the shim at path; throws poslab::Error naming it on failure.
  static std::shared_ptr<const SpmShimLibrary> open(const std::string& path);
  // Beside the running executable, its ../lib/ and ../lib/poslab/ (installs).
  static std::vector<std::string> candidatePaths();

  const std::string& path() const { return path_; }

  // The C interface, resolved by name.
  decltype(&poslab_spm_load) load = nullptr;
  decltype(&poslab_spm_free) free = nullptr;
  decltype(&poslab_spm_free_string) freeString = nullptr;
  decltype(&poslab_spm_vocab_size) vocabSize = nullptr;
  decltype(&poslab_spm_piece) piece = nullptr;
  decltype(&poslab_spm_score) score = nullptr;
  decltype(&poslab_spm_type) type = nullptr;
  decltype(&poslab_spm_piece_to_id) pieceToId = nullptr;
  decltype(&poslab_spm_bos_id) bosId = nullptr;
  decltype(&poslab_spm_eos_id) eosId = nullptr;
  decltype(&poslab_spm_unk_id) unkId = nullptr;
  decltype(&poslab_spm_pad_id) padId = nullptr;
  decltype(&poslab_spm_encode) encode = nullptr;
  decltype(&poslab_spm_free_pieces) freePieces = nullptr;
  decltype(&poslab_spm_decode) decode = nullptr;
  decltype(&poslab_spm_train) train = nullptr;

  // Takes ownership of a malloc'd shim error string (may be null).
  std::string takeError(char* error) const;

private:
  explicit SpmShimLibrary(std::string path) : path_(std::move(path)) {}
  std::string path_;
  void* handle_ = nullptr; // never dlclose'd: sentencepiece's statics live until exit
};

} // namespace poslab
