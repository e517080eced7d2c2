#include "internal/package.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <memory>

#include "base/base64.h"
#include "base/hash.h"

namespace sluice::functions {
namespace {

constexpr std::string_view kUnzipFailed =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriterCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};

LambdaFailure Invalid(std::string message) {
  return LambdaFailure{LambdaError::kInvalidParameterValue, std::move(message)};
}

// The entry's name is relative and never climbs: checked here as well as by
// libarchive's ARCHIVE_EXTRACT_SECURE_* flags, because the destination prefix is an
// absolute path (which ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS would refuse).
bool SafeRelative(std::string_view name) {
  if (name.empty() || name.front() == '/') return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string CodeSha256(std::string_view zip) {
  const Sha256Digest d = Sha256(zip);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

void RemoveTree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

LambdaResult<Done> UnpackZip(std::string_view zip, const std::string& dir) {
  std::unique_ptr<archive, ReaderCloser> in(archive_read_new());
  archive_read_support_format_zip(in.get());
  if (archive_read_open_memory(in.get(), zip.data(), zip.size()) != ARCHIVE_OK) {
    return Invalid(std::string(kUnzipFailed));
  }
  std::error_code ec;
  if (!std::filesystem::create_directories(dir, ec) || ec) {
    return LambdaFailure{LambdaError::kService, "cannot create " + dir + ": " + ec.message()};
  }
  std::unique_ptr<archive, WriterCloser> out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  uint64_t total = 0;
  auto fail = [&](std::string message) -> LambdaResult<Done> {
    RemoveTree(dir);
    return Invalid(std::move(message));
  };
  int entries = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return fail(std::string(kUnzipFailed));
    ++entries;
    const char* raw = archive_entry_pathname(entry);
    const std::string name = raw != nullptr ? raw : "";
    if (!SafeRelative(name)) return fail(std::string(kUnzipFailed));
    const int64_t size = archive_entry_size(entry);
    if (size > 0) total += static_cast<uint64_t>(size);
    if (total > kMaxUnzippedBytes) {
      return fail("Unzipped size must be smaller than " + std::to_string(kMaxUnzippedBytes) + " bytes");
    }
    archive_entry_set_pathname(entry, (dir + "/" + name).c_str());
    // Zips written without Unix modes would unpack unreadable: owner read always.
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      archive_entry_set_perm(entry, archive_entry_perm(entry) | 0700);
    } else {
      archive_entry_set_perm(entry, archive_entry_perm(entry) | 0600);
    }
    if (archive_write_header(out.get(), entry) != ARCHIVE_OK) return fail(std::string(kUnzipFailed));
    const void* buf = nullptr;
    size_t len = 0;
    la_int64_t offset = 0;
    uint64_t written = 0;
    for (;;) {
      const int d = archive_read_data_block(in.get(), &buf, &len, &offset);
      if (d == ARCHIVE_EOF) break;
      if (d != ARCHIVE_OK) return fail(std::string(kUnzipFailed));
      written += len;
      if (size <= 0 && total + written > kMaxUnzippedBytes) {
        return fail("Unzipped size must be smaller than " + std::to_string(kMaxUnzippedBytes) + " bytes");
      }
      if (archive_write_data_block(out.get(), buf, len, offset) != ARCHIVE_OK) {
        return fail(std::string(kUnzipFailed));
      }
    }
    if (size <= 0) total += written;
    if (archive_write_finish_entry(out.get()) != ARCHIVE_OK) return fail(std::string(kUnzipFailed));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) return fail(std::string(kUnzipFailed));
  if (entries == 0) return fail(std::string(kUnzipFailed));
  return Done{};
}

LambdaResult<std::string> ZipFiles(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  std::unique_ptr<archive, WriterCloser> a(archive_write_new());
  const auto append = [](archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(user)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  const LambdaFailure failed{LambdaError::kService, "could not package the inline code"};
  if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, append, nullptr) != ARCHIVE_OK) {
    return failed;
  }
  for (const auto& [path, text] : files) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(text.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
        archive_write_data(a.get(), text.data(), text.size()) != static_cast<la_ssize_t>(text.size())) {
      return failed;
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return failed;
  return out;
}

}  // namespace sluice::functions
