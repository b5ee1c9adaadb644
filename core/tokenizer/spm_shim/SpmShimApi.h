#pragma once
/* The plain C interface of libposlab_spm, the shared library that wraps
 * libsentencepiece so that it never shares a symbol scope with LibTorch's
 * protobuf (see spm_shim/CMakeLists.txt). Callers dlopen the library and
 * resolve these functions by name; nothing here throws or aborts: failures
 * come back as a malloc'd error string the caller frees with
 * poslab_spm_free_string. Byte offsets index the ORIGINAL input text. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a signature below changes; the loader refuses other versions. */
#define POSLAB_SPM_API_VERSION 1

typedef struct PoslabSpmModel PoslabSpmModel;

/* One encoded text: count pieces, each an id and the byte range
 * [begin[i], end[i]) of the input it covers (begin == end for pieces with no
 * input of their own). One allocation, freed by poslab_spm_free_pieces. */
typedef struct PoslabSpmPieces {
  size_t count;
  int32_t* ids;
  uint32_t* begin;
  uint32_t* end;
} PoslabSpmPieces;

/* Piece types: the values of sentencepiece's ModelProto.SentencePiece.Type
 * (also used by GGUF's tokenizer.ggml.token_type). */
enum {
  POSLAB_SPM_NORMAL = 1,
  POSLAB_SPM_UNKNOWN = 2,
  POSLAB_SPM_CONTROL = 3,
  POSLAB_SPM_USER_DEFINED = 4,
  POSLAB_SPM_UNUSED = 5,
  POSLAB_SPM_BYTE = 6
};

int poslab_spm_api_version(void);

/* NULL on failure, with *error set to sentencepiece's message. */
PoslabSpmModel* poslab_spm_load(const char* path, char** error);
void poslab_spm_free(PoslabSpmModel* model);
void poslab_spm_free_string(char* text);

int32_t poslab_spm_vocab_size(const PoslabSpmModel* model);
/* The piece text of id (not NUL-safe: use *length); NULL when out of range.
 * The pointer stays valid until poslab_spm_free(model). */
const char* poslab_spm_piece(const PoslabSpmModel* model, int32_t id, size_t* length);
float poslab_spm_score(const PoslabSpmModel* model, int32_t id);
int32_t poslab_spm_type(const PoslabSpmModel* model, int32_t id); /* 0 when out of range */
/* -1 when the piece is not in the vocabulary. */
int32_t poslab_spm_piece_to_id(const PoslabSpmModel* model, const char* piece, size_t length);

int32_t poslab_spm_bos_id(const PoslabSpmModel* model); /* -1: none */
int32_t poslab_spm_eos_id(const PoslabSpmModel* model);
int32_t poslab_spm_unk_id(const PoslabSpmModel* model);
int32_t poslab_spm_pad_id(const PoslabSpmModel* model);

/* Encodes with the model's own normalizer (dummy prefix etc.), no BOS/EOS.
 * Returns 0 on success; nonzero with *error set otherwise. */
int poslab_spm_encode(const PoslabSpmModel* model, const char* text, size_t length, PoslabSpmPieces* out,
                      char** error);
void poslab_spm_free_pieces(PoslabSpmPieces* pieces);

/* Decodes ids as sentencepiece does (control ids skipped, byte pieces joined
 * into UTF-8, leading dummy-prefix space removed). NULL with *error set on
 * failure (e.g. an id out of range); the result is freed with
 * poslab_spm_free_string and its byte length stored in *length. */
char* poslab_spm_decode(const PoslabSpmModel* model, const int32_t* ids, size_t count, size_t* length,
                        char** error);

/* Trains a model with sentencepiece's trainer (libsentencepiece_train) on
 * `sentence_count` NUL-terminated sentences, with spm_train's options as count
 * key/value pairs, e.g. {"vocab_size", "300"} (pairs, not one argument string,
 * so that values may hold spaces or newlines, e.g. user_defined_symbols; no
 * "input": the sentences come from memory, so no file path ends up in the
 * model's recorded trainer_spec). The serialized ModelProto comes back in
 * *model (malloc'd, *length bytes, freed with poslab_spm_free_string). seed
 * fixes sentencepiece's random generator; quiet suppresses the trainer's
 * progress log. Returns 0 on success; nonzero with *error set otherwise. */
int poslab_spm_train(const char* const* sentences, size_t sentence_count, const char* const* keys,
                     const char* const* values, size_t count, unsigned int seed, int quiet, char** model,
                     size_t* length, char** error);

#ifdef __cplusplus
}
#endif
