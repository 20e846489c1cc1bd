// chat_names_test.cpp: the naming rule and the case folding that member
// names and room names share (chat_names.h; docs/protocol.md, the naming
// rule). Character classes are Unicode General_Category values and the
// Default_Ignorable_Code_Point property (UAX #44); folding is simple case
// folding, CaseFolding.txt statuses C and S (Unicode Standard 3.13).
//
// Literals like "\u00E9" are UTF-8 here: GCC and Clang encode narrow string
// literals as UTF-8 unless told otherwise.
#include <gtest/gtest.h>

#include <string>

#include "chat/chat_names.h"

namespace {

std::string repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

/* ===== Length ===== */

TEST(ChatNames, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("\u00E9t\u00E9"), 3u);  // "été"
  EXPECT_EQ(count_code_points("\U0001F600"), 1u);
}

TEST(ChatNames, RefusesEmptyAndTooLong) {
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_TRUE(is_valid_name(std::string(32, 'a')));
  EXPECT_FALSE(is_valid_name(std::string(33, 'a')));
}

/* ===== Names that are allowed ===== */

TEST(ChatNames, AcceptsAsciiNameWithInnerSpace) {
  EXPECT_TRUE(is_valid_name("a"));
  EXPECT_TRUE(is_valid_name("a b"));
  EXPECT_TRUE(is_valid_name("alice smith"));
}

TEST(ChatNames, AcceptsLatinLettersWithDiacritics) {
  EXPECT_TRUE(is_valid_name("Zo\u00EB"));    // Zoë, precomposed
  EXPECT_TRUE(is_valid_name("Jos\u00E9"));   // José
  EXPECT_TRUE(is_valid_name("Jose\u0301"));  // José, e + COMBINING ACUTE ACCENT
}

TEST(ChatNames, AcceptsHanCharacters) {
  EXPECT_TRUE(is_valid_name("\u674E\u5C0F\u9F99"));  // 李小龙
}

TEST(ChatNames, AcceptsEmoji) {
  EXPECT_TRUE(is_valid_name("\U0001F600"));         // GRINNING FACE
  EXPECT_TRUE(is_valid_name("\U0001F980 crab"));    // CRAB, then a word
}

TEST(ChatNames, AcceptsFourCombiningMarksInARow) {
  EXPECT_TRUE(is_valid_name("a" + repeat("\u0301", 4)));
}

/* ===== Invisible and format characters (Cf, Default_Ignorable) ===== */

TEST(ChatNames, RefusesRightToLeftOverride) {
  EXPECT_FALSE(is_valid_name("\u202Eecila"));  // shows as "alice"
  EXPECT_FALSE(is_valid_name("ab\u202Ecd"));
}

TEST(ChatNames, RefusesOtherBidiControls) {
  EXPECT_FALSE(is_valid_name("a\u200Fb"));  // RIGHT-TO-LEFT MARK
  EXPECT_FALSE(is_valid_name("a\u2066b"));  // LEFT-TO-RIGHT ISOLATE
  EXPECT_FALSE(is_valid_name("a\u061Cb"));  // ARABIC LETTER MARK
}

TEST(ChatNames, RefusesZeroWidthSpace) {
  EXPECT_FALSE(is_valid_name("ali\u200Bce"));
}

TEST(ChatNames, RefusesZeroWidthJoiners) {
  EXPECT_FALSE(is_valid_name("ali\u200Cce"));  // ZERO WIDTH NON-JOINER
  EXPECT_FALSE(is_valid_name("ali\u200Dce"));  // ZERO WIDTH JOINER
}

TEST(ChatNames, RefusesWordJoiner) {
  EXPECT_FALSE(is_valid_name("ali\u2060ce"));
}

TEST(ChatNames, RefusesByteOrderMark) {
  EXPECT_FALSE(is_valid_name("\uFEFFalice"));
}

TEST(ChatNames, RefusesSoftHyphen) {
  EXPECT_FALSE(is_valid_name("ali\u00ADce"));  // Cf, and invisible unless a line breaks there
}

// The same name followed by something that shows as nothing would let two
// people both appear as "alice".
TEST(ChatNames, RefusesNameFollowedByAnInvisibleCharacter) {
  EXPECT_FALSE(is_valid_name("alice\u200B"));
  EXPECT_FALSE(is_valid_name("alice\u2060"));
  EXPECT_FALSE(is_valid_name("alice\uFEFF"));
}

// Default_Ignorable_Code_Point that is not Cf: a mark that shows as nothing
// (COMBINING GRAPHEME JOINER, VARIATION SELECTOR-16) and a letter that shows
// as nothing (HANGUL FILLER). The price: an emoji written with U+FE0F
// ("\u2764\uFE0F") is refused; the same emoji without it is fine.
TEST(ChatNames, RefusesInvisibleCharactersThatAreNotFormatCharacters) {
  EXPECT_FALSE(is_valid_name("alice\u034F"));
  EXPECT_FALSE(is_valid_name("alice\uFE0F"));
  EXPECT_FALSE(is_valid_name("alice\u3164"));
  EXPECT_FALSE(is_valid_name("\u3164"));
  EXPECT_TRUE(is_valid_name("\u2764"));
}

