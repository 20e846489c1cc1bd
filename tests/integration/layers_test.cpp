// layers_test.cpp: src/ is one folder per layer, and no folder includes from
// a folder above it (tests/layers/check_layers.py lists the layers). The
// first test checks the real tree; the others break a scratch copy of src/
// on purpose, to show that the check fails and names the file and line.
//
// Integration tests run from the repository root. Without python3 these
// tests skip with the reason printed, unless CI is set.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "script_support.h"

namespace {

namespace fs = std::filesystem;

constexpr char kChecker[] = "tests/layers/check_layers.py";

// A scratch copy of src/, deleted with the object.
class ScratchTree {
 public:
  ScratchTree() {
    char pattern[] = "/tmp/chatd-layers-XXXXXX";
    root_ = mkdtemp(pattern);
    fs::copy("src", root_ / "src", fs::copy_options::recursive);
  }
  ~ScratchTree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  const fs::path& root() const { return root_; }
  // Adds line after the first line of src/<file>.
  void add_line(const std::string& file, const std::string& line) {
    fs::path path = root_ / "src" / file;
    std::ifstream in(path);
    std::string first, rest, text;
    std::getline(in, first);
    for (std::string more; std::getline(in, more);) rest += more + "\n";
    std::ofstream(path, std::ios::trunc) << first << "\n" << line << "\n" << rest;
  }
  CommandResult check() const { return run_capturing(std::string("python3 ") + kChecker + " --root " + root_.string()); }

 private:
  fs::path root_;
};

TEST(LayerCheck, NoFolderOfTheRealTreeIncludesFromAFolderAboveIt) {
  REQUIRE_PYTHON("the layer check");
  CommandResult result = run_capturing(std::string("python3 ") + kChecker);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("check_layers: ok"), std::string::npos) << result.output;
}

TEST(LayerCheck, IncludeFromALayerAboveFailsNamingFileAndLine) {
  REQUIRE_PYTHON("the layer check");
  ScratchTree tree;
  tree.add_line("chat/chat_room.cpp", "#include \"server/connection.h\"");
  CommandResult result = tree.check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("src/chat/chat_room.cpp:2: chat includes \"server/connection.h\" from server"),
            std::string::npos)
      << result.output;
}

TEST(LayerCheck, IncludeWithoutItsFolderFails) {
  REQUIRE_PYTHON("the layer check");
  ScratchTree tree;
  tree.add_line("http/handshake.cpp", "#include \"sha1.h\"");
  CommandResult result = tree.check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("src/http/handshake.cpp:2: includes \"sha1.h\", which names no layer folder"),
            std::string::npos)
      << result.output;
}

TEST(LayerCheck, SourceFileOutsideTheLayerFoldersFails) {
  REQUIRE_PYTHON("the layer check");
  ScratchTree tree;
  fs::create_directory(tree.root() / "src" / "misc");
  std::ofstream(tree.root() / "src" / "misc" / "helper.cpp") << "// helper.cpp: nowhere\n";
  CommandResult result = tree.check();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("src/misc/helper.cpp:1: is in no layer folder"), std::string::npos) << result.output;
}

}  // namespace
