#include "app/gui/FingerprintCache.h"

#include "core/data/DataFingerprint.h"
#include "core/engine/ModelFingerprint.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMutexLocker>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>

namespace poslab {

QString FingerprintCache::key(Kind kind, const QString& path) {
  return (kind == Kind::Model ? "model:" : "data:") + QFileInfo(path).absoluteFilePath();
}

QString FingerprintCache::stamp(Kind kind, const QString& path) {
  const QFileInfo info(path);
  if (!info.exists()) return {};
  QString s = QString("%1/%2").arg(info.size()).arg(info.lastModified().toMSecsSinceEpoch());
  // A Hugging Face folder: its files' sizes and times (a listing, no reading).
  if (kind == Kind::Model && info.isDir())
    for (const QFileInfo& f : QDir(path).entryInfoList(QDir::Files, QDir::Name))
      s += QString("|%1/%2/%3").arg(f.fileName()).arg(f.size()).arg(f.lastModified().toMSecsSinceEpoch());
  return s;
}

std::optional<FingerprintCache::Entry> FingerprintCache::find(Kind kind, const QString& path) const {
  const QString now = stamp(kind, path);
  const QMutexLocker lock(&mutex_);
  const auto it = entries_.constFind(key(kind, path));
  if (it == entries_.cend() || it->first != now) return std::nullopt;
  return it->second;
}

FingerprintCache::Entry FingerprintCache::get(Kind kind, const QString& path) {
  if (std::optional<Entry> known = find(kind, path)) return *known;
  const QString before = stamp(kind, path);
  Entry entry;
  try {
    const std::string p = path.toStdString();
    entry.fingerprint =
        QString::fromStdString(kind == Kind::Model ? ModelFingerprint::of(p) : DataFingerprint::ofFile(p));
  } catch (const std::exception& e) {
    entry.error = QString::fromStdString(e.what());
  }
  // Kept (an error too, until the file changes) only if the file did not change while it was read.
  if (stamp(kind, path) == before) {
    const QMutexLocker lock(&mutex_);
    entries_.insert(key(kind, path), {before, entry});
  }
  return entry;
}

QFuture<void> FingerprintCache::computeAll(std::shared_ptr<FingerprintCache> cache,
                                           QVector<Request> requests) {
  return QtConcurrent::run(
      [cache = std::move(cache), requests = std::move(requests)](QPromise<void>& promise) {
        promise.setProgressRange(0, static_cast<int>(requests.size()));
        for (int i = 0; i < requests.size(); ++i) {
          promise.setProgressValueAndText(i, QFileInfo(requests[i].path).fileName());
          cache->get(requests[i].kind, requests[i].path);
        }
        promise.setProgressValue(static_cast<int>(requests.size()));
      });
}

} // namespace poslab
