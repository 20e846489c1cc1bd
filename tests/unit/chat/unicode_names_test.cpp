// unicode_names_test.cpp: the generated Unicode tables (unicode_tables.h)
// and the lookups over them (unicode_names.h).
//
// Three kinds of check: the tables' shape (sorted, covering every code
// point), the lookups against the Unicode Character Database files read
// here independently of the generator (UAX #44 formats: CaseFolding.txt,
// extracted/DerivedGeneralCategory.txt, DerivedCoreProperties.txt), and
// tools/make_unicode_tables.py regenerating exactly the checked-in file.
// The last two need Debian's unicode-data package in /usr/share/unicode and
// skip, saying why, without it. Unit tests run from the repository root.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chat/unicode_names.h"

namespace {

constexpr char kDataDirectory[] = "/usr/share/unicode/";
constexpr char32_t kLastCodePoint = 0x10FFFF;

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

// The fields of each data line of a UCD file ("0041; C; 0061; # ..."), with
// comments and surrounding spaces removed.
std::vector<std::vector<std::string>> data_lines(const std::string& path) {
  std::vector<std::vector<std::string>> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, ';');) {
      size_t begin = field.find_first_not_of(' ');
      size_t end = field.find_last_not_of(' ');
      fields.push_back(begin == std::string::npos ? "" : field.substr(begin, end - begin + 1));
    }
    if (fields.size() >= 2 && !fields[0].empty()) lines.push_back(fields);
  }
  return lines;
}

// "0041" or "0041..005A" as first and last.
void parse_range(const std::string& text, char32_t* first, char32_t* last) {
  size_t dots = text.find("..");
  *first = static_cast<char32_t>(std::stoul(text.substr(0, dots), nullptr, 16));
  *last = dots == std::string::npos ? *first : static_cast<char32_t>(std::stoul(text.substr(dots + 2), nullptr, 16));
}

#define REQUIRE_DATA_FILE(path)                                                                        \
  do {                                                                                                 \
    if (!file_exists(path)) GTEST_SKIP() << path << " is missing (Debian: apt-get install unicode-data)"; \
  } while (0)

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char chunk[4096];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) output->append(chunk, got);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

/* ===== The tables' shape ===== */

TEST(UnicodeTables, ClassRunsStartAtZeroAndAreSorted) {
  ASSERT_GT(kNameClassRunCount, 0u);
  EXPECT_EQ(kNameClassRuns[0].first, 0u);
  for (size_t i = 1; i < kNameClassRunCount; ++i) {
    EXPECT_LT(kNameClassRuns[i - 1].first, kNameClassRuns[i].first) << "run " << i;
    EXPECT_NE(kNameClassRuns[i - 1].name_class, kNameClassRuns[i].name_class) << "run " << i << " not merged";
  }
  EXPECT_LE(kNameClassRuns[kNameClassRunCount - 1].first, kLastCodePoint);
}

TEST(UnicodeTables, CaseFoldRangesAreSortedAndDisjoint) {
  ASSERT_GT(kCaseFoldRangeCount, 0u);
  for (size_t i = 0; i < kCaseFoldRangeCount; ++i) {
    const CaseFoldRange& range = kCaseFoldRanges[i];
    EXPECT_LE(range.first, range.last) << "range " << i;
    EXPECT_TRUE(range.stride == 1 || range.stride == 2) << "range " << i;
    EXPECT_EQ((range.last - range.first) % range.stride, 0u) << "range " << i;
    if (i > 0) {
      EXPECT_LT(kCaseFoldRanges[i - 1].last, range.first) << "range " << i;
    }
  }
}

/* ===== Lookups ===== */

TEST(UnicodeNames, ClassifiesAsciiWithoutTheTables) {
  EXPECT_EQ(name_character_class('a'), NameCharacterClass::kOrdinary);
  EXPECT_EQ(name_character_class('~'), NameCharacterClass::kOrdinary);
  EXPECT_EQ(name_character_class(' '), NameCharacterClass::kSpace);
  EXPECT_EQ(name_character_class('\t'), NameCharacterClass::kRefused);
  EXPECT_EQ(name_character_class(0x7F), NameCharacterClass::kRefused);
}

TEST(UnicodeNames, ClassifiesEachKindBeyondAscii) {
  EXPECT_EQ(name_character_class(0x00E9), NameCharacterClass::kOrdinary);  // é, Ll
  EXPECT_EQ(name_character_class(0x3000), NameCharacterClass::kSpace);     // IDEOGRAPHIC SPACE, Zs
  EXPECT_EQ(name_character_class(0x0301), NameCharacterClass::kMark);      // Mn
  EXPECT_EQ(name_character_class(0x202E), NameCharacterClass::kRefused);   // Cf
  EXPECT_EQ(name_character_class(0xD800), NameCharacterClass::kRefused);   // Cs
  EXPECT_EQ(name_character_class(0x10FFFF), NameCharacterClass::kRefused); // Cn, the last code point
  EXPECT_EQ(name_character_class(kNotACodePoint), NameCharacterClass::kRefused);
}

TEST(UnicodeNames, FoldsAlternatingCapitalsInAStrideTwoRange) {
  EXPECT_EQ(simple_case_fold(0x0100), 0x0101u);  // Ā to ā
  EXPECT_EQ(simple_case_fold(0x0101), 0x0101u);  // ā stays
  EXPECT_EQ(simple_case_fold(0x012E), 0x012Fu);  // Į to į, the range's last
}

