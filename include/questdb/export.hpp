#pragma once

/// @file
/// Symbol visibility for the public API. The library is built with hidden visibility;
/// only declarations marked QUESTDB_API are exported from a shared build.

/// Marks a declaration exported from the shared library (default visibility; dllexport or
/// dllimport on Windows).
#if defined(_WIN32)
#if defined(QUESTDB_BUILDING_SHARED)
#define QUESTDB_API __declspec(dllexport)
#elif defined(QUESTDB_SHARED)
#define QUESTDB_API __declspec(dllimport)
#else
#define QUESTDB_API
#endif
#else
#define QUESTDB_API __attribute__((visibility("default")))
#endif
