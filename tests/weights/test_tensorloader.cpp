// loadTensor: zero-copy over the mapping (and the mapping's lifetime), exact
// F16/BF16 conversions, Q8_0 dequantisation against a hand computation, and
// misaligned data.
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "core/weights/MappedFile.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "core/weights/TensorLoader.h"
#include "tests/util/TestPaths.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace poslab;

namespace {

template <typename F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return QString();
}

std::string writeOne(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data,
                     uint64_t nbytes) {
  const auto path = test::tempDir(name) + "/model.safetensors";
  SafetensorsWriter::write(path, {{"t", dtype, std::move(shape), data, nbytes}});
  return path;
}

std::vector<float> floatsOf(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

} // namespace

class TestTensorLoader : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void zeroCopySharesThePointer() {
    const float v[6] = {1, 2, 3, 4, 5, 6};
    SafetensorsFile f(writeOne("tl-zero", DType::F32, {2, 3}, v, sizeof v));
    const TensorView& view = f.tensors()[0];
    at::Tensor t = loadTensor(view, f.mapping(), at::kFloat);
    QCOMPARE(t.data_ptr(), static_cast<void*>(const_cast<std::byte*>(view.data)));
    QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{2, 3}));
    QCOMPARE(t.scalar_type(), at::kFloat);
    QCOMPARE(t[1][2].item<float>(), 6.f);
  }

  void deleterKeepsMappingAlive() {
    const float v[4] = {1, 2, 3, 4};
    const auto path = writeOne("tl-alive", DType::F32, {4}, v, sizeof v);
    std::weak_ptr<const MappedFile> weak;
    at::Tensor t;
    {
      auto f = std::make_unique<SafetensorsFile>(path);
      weak = f->mapping();
      t = loadTensor(f->tensors()[0], f->mapping(), at::kFloat);
    } // the file object is gone; the tensor still holds the mapping
    QVERIFY(!weak.expired());
    QCOMPARE(floatsOf(t), (std::vector<float>{1, 2, 3, 4}));
    t = at::Tensor();
    QVERIFY(weak.expired());
  }

  void inPlaceWritesDoNotReachTheFile() {
    const float v[2] = {1, 2};
    const auto path = writeOne("tl-cow", DType::F32, {2}, v, sizeof v);
    {
      SafetensorsFile f(path);
      at::Tensor t = loadTensor(f.tensors()[0], f.mapping(), at::kFloat);
      t.add_(10); // what training does to weights
      QCOMPARE(floatsOf(t), (std::vector<float>{11, 12}));
    }
    SafetensorsFile again(path);
    QCOMPARE(floatsOf(loadTensor(again.tensors()[0], again.mapping(), at::kFloat)),
             (std::vector<float>{1, 2}));
  }

  void f16ToF32IsExact() {
    // 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0, +inf
    const uint16_t bits[7] = {0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00};
    SafetensorsFile f(writeOne("tl-f16", DType::F16, {7}, bits, sizeof bits));
    const at::Tensor t = loadTensor(f.tensors()[0], f.mapping(), at::kFloat);
    QVERIFY(t.data_ptr() != static_cast<const void*>(f.tensors()[0].data));
    const std::vector<float> want = {
        1.f, -2.f, 0.5f, 65504.f, std::ldexp(1.f, -24), -0.f, std::numeric_limits<float>::infinity()};
    const auto got = floatsOf(t);
    for (size_t k = 0; k < want.size(); ++k)
      QCOMPARE(std::bit_cast<uint32_t>(got[k]), std::bit_cast<uint32_t>(want[k]));
  }

  void bf16ToF32IsExact() {
    // bf16 is the top half of an f32: the conversion is a 16-bit shift, exactly.
    const uint16_t bits[6] = {0x3f80, 0xc000, 0x4049, 0x0001, 0x7f80, 0x8000};
    SafetensorsFile f(writeOne("tl-bf16", DType::BF16, {2, 3}, bits, sizeof bits));
    const auto got = floatsOf(loadTensor(f.tensors()[0], f.mapping(), at::kFloat));
    QCOMPARE(got.size(), size_t(6));
    for (size_t k = 0; k < 6; ++k)
      QCOMPARE(std::bit_cast<uint32_t>(got[k]), uint32_t(bits[k]) << 16);
    QCOMPARE(got[2], 3.140625f);
  }

  void f32ToBf16RoundsToNearestEven() {
    const float v[3] = {1.0f, 1.0f + std::ldexp(1.f, -8), 1.0f + 3 * std::ldexp(1.f, -8)};
    SafetensorsFile f(writeOne("tl-tobf16", DType::F32, {3}, v, sizeof v));
    const at::Tensor t = loadTensor(f.tensors()[0], f.mapping(), at::kBFloat16);
    QCOMPARE(t.scalar_type(), at::kBFloat16);
    QCOMPARE(floatsOf(t.to(at::kFloat)), (std::vector<float>{1.0f, 1.0f, 1.0f + std::ldexp(1.f, -6)}));
  }

  void q8_0DequantisesExactly() {
    // Two rows of 64 (= 2 blocks each); scales 0.5, -0.25, 2, 0.0009765625 (2^-10).
    const uint16_t scales[4] = {0x3800, 0xb400, 0x4000, 0x1400};
    const float scaleValues[4] = {0.5f, -0.25f, 2.f, 0.0009765625f};
    std::vector<std::byte> raw;
    for (int b = 0; b < 4; ++b) {
      const auto* s = reinterpret_cast<const std::byte*>(&scales[b]);
      raw.insert(raw.end(), s, s + 2);
      for (int j = 0; j < 32; ++j)
        raw.push_back(std::byte(static_cast<uint8_t>(int8_t(j * 8 - 128 + b))));
    }
    TensorView view;
    view.name = "q";
    view.file = "hand.gguf";
    view.dtype = DType::Q8_0;
    view.shape = {2, 64};
    view.data = raw.data();
    view.nbytes = raw.size();
    const at::Tensor t = loadTensor(view, nullptr, at::kFloat);
    QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{2, 64}));
    const auto got = floatsOf(t);
    for (int b = 0; b < 4; ++b)
      for (int j = 0; j < 32; ++j)
        QCOMPARE(std::bit_cast<uint32_t>(got[size_t(b * 32 + j)]),
                 std::bit_cast<uint32_t>(scaleValues[b] * float(j * 8 - 128 + b))); // exact, not fuzzy
    QCOMPARE(got[0], -64.f);                                                        // 0.5 * -128
    QCOMPARE(got[32 + 31], -30.25f); // -0.25 * (31*8 - 128 + 1) = -0.25 * 121
    // And to bf16 directly.
    QCOMPARE(loadTensor(view, nullptr, at::kBFloat16).scalar_type(), at::kBFloat16);
  }

  void q8_0FromGgufFile() {
    // The same layout as ggml writes it, read through GgufFile: block scale 0.5, q = k - 16.
    std::string g = "GGUF";
    auto put = [&g](auto v) { g.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(uint32_t(3));
    put(uint64_t(1));
    put(uint64_t(0));
    put(uint64_t(1));
    g += "q";
    put(uint32_t(2));
    put(uint64_t(32));
    put(uint64_t(2));
    put(uint32_t(8));
    put(uint64_t(0));
    while (g.size() % 32)
      g += '\0';
    for (int b = 0; b < 2; ++b) {
      put(uint16_t(b == 0 ? 0x3800 : 0x3c00)); // 0.5, 1
      for (int k = 0; k < 32; ++k)
        put(int8_t(k - 16));
    }
    const auto path = test::tempDir("tl-gguf") + "/q.gguf";
    std::ofstream(path, std::ios::binary).write(g.data(), std::streamsize(g.size()));
    GgufFile f(path);
    const auto got = floatsOf(loadTensor(f.tensors()[0], f.mapping(), at::kFloat));
    QCOMPARE(got.size(), size_t(64));
    QCOMPARE(got[0], -8.f);
    QCOMPARE(got[31], 7.5f);
    QCOMPARE(got[32], -16.f);
    QCOMPARE(got[63], 15.f);
  }

  void misalignedDataIsCopied() {
    // U8 [1] then F32 [2]: the floats start one byte past an 8-aligned data region.
    const uint8_t pad = 7;
    const float v[2] = {1.5f, -2.5f};
    const auto path = test::tempDir("tl-misaligned") + "/model.safetensors";
    SafetensorsWriter::write(path, {{"pad", DType::U8, {1}, &pad, 1}, {"t", DType::F32, {2}, v, sizeof v}});
    SafetensorsFile f(path);
    const TensorView* view = f.find("t");
    QVERIFY(reinterpret_cast<uintptr_t>(view->data) % 4 != 0);
    const at::Tensor t = loadTensor(*view, f.mapping(), at::kFloat);
    QVERIFY(t.data_ptr() != static_cast<const void*>(view->data));
    QCOMPARE(reinterpret_cast<uintptr_t>(t.data_ptr()) % 4, uintptr_t(0));
    QCOMPARE(floatsOf(t), (std::vector<float>{1.5f, -2.5f}));
    QCOMPARE(loadTensor(*view, f.mapping(), at::kDouble)[1].item<double>(), -2.5);
  }

  void integersAndBools() {
    const int32_t ints[3] = {-1, 0, 70000};
    SafetensorsFile fi(writeOne("tl-int", DType::I32, {3}, ints, sizeof ints));
    const at::Tensor l = loadTensor(fi.tensors()[0], fi.mapping(), at::kLong);
    QCOMPARE(l[2].item<int64_t>(), int64_t(70000));
    const uint8_t bools[3] = {0, 1, 2}; // 2 is not a valid bool byte; it reads as true
    SafetensorsFile fb(writeOne("tl-bool", DType::Bool, {3}, bools, sizeof bools));
    const at::Tensor b = loadTensor(fb.tensors()[0], fb.mapping(), at::kBool);
    QCOMPARE(b.scalar_type(), at::kBool);
    QCOMPARE(b.sum().item<int64_t>(), int64_t(2));
  }

  void emptyAndMismatchedViews() {
    TensorView empty;
    empty.name = "e";
    empty.shape = {0, 3};
    QCOMPARE(loadTensor(empty, nullptr, at::kFloat).sizes().vec(), (std::vector<int64_t>{0, 3}));
    const float v[2] = {1, 2};
    TensorView bad;
    bad.name = "bad";
    bad.file = "x.safetensors";
    bad.shape = {3};
    bad.data = reinterpret_cast<const std::byte*>(v);
    bad.nbytes = sizeof v;
    QVERIFY(errorOf([&] {
              loadTensor(bad, nullptr, at::kFloat);
            }).startsWith("x.safetensors: tensor 'bad': shape and byte size disagree"));
  }

  void withoutKeepAliveItCopies() {
    const float v[2] = {3, 4};
    TensorView view;
    view.name = "v";
    view.shape = {2};
    view.data = reinterpret_cast<const std::byte*>(v);
    view.nbytes = sizeof v;
    const at::Tensor t = loadTensor(view, nullptr, at::kFloat);
    QVERIFY(t.data_ptr() != static_cast<const void*>(v));
    QCOMPARE(floatsOf(t), (std::vector<float>{3, 4}));
  }
};

QTEST_GUILESS_MAIN(TestTensorLoader)
#include "test_tensorloader.moc"
