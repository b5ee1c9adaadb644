# The fuzz targets, <name>:<library its replay test links> (tests/CMakeLists.txt).
set(POSLAB_FUZZ_TARGETS
  dataset:poslab_data
  safetensors:poslab_weights
  gguf:poslab_weights
  peft_config:poslab_lora
  distill_set:poslab_distill
  tokenizer_json:poslab_tokenizer)

# The libFuzzer build (POSLAB_FUZZ=ON) compiles each target's parser sources
# itself over the torch-free libraries: clang 14 cannot compile Debian's
# LibTorch headers as C++20 (c10::IValue incomplete inside std::vector), and
# these parsers do not need them. peft_config is left out of it: LoraConfig.h
# reaches the LibTorch headers through LoraWeights.h (its corpus is replayed).
set(POSLAB_FUZZ_BUILD_dataset "" poslab_data)
set(POSLAB_FUZZ_BUILD_safetensors
  core/weights/SafetensorsFile.cpp core/weights/MappedFile.cpp core/weights/TensorView.cpp poslab_util)
set(POSLAB_FUZZ_BUILD_gguf
  core/weights/GgufFile.cpp core/weights/GgufReader.cpp core/weights/MappedFile.cpp core/weights/TensorView.cpp
  poslab_util)
set(POSLAB_FUZZ_BUILD_distill_set core/distill/DistillSet.cpp core/distill/DistillInstance.cpp poslab_data)
set(POSLAB_FUZZ_BUILD_tokenizer_json
  core/tokenizer/BpeTokenizer.cpp core/tokenizer/TokenizerJsonLoader.cpp core/tokenizer/ByteLevelAlphabet.cpp
  core/tokenizer/PreTokenizer.cpp core/tokenizer/SpecialTextSplitter.cpp core/tokenizer/TextNormalizer.cpp
  core/tokenizer/UnicodeNormalizer.cpp core/tokenizer/Utf8.cpp core/weights/GgufFile.cpp core/weights/GgufReader.cpp
  core/weights/MappedFile.cpp core/weights/TensorView.cpp poslab_util PkgConfig::PCRE2 PkgConfig::UTF8PROC)
