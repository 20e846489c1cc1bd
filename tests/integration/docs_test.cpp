// docs_test.cpp: README.md and the walkthrough in docs/ stay true to the code.
//
// tests/docs/check_docs.py compares every code excerpt in the pages with the
// source region or function it names, and checks that every path and every
// C++ name (Server::run, kMaxHeadBytes) the pages mention exists. The first
// test runs it on the real tree. The others run it on a scratch copy of the
// tree that they break on purpose (an edited excerpt, changed source, a
// marker, path or name that leads nowhere) to show that the check fails, and
// names the page and the excerpt, when the docs drift; and that --update
// repairs a stale excerpt.
//
// Integration tests run from the repository root. The checker needs python3;
// without it these tests skip with the reason printed, unless the CI
// environment variable is set, in which case a missing python3 is a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "script_support.h"

namespace {

namespace fs = std::filesystem;

constexpr char kChecker[] = "tests/docs/check_docs.py";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  size_t end = text.find_last_not_of(" \t");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

// The first excerpt of the walkthrough: the page (relative to the root), the
// index of its marker line, and what the marker names ("src/x.cpp#name").
struct Excerpt {
  std::string page;
  size_t marker_line = 0;
  std::string label;
};

bool find_first_excerpt(const fs::path& root, Excerpt* found) {
  std::vector<fs::path> pages;
  for (const auto& entry : fs::directory_iterator(root / "docs")) {
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());
  const std::string opening = "<!-- excerpt: ";
  for (const fs::path& page : pages) {
    std::vector<std::string> lines = split_lines(read_file(page));
    for (size_t i = 0; i + 2 < lines.size(); ++i) {
      if (lines[i].rfind(opening, 0) != 0 || trim(lines[i + 2]).rfind("```", 0) == 0) continue;
      size_t end = lines[i].find(" -->");
      found->page = fs::relative(page, root).string();
      found->marker_line = i;
      found->label = lines[i].substr(opening.size(), end - opening.size());
      return true;
    }
  }
  return false;
}

// A copy of the files the pages refer to, removed when the test ends.
class ScratchTree {
 public:
  ScratchTree() {
    char pattern[] = "/tmp/chatd-docs-test-XXXXXX";
    if (!mkdtemp(pattern)) return;
    root_ = pattern;
    copied_ = run_capturing("tar -cf - --exclude=node_modules README.md docs src demo tests tools .ci | tar -xf - -C " +
                            root_.string())
                  .exit_code == 0;
  }
  ~ScratchTree() {
    std::error_code ignored;
    if (!root_.empty()) fs::remove_all(root_, ignored);
  }
  bool ready() const { return copied_; }
  const fs::path& root() const { return root_; }
  CommandResult run_checker(const std::string& mode) const {
    return run_capturing(std::string("python3 ") + kChecker + " " + mode + " --root " + root_.string());
  }

 private:
  fs::path root_;
  bool copied_ = false;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// "docs/00-overview.md:123: excerpt src/x.cpp#name differs from the source"
std::string differs_message(const Excerpt& excerpt) {
  return excerpt.page + ":" + std::to_string(excerpt.marker_line + 1) + ": excerpt " + excerpt.label +
         " differs from the source";
}

TEST(DocsCheck, EveryExcerptPathAndNameInTheRealDocsMatchesTheTree) {
  REQUIRE_PYTHON("the docs check");
  CommandResult result = run_capturing(std::string("python3 ") + kChecker + " --check");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "check_docs: ok")) << result.output;
}

TEST(DocsCheck, EditedExcerptLineFailsTheCheckNamingPageAndExcerpt) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  Excerpt excerpt;
  ASSERT_TRUE(find_first_excerpt(tree.root(), &excerpt));
  ASSERT_FALSE(contains(tree.run_checker("--check").output, differs_message(excerpt)));

  fs::path page = tree.root() / excerpt.page;
  std::vector<std::string> lines = split_lines(read_file(page));
  lines[excerpt.marker_line + 2] += " // edited";  // the excerpt's first code line
  write_file(page, join_lines(lines));

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, differs_message(excerpt))) << result.output;
}