TEST(UnicodeNames, LeavesCodePointsWithoutFoldingAlone) {
  EXPECT_EQ(simple_case_fold('a'), U'a');
  EXPECT_EQ(simple_case_fold(0x00DF), 0x00DFu);  // ß: only a full (F) folding
  EXPECT_EQ(simple_case_fold(0x0130), 0x0130u);  // İ: only F and Turkic (T) foldings
  EXPECT_EQ(simple_case_fold(0x674E), 0x674Eu);  // 李
  EXPECT_EQ(simple_case_fold(kLastCodePoint), kLastCodePoint);
}

TEST(UnicodeNames, EveryCodePointSurvivesEncodeThenDecode) {
  char encoded[4];
  for (char32_t code_point = 0; code_point <= kLastCodePoint; ++code_point) {
    if (code_point >= 0xD800 && code_point <= 0xDFFF) continue;  // not encodable (RFC 3629 section 3)
    size_t length = encode_utf8(code_point, encoded);
    size_t position = 0;
    char32_t decoded = next_code_point(std::string_view(encoded, length), &position);
    if (decoded != code_point || position != length) {
      ADD_FAILURE() << "U+" << std::hex << code_point;
      return;
    }
  }
}

TEST(UnicodeNames, DecoderStopsAtTheEndOfTruncatedInput) {
  const std::string truncated = "\xE2\x82";  // the first two of three bytes
  size_t position = 0;
  EXPECT_EQ(next_code_point(truncated, &position), kNotACodePoint);
  EXPECT_EQ(position, truncated.size());
}

TEST(UnicodeNames, DecoderTakesAStrayContinuationByteAlone) {
  const std::string stray = "\x80z";
  size_t position = 0;
  EXPECT_EQ(next_code_point(stray, &position), kNotACodePoint);
  EXPECT_EQ(position, 1u);
  EXPECT_EQ(next_code_point(stray, &position), U'z');
}

/* ===== Against the Unicode Character Database ===== */

TEST(UnicodeNames, FoldingMatchesCaseFoldingTxtForEveryCodePoint) {
  const std::string path = std::string(kDataDirectory) + "CaseFolding.txt";
  REQUIRE_DATA_FILE(path);
  std::vector<char32_t> expected(kLastCodePoint + 1);
  for (char32_t code_point = 0; code_point <= kLastCodePoint; ++code_point) expected[code_point] = code_point;
  size_t mappings = 0;
  for (const auto& fields : data_lines(path)) {
    if (fields.size() < 3 || (fields[1] != "C" && fields[1] != "S")) continue;
    expected[std::stoul(fields[0], nullptr, 16)] = static_cast<char32_t>(std::stoul(fields[2], nullptr, 16));
    ++mappings;
  }
  EXPECT_GT(mappings, 1000u);
  size_t wrong = 0;
  for (char32_t code_point = 0; code_point <= kLastCodePoint && wrong < 10; ++code_point) {
    if (simple_case_fold(code_point) != expected[code_point]) {
      ADD_FAILURE() << "U+" << std::hex << code_point << " folds to U+" << simple_case_fold(code_point)
                    << ", CaseFolding.txt says U+" << expected[code_point];
      ++wrong;
    }
  }
}

// Read from DerivedGeneralCategory.txt rather than UnicodeData.txt, which
// the generator reads, so that a mistake in either reading shows.
TEST(UnicodeNames, ClassesMatchTheCategoryFilesForEveryCodePoint) {
  const std::string categories = std::string(kDataDirectory) + "extracted/DerivedGeneralCategory.txt";
  const std::string properties = std::string(kDataDirectory) + "DerivedCoreProperties.txt";
  REQUIRE_DATA_FILE(categories);
  REQUIRE_DATA_FILE(properties);
  // Cn is not listed for every code point, so it is the default.
  std::vector<NameCharacterClass> expected(kLastCodePoint + 1, NameCharacterClass::kRefused);
  char32_t first;
  char32_t last;
  for (const auto& fields : data_lines(categories)) {
    const std::string& category = fields[1];
    NameCharacterClass name_class = NameCharacterClass::kOrdinary;
    if (category == "Zs") name_class = NameCharacterClass::kSpace;
    if (category == "Mn" || category == "Mc" || category == "Me") name_class = NameCharacterClass::kMark;
    if (category[0] == 'C' || category == "Zl" || category == "Zp") name_class = NameCharacterClass::kRefused;
    parse_range(fields[0], &first, &last);
    for (char32_t code_point = first; code_point <= last; ++code_point) expected[code_point] = name_class;
  }
  for (const auto& fields : data_lines(properties)) {
    if (fields[1] != "Default_Ignorable_Code_Point") continue;
    parse_range(fields[0], &first, &last);
    for (char32_t code_point = first; code_point <= last; ++code_point) {
      expected[code_point] = NameCharacterClass::kRefused;
    }
  }
  size_t wrong = 0;
  for (char32_t code_point = 0; code_point <= kLastCodePoint && wrong < 10; ++code_point) {
    if (name_character_class(code_point) != expected[code_point]) {
      ADD_FAILURE() << "U+" << std::hex << code_point << " is class "
                    << static_cast<int>(name_character_class(code_point)) << ", the data files say "
                    << static_cast<int>(expected[code_point]);
      ++wrong;
    }
  }
}

TEST(UnicodeTables, RegeneratingGivesTheCheckedInFile) {
  constexpr char kGenerator[] = "tools/make_unicode_tables.py";
  if (!file_exists(kGenerator)) GTEST_SKIP() << kGenerator << " not found: run the unit tests from the repository root";
  std::string output;
  if (run_command("python3 -c 'import sys'", &output) != 0) GTEST_SKIP() << "python3 is not installed";
  output.clear();
  int status = run_command(std::string("python3 ") + kGenerator + " --check src/chat/unicode_tables.cpp", &output);
  if (status == 3) GTEST_SKIP() << output;  // the data files are missing
  EXPECT_EQ(status, 0) << output;
}
