# The fuzz targets, <name>:<library its replay test links> (tests/CMakeLists.txt).
set(POSLAB_FUZZ_TARGETS
  dataset:poslab_data
  safetensors:poslab_weights
  gguf:poslab_weights
  peft_config:poslab_lora
  distill_set:poslab_distill
  tokenizer_json:poslab_tokenizer
  sentencepiece:poslab_tokenizer
  gguf_vocab:poslab_tokenizer
  model_config:poslab_engine
  run_folder:poslab_jobs
  sweep_records:poslab_sweep
  chat_template:poslab_engine
  results_json:poslab_gui)

# The libFuzzer build (POSLAB_FUZZ=ON) compiles each target's parser sources
# itself over the torch-free libraries: clang 14 cannot compile Debian's
# LibTorch headers as C++20 (c10::IValue incomplete inside std::vector), and
# these parsers do not need them.
set(POSLAB_FUZZ_GGUF_SOURCES
  core/weights/GgufFile.cpp core/weights/GgufReader.cpp core/weights/MappedFile.cpp core/weights/TensorView.cpp)
set(POSLAB_FUZZ_BPE_SOURCES
  core/tokenizer/BpeTokenizer.cpp core/tokenizer/TokenizerJsonLoader.cpp core/tokenizer/ByteLevelAlphabet.cpp
  core/tokenizer/PreTokenizer.cpp core/tokenizer/SpecialTextSplitter.cpp core/tokenizer/TextNormalizer.cpp
  core/tokenizer/UnicodeNormalizer.cpp core/tokenizer/Utf8.cpp ${POSLAB_FUZZ_GGUF_SOURCES}
  poslab_util PkgConfig::PCRE2 PkgConfig::UTF8PROC)
# Every tokenizer TokenizerLoader can return. SentencePieceTokenizer loads the
# shim libposlab_spm.so at run time (the fuzz build makes it instrumented too).
set(POSLAB_FUZZ_ALL_TOKENIZER_SOURCES ${POSLAB_FUZZ_BPE_SOURCES}
  core/tokenizer/GgufSpmTokenizer.cpp core/tokenizer/SentencePieceModelWriter.cpp
  core/tokenizer/SentencePieceTokenizer.cpp core/tokenizer/SpmShimLibrary.cpp ${CMAKE_DL_LIBS})
set(POSLAB_FUZZ_BUILD_dataset "" poslab_data)
set(POSLAB_FUZZ_BUILD_safetensors
  core/weights/SafetensorsFile.cpp core/weights/MappedFile.cpp core/weights/TensorView.cpp poslab_util)
set(POSLAB_FUZZ_BUILD_gguf ${POSLAB_FUZZ_GGUF_SOURCES} poslab_util)
set(POSLAB_FUZZ_BUILD_peft_config core/lora/LoraConfig.cpp core/model/LoraTarget.cpp poslab_util)
set(POSLAB_FUZZ_BUILD_distill_set core/distill/DistillSet.cpp core/distill/DistillInstance.cpp poslab_data)
set(POSLAB_FUZZ_BUILD_tokenizer_json ${POSLAB_FUZZ_BPE_SOURCES})
set(POSLAB_FUZZ_BUILD_sentencepiece
  core/tokenizer/SentencePieceTokenizer.cpp core/tokenizer/SpmShimLibrary.cpp
  core/tokenizer/SpecialTextSplitter.cpp poslab_util ${CMAKE_DL_LIBS})
set(POSLAB_FUZZ_BUILD_gguf_vocab ${POSLAB_FUZZ_ALL_TOKENIZER_SOURCES})
set(POSLAB_FUZZ_BUILD_model_config
  core/model/ModelConfig.cpp core/engine/TokenizerLoader.cpp ${POSLAB_FUZZ_ALL_TOKENIZER_SOURCES})
set(POSLAB_FUZZ_BUILD_run_folder "" poslab_jobs)
set(POSLAB_FUZZ_BUILD_sweep_records
  core/sweep/ExamplesLog.cpp core/sweep/SweepRecord.cpp core/sweep/SweepComparison.cpp core/sweep/SweepSummary.cpp
  core/sweep/SweepTally.cpp poslab_eval)
set(POSLAB_FUZZ_BUILD_chat_template
  core/chat/ChatTemplate.cpp core/chat/ChatTemplateDetector.cpp core/engine/ChatTemplateLoader.cpp
  ${POSLAB_FUZZ_BPE_SOURCES})
# The GUI's readers of summary.json and aggregate.json need only Qt Core
# (tests/fuzz/CMakeLists.txt finds it for the fuzz build, which has no GUI).
set(POSLAB_FUZZ_BUILD_results_json
  app/gui/SweepCurves.cpp app/gui/DepthGrids.cpp app/gui/BundleRunSource.cpp app/gui/AttentionMatrixFile.cpp app/gui/AggregateStore.cpp
  app/gui/WorkspaceId.cpp poslab_util Qt6::Core)