TEST(DocsCheck, ChangedSourceFailsTheCheckNamingPageAndExcerpt) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  Excerpt excerpt;
  ASSERT_TRUE(find_first_excerpt(tree.root(), &excerpt));
  std::string first_code_line = trim(split_lines(read_file(tree.root() / excerpt.page))[excerpt.marker_line + 2]);

  // Insert a comment line right after the excerpt's first line in the source.
  fs::path source = tree.root() / excerpt.label.substr(0, excerpt.label.find('#'));
  std::vector<std::string> lines = split_lines(read_file(source));
  size_t at = 0;
  while (at < lines.size() && trim(lines[at]) != first_code_line) ++at;
  ASSERT_LT(at, lines.size()) << "first line of " << excerpt.label << " not found in the source";
  lines.insert(lines.begin() + static_cast<long>(at) + 1, "  // a line the docs do not have");
  write_file(source, join_lines(lines));

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, differs_message(excerpt))) << result.output;
  EXPECT_TRUE(contains(result.output, "a line the docs do not have")) << result.output;
}

TEST(DocsCheck, UpdateRewritesAStaleExcerptFromTheSource) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  Excerpt excerpt;
  ASSERT_TRUE(find_first_excerpt(tree.root(), &excerpt));
  fs::path page = tree.root() / excerpt.page;
  tree.run_checker("--update");  // what the page says when it matches the source
  const std::string matching = read_file(page);
  std::vector<std::string> lines = split_lines(matching);
  lines[excerpt.marker_line + 2] += " // edited";
  write_file(page, join_lines(lines));
  ASSERT_NE(read_file(page), matching);

  tree.run_checker("--update");

  EXPECT_EQ(read_file(page), matching);
  EXPECT_FALSE(contains(tree.run_checker("--check").output, differs_message(excerpt)));
}

TEST(DocsCheck, MarkerNamingAMissingRegionFailsTheCheck) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  write_file(tree.root() / "docs" / "zz-scratch.md",
             "<!-- excerpt: src/loop/deadline_list.h#no_such_region -->\n```cpp\n```\n");

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "docs/zz-scratch.md:1: excerpt src/loop/deadline_list.h#no_such_region: src/loop/deadline_list.h "
                       "has no region marked 'excerpt-begin: no_such_region' and no function no_such_region"))
      << result.output;
}

TEST(DocsCheck, MarkerNamingAMissingFileFailsTheCheck) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  write_file(tree.root() / "docs" / "zz-scratch.md", "<!-- excerpt: src/no_such_file.cpp#run -->\n```cpp\n```\n");

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "docs/zz-scratch.md:1: excerpt src/no_such_file.cpp#run names src/no_such_file.cpp, "
                       "which does not exist"))
      << result.output;
}

TEST(DocsCheck, MentionOfAMissingPathFailsTheCheck) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  write_file(tree.root() / "docs" / "zz-scratch.md", "# Scratch\n\nThe loop is in `src/no_such_file.cpp`.\n");

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "docs/zz-scratch.md:3: mentions src/no_such_file.cpp, which does not exist"))
      << result.output;
}

TEST(DocsCheck, ProseNamingAMissingFunctionFailsTheCheck) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  write_file(tree.root() / "docs" / "zz-scratch.md", "The loop calls `Server::no_such_function` once per turn.\n");

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "docs/zz-scratch.md:1: names Server::no_such_function, which no file in src/ contains"))
      << result.output;
}

TEST(DocsCheck, LinkToAMissingPageFailsTheCheck) {
  REQUIRE_PYTHON("the docs check");
  ScratchTree tree;
  ASSERT_TRUE(tree.ready());
  write_file(tree.root() / "docs" / "zz-scratch.md", "See [the next chapter](no-such-chapter.md).\n");

  CommandResult result = tree.run_checker("--check");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "docs/zz-scratch.md:1: links to docs/no-such-chapter.md, which does not exist"))
      << result.output;
}

}  // namespace
