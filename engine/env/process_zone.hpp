#pragma once
// The C library's local time zone, which Passage never uses for its own
// dates (those are in the config's zone, engine/env/time.hpp) but
// libraries do: libarchive calls mktime() for every zip entry's time.

namespace passage {

// With TZ unset, glibc stats /etc/localtime at every mktime() to see
// whether it changed, under a lock that the content check's threads then
// fight over: about 60 stat and 60 futex system calls an account of a run
// (issue 15). TZ=":/etc/localtime" names the same zone, read once. Sets
// TZ only when it is unset; call it first thing in main(), before any
// thread exists (setenv is not thread-safe).
void pin_c_library_zone();

}  // namespace passage
