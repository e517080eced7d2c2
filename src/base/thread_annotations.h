// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// as LevelDB's port/thread_annotations.h spells them. With clang and -Wthread-safety the
// compiler checks that a field marked GUARDED_BY(mu) is only touched with `mu` held and
// that a function marked REQUIRES(mu) is only called with it held; other compilers see
// nothing. The lock types that carry these annotations are in base/mutex.h.
#pragma once

#if defined(__clang__)
#define SLUICE_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION_(x)
#endif

// A class whose objects are locks ("mutex", "shared_mutex").
#ifndef CAPABILITY
#define CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(capability(x))
#endif

// An RAII class that acquires a capability in its constructor and releases it in its
// destructor.
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY SLUICE_THREAD_ANNOTATION_(scoped_lockable)
#endif

// A field that may only be read with the capability held (shared or exclusive) and
// only written with it held exclusively.
#ifndef GUARDED_BY
#define GUARDED_BY(x) SLUICE_THREAD_ANNOTATION_(guarded_by(x))
#endif

// A pointer (or smart pointer) whose pointee is guarded as GUARDED_BY guards a field.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) SLUICE_THREAD_ANNOTATION_(pt_guarded_by(x))
#endif

// Lock ordering between capabilities.
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) SLUICE_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))
#endif
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))
#endif

// The caller must hold the capabilities exclusively / at least shared.
#ifndef REQUIRES
#define REQUIRES(...) SLUICE_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#endif
#ifndef REQUIRES_SHARED
#define REQUIRES_SHARED(...) SLUICE_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))
#endif

// The function acquires / releases the capabilities (for a member function without
// arguments: the object itself).
#ifndef ACQUIRE
#define ACQUIRE(...) SLUICE_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#endif
#ifndef ACQUIRE_SHARED
#define ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#endif
#ifndef RELEASE
#define RELEASE(...) SLUICE_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#endif
#ifndef RELEASE_SHARED
#define RELEASE_SHARED(...) SLUICE_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#endif
#ifndef TRY_ACQUIRE
#define TRY_ACQUIRE(...) SLUICE_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
#endif
#ifndef TRY_ACQUIRE_SHARED
#define TRY_ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION_(try_acquire_shared_capability(__VA_ARGS__))
#endif

// The caller must not hold the capabilities (the function acquires them itself).
#ifndef EXCLUDES
#define EXCLUDES(...) SLUICE_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#endif

// Tells the analysis that the capability is held from here on (checked at run time, if
// at all, by the lock type).
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(assert_capability(x))
#endif
#ifndef ASSERT_SHARED_CAPABILITY
#define ASSERT_SHARED_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(assert_shared_capability(x))
#endif

// The function returns a reference to the capability.
#ifndef RETURN_CAPABILITY
#define RETURN_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(lock_returned(x))
#endif

// Turns the analysis off for one function: for code whose locking the analysis cannot
// follow. Say why next to every use.
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS SLUICE_THREAD_ANNOTATION_(no_thread_safety_analysis)
#endif
