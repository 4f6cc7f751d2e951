#pragma once
// The modes of the files Passage creates (issue 12, "Secrets"), whatever
// the process umask: each file is created with its mode and then given it
// with fchmod (the umask only ever removes bits at creation), and an
// existing file is given it again. `main` also sets umask 027 once, for
// directories and anything a library creates.
//
//   0600  the database and its -wal, -shm, -journal; the lock file; the
//         outbox's mails (they hold personal download links)
//   0640  reports, archived parts (and their .part downloads): readable by
//         an admin group
//   0644  the metrics textfile: node_exporter, another user, reads it; it
//         holds counts, never a name or a secret

#include <sys/types.h>

#include <filesystem>

namespace passage {

inline constexpr mode_t k_private_file_mode = 0600;
inline constexpr mode_t k_shared_file_mode = 0640;
inline constexpr mode_t k_public_file_mode = 0644;
inline constexpr mode_t k_process_umask = 027;

// Creates `path` when missing (empty) and gives it exactly `mode`; an
// existing file keeps its content and is never opened (chmod only: a
// close would drop this process's POSIX locks on it, SQLite's included).
// False when either fails (errno set).
bool prepare_file(const std::filesystem::path& path, mode_t mode);

// Gives `path` exactly `mode` when it exists; true when it does not.
bool set_mode_if_exists(const std::filesystem::path& path, mode_t mode);

}  // namespace passage
