// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Small helpers shared by the tests.

#ifndef MESA_TESTS_TESTING_TEST_UTIL_H_
#define MESA_TESTS_TESTING_TEST_UTIL_H_

#include <cstdint>
#include <string>

namespace mesa::testing {

// A fresh, empty directory under the test's temporary directory.
std::string NewTempDir(const std::string& name);

// The seed for a randomized test: $MESA_TEST_SEED if set, else `fallback`.
// Tests print it on failure so a run can be repeated.
uint64_t TestSeed(uint64_t fallback);

}  // namespace mesa::testing

#endif  // MESA_TESTS_TESTING_TEST_UTIL_H_
