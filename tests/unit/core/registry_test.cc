// Registry: the shipped file holds the 27 models of the model table; user files extend it.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/registry.h"
#include "tests/support/test_support.h"

namespace mom {
namespace {

TEST(Registry, ShippedRegistryHasTheModelTable) {
  Registry r = Registry::load(Registry::default_path());
  ASSERT_EQ(r.models().size(), 27u);
  EXPECT_EQ(r.get(1).hf_repo, "meta-llama/Llama-3.2-1B-Instruct");
  EXPECT_EQ(r.get(12).dir_name, "Qwen__Qwen2.5-Math-7B-Instruct");
  EXPECT_EQ(r.get(12).domain, "math");
  EXPECT_DOUBLE_EQ(r.get(7).params_b, 9.24);
  EXPECT_DOUBLE_EQ(r.get(9).params_b, 1.0);
  EXPECT_EQ(r.get(25).family, "phi3");
  EXPECT_EQ(r.get(27).hf_repo, "Qwen/Qwen3-4B");
  EXPECT_DOUBLE_EQ(r.get(27).cost, 4.02);  // cost defaults to params_b
  EXPECT_EQ(r.find_by_name("google__gemma-2-9b-it")->id, 7);
}

TEST(Registry, UserFileExtendsWithoutRecompiling) {
  testing::TempDir dir;
  auto path = dir.write("r.json", R"({"models":[
    {"id":28,"hf_repo":"acme/Tiny-1B","domain":"general","params_b":1.1,"family":"llama","cost":0.5},
    {"id":3,"hf_repo":"meta-llama/Llama-3.1-8B-Instruct","params_b":8.03}]})");
  Registry r = Registry::load(path);
  EXPECT_EQ(r.models().front().id, 3);  // sorted by id
  EXPECT_EQ(r.get(28).dir_name, "acme__Tiny-1B");
  EXPECT_DOUBLE_EQ(r.get(28).cost, 0.5);
}

TEST(Registry, ErrorsNameTheEntry) {
  testing::TempDir dir;
  auto dup = dir.write("dup.json", R"({"models":[{"id":1,"hf_repo":"a/b","params_b":1},
                                                 {"id":1,"hf_repo":"c/d","params_b":1}]})");
  try {
    Registry::load(dup);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("models[1]: duplicate model id 1"), std::string::npos);
  }
  auto missing = dir.write("m.json", R"({"models":[{"id":1,"params_b":1}]})");
  EXPECT_THROW(Registry::load(missing), Error);
  Registry r = Registry::load(Registry::default_path());
  try {
    r.get(99);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model id 99"), std::string::npos);
  }
}

}  // namespace
}  // namespace mom