/* ===== Controls, separators, private use, unassigned ===== */

TEST(ChatNames, RefusesControlCharacters) {
  EXPECT_FALSE(is_valid_name(std::string("a\0b", 3)));  // C0
  EXPECT_FALSE(is_valid_name("a\tb"));                  // C0
  EXPECT_FALSE(is_valid_name("a\x7F"));                 // DEL
  EXPECT_FALSE(is_valid_name("a\u0080"));               // first C1
  EXPECT_FALSE(is_valid_name("a\u009F"));               // last C1
}

TEST(ChatNames, RefusesLineAndParagraphSeparators) {
  EXPECT_FALSE(is_valid_name("a\u2028b"));  // Zl
  EXPECT_FALSE(is_valid_name("a\u2029b"));  // Zp
}

TEST(ChatNames, RefusesPrivateUseCharacters) {
  EXPECT_FALSE(is_valid_name("a\uE000"));      // first in the BMP
  EXPECT_FALSE(is_valid_name("a\uF8FF"));      // last in the BMP (an Apple logo on Macs)
  EXPECT_FALSE(is_valid_name("a\U000F0000"));  // plane 15
  EXPECT_FALSE(is_valid_name("a\U0010FFFD"));  // plane 16
}

// Unassigned today may be a letter in a later Unicode version; until the
// tables are regenerated nobody can tell how it will render.
TEST(ChatNames, RefusesUnassignedCodePoints) {
  EXPECT_FALSE(is_valid_name("a\u0378"));      // a hole in the Greek block
  EXPECT_FALSE(is_valid_name("a\U00040000"));  // plane 4, empty so far
  EXPECT_FALSE(is_valid_name("a\uFFFF"));      // noncharacter
  EXPECT_FALSE(is_valid_name("a\uFDD0"));      // noncharacter
}

// Valid UTF-8 cannot hold a surrogate (RFC 3629 section 3), but the rule
// does not rely on that: CESU-8's encoding of U+D800 decodes to a surrogate,
// which is refused.
TEST(ChatNames, RefusesSurrogatesEncodedAnyway) {
  EXPECT_FALSE(is_valid_name("a\xED\xA0\x80"));
}

/* ===== Spaces of any kind (Zs) ===== */

TEST(ChatNames, RefusesAsciiSpaceAtEitherEnd) {
  EXPECT_FALSE(is_valid_name(" alice"));
  EXPECT_FALSE(is_valid_name("alice "));
  EXPECT_FALSE(is_valid_name(" "));
}

TEST(ChatNames, RefusesLoneNoBreakSpace) {
  EXPECT_FALSE(is_valid_name("\u00A0"));
}

TEST(ChatNames, RefusesNameMadeOnlyOfSpacesOfAnyKind) {
  EXPECT_FALSE(is_valid_name("\u3000"));              // IDEOGRAPHIC SPACE
  EXPECT_FALSE(is_valid_name("\u2003\u2003"));        // EM SPACE twice
  EXPECT_FALSE(is_valid_name(" \u00A0\u202F\u205F"));  // four kinds
}

TEST(ChatNames, RefusesSpaceOfAnyKindAtEitherEnd) {
  EXPECT_FALSE(is_valid_name("\u00A0alice"));
  EXPECT_FALSE(is_valid_name("alice\u00A0"));
  EXPECT_FALSE(is_valid_name("\u2002alice"));  // EN SPACE
  EXPECT_FALSE(is_valid_name("alice\u3000"));
  EXPECT_FALSE(is_valid_name("\u1680alice"));  // OGHAM SPACE MARK
}

/* ===== Combining marks (Mn, Mc, Me) ===== */

TEST(ChatNames, RefusesNameStartingWithCombiningMark) {
  EXPECT_FALSE(is_valid_name("\u0301"));         // Mn
  EXPECT_FALSE(is_valid_name("\u0301alice"));    // Mn
  EXPECT_FALSE(is_valid_name("\u0903a"));        // Mc, DEVANAGARI SIGN VISARGA
  EXPECT_FALSE(is_valid_name("\u20DDa"));        // Me, COMBINING ENCLOSING CIRCLE
}

TEST(ChatNames, RefusesPileOfCombiningMarks) {
  EXPECT_FALSE(is_valid_name(repeat("\u0301", 20)));
}

// Real text stacks two or three marks on a letter (Vietnamese, pointed
// Hebrew); five in a row is "zalgo" text that spills over the lines around it.
TEST(ChatNames, RefusesMoreThanFourCombiningMarksInARow) {
  EXPECT_FALSE(is_valid_name("a" + repeat("\u0301", 5)));
  EXPECT_FALSE(is_valid_name("a\u0301\u0302\u0303\u0304\u0305b"));
}

