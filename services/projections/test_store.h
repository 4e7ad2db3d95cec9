#pragma once
// Test-only: a store in a fresh temp dir, and the reference fold the time-travel tests compare
// with: the first P events of the log (or the events a predicate picks) folded one by one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "services/projections/model.h"
#include "services/projections/test_log.h"
#include "storage/event_store.h"

namespace projections::test {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "projections_store_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenStore();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Opens the store in dir_, closing the open one first (a restart).
  void OpenStore() {
    store_.reset();
    storage::Options options;
    options.path = dir_ + "/log";
    options.sync = false;  // durability is the store's own tests' business
    auto store = storage::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Append(const std::vector<v1::Payload>& payloads) {
    ASSERT_TRUE(AppendAll(*store_, payloads, &next_id_).ok());
  }

  // The events at positions 1..last for which `pick` holds (all when it is empty), folded one by
  // one; the model's position is then `last`, as an as-of model's is.
  Model FoldedDirectly(
      std::uint64_t last,
      const std::function<bool(const storage::StoredEvent&, const v1::Payload&)>& pick = {}) const {
    Model model;
    EXPECT_TRUE(store_
                    ->ScanAll(1, false,
                              [&](const storage::StoredEvent& e) {
                                if (e.position > last) return false;
                                v1::Payload p;
                                EXPECT_TRUE(p.ParseFromString(e.payload));
                                if (!pick || pick(e, p)) model.Apply(e, p);
                                return true;
                              })
                    .ok());
    model.position = last;
    model.dirty.clear();
    return model;
  }

  std::string dir_;
  std::unique_ptr<storage::EventStore> store_;
  std::uint64_t next_id_ = 1;
};

}  // namespace projections::test
