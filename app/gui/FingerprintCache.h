#pragma once
// Model and data fingerprints (ModelFingerprint, DataFingerprint) for what the
// GUI saves and exports. A data fingerprint is a full sha256 (seconds for a
// 1 GB file), so they are computed on pool threads, never on the GUI thread,
// and kept per path until the file changes on disk (size or time), so one
// model or dataset is hashed once however many aggregates and bundles use it.
// Thread-safe; shared between the GUI thread and the pool.
#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QVector>
#include <memory>
#include <optional>

namespace poslab {

class FingerprintCache {
public:
  enum class Kind { Model, Data };
  struct Request {
    Kind kind = Kind::Model;
    QString path;
    bool operator==(const Request& o) const { return kind == o.kind && path == o.path; }
  };
  // A fingerprint ("quick-sha256:…", "sha256:…"), or the one-line reason there is none.
  struct Entry {
    QString fingerprint;
    QString error;
  };

  // Without hashing: the entry if `path` as it is on disk now was fingerprinted
  // (or failed to be: a missing file stays an error until it appears).
  std::optional<Entry> find(Kind kind, const QString& path) const;
  // Hashes on the calling thread unless cached (call it from a pool thread).
  Entry get(Kind kind, const QString& path);
  // get() for each request on the global pool; progress counts requests done.
  static QFuture<void> computeAll(std::shared_ptr<FingerprintCache> cache, QVector<Request> requests);

private:
  // What changes when the file (or a model folder's files) changes: sizes and times.
  static QString stamp(Kind kind, const QString& path);
  static QString key(Kind kind, const QString& path);

  mutable QMutex mutex_;
  QHash<QString, QPair<QString, Entry>> entries_; // key → (stamp, entry)
};

} // namespace poslab