TEST(ChatNames, CombiningMarkCountStartsAgainAfterEachLetter) {
  EXPECT_TRUE(is_valid_name("a" + repeat("\u0301", 4) + "b" + repeat("\u0301", 4)));
}

/* ===== Case folding ===== */

TEST(ChatNames, FoldsAsciiCase) {
  EXPECT_EQ(fold_case("RuSt 42"), "rust 42");
  EXPECT_TRUE(equal_ignoring_case("Alice", "aLICE"));
  EXPECT_FALSE(equal_ignoring_case("alice", "alicia"));
}

TEST(ChatNames, FoldsLatinLettersBeyondAscii) {
  EXPECT_EQ(fold_case("\u00C4LICE"), "\u00E4lice");  // ÄLICE
  EXPECT_TRUE(equal_ignoring_case("\u00C4LICE", "\u00E4lice"));
  EXPECT_TRUE(equal_ignoring_case("CAF\u00C9", "caf\u00E9"));
}

TEST(ChatNames, FoldsGreekAndCyrillic) {
  EXPECT_TRUE(equal_ignoring_case("\u039F\u0394\u03A5\u03A3\u03A3\u0395\u03A5\u03A3",
                                  "\u03BF\u03B4\u03C5\u03C3\u03C3\u03B5\u03C5\u03C2"));  // ΟΔΥΣΣΕΥΣ, οδυσσευς
  EXPECT_TRUE(equal_ignoring_case("\u0411\u041E\u0420\u0418\u0421", "\u0431\u043E\u0440\u0438\u0441"));  // БОРИС
}

// Capital, small and final sigma are one letter (CaseFolding.txt: 03A3 C and
// 03C2 C both map to 03C3).
TEST(ChatNames, FoldsAllThreeSigmasTogether) {
  EXPECT_EQ(fold_case("\u03A3"), "\u03C3");
  EXPECT_EQ(fold_case("\u03C2"), "\u03C3");
  EXPECT_TRUE(equal_ignoring_case("\u03A3", "\u03C2"));
}

// The fold may be shorter than the original: U+212A KELVIN SIGN is three
// bytes, its fold "k" one.
TEST(ChatNames, FoldsKelvinSignToLetterK) {
  EXPECT_EQ(fold_case("\u212Aelvin"), "kelvin");
  EXPECT_TRUE(equal_ignoring_case("\u212Aelvin", "Kelvin"));
}

// Simple folding maps one code point to one: "ß" would become "ss" only under
// full folding (status F), which is left out, so "straße" and "strasse" are
// two names. Capital sharp s (U+1E9E, status S) folds to "ß".
TEST(ChatNames, SharpSStaysDistinctFromSsUnderSimpleFolding) {
  EXPECT_FALSE(equal_ignoring_case("stra\u00DFe", "strasse"));
  EXPECT_TRUE(equal_ignoring_case("STRA\u1E9EE", "stra\u00DFe"));
}

TEST(ChatNames, FoldsLettersOutsideTheBasicMultilingualPlane) {
  EXPECT_TRUE(equal_ignoring_case("\U00010400", "\U00010428"));  // DESERET CAPITAL/SMALL LONG I
}

TEST(ChatNames, EqualNamesHashEqual) {
  EXPECT_EQ(hash_ignoring_case("Alice"), hash_ignoring_case("aLICE"));
  EXPECT_EQ(hash_ignoring_case("\u00C4LICE"), hash_ignoring_case("\u00E4lice"));
  EXPECT_EQ(hash_ignoring_case("\u212Aelvin"), hash_ignoring_case("kelvin"));
  EXPECT_EQ(hash_ignoring_case("\u03A3"), hash_ignoring_case("\u03C2"));
}

TEST(ChatNames, HashIsTheHashOfTheFoldedName) {
  const std::string name = "\u00C4li\u212Ae \u03A3";
  EXPECT_EQ(hash_ignoring_case(name), hash_ignoring_case(fold_case(name)));
}

/* ===== The reserved guest- prefix ===== */

TEST(ChatNames, GuestPrefixIgnoresAsciiCase) {
  EXPECT_TRUE(has_guest_prefix("guest-1"));
  EXPECT_TRUE(has_guest_prefix("GUEST-x"));
  EXPECT_FALSE(has_guest_prefix("guest"));
  EXPECT_FALSE(has_guest_prefix("guests"));
}

// U+017F LATIN SMALL LETTER LONG S folds to "s", so "gueſt-1" is the same
// name as "guest-1" and must be reserved as well.
TEST(ChatNames, GuestPrefixIsComparedFolded) {
  EXPECT_TRUE(has_guest_prefix("gue\u017Ft-1"));
  EXPECT_TRUE(has_guest_prefix("GUE\u017FT-1"));
  EXPECT_FALSE(has_guest_prefix("g\u00FCest-1"));  // ü is another letter
}
