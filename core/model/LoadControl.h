#pragma once
// How a caller watches and stops a model load (DESIGN.md: progress as a
// callback, cancel as an atomic flag set from another thread). Plain types, no
// torch and no Qt, so that app/ can fill it in through Engine::open.
#include <atomic>
#include <cstdint>
#include <functional>

namespace poslab {

struct LoadControl {
  // Called on the loading thread with the stored bytes read so far
  // (TensorView::nbytes, before any dtype conversion) out of the stored bytes of
  // every tensor this load reads (a tied lm_head that is not read is not
  // counted). First (0, total) once the tensors are known, then after each
  // tensor; the last call of a finished load has bytesDone == bytesTotal.
  std::function<void(uint64_t bytesDone, uint64_t bytesTotal)> progress;
  // Checked before each tensor (and before the tokenizer): once raised, the
  // load stops, frees what it has loaded and reports "cancelled" to its caller.
  // May be raised from any thread, also from inside `progress`; nullptr: never.
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel && cancel->load(); }
  void report(uint64_t bytesDone, uint64_t bytesTotal) const {
    if (progress) progress(bytesDone, bytesTotal);
  }
};

} // namespace poslab
