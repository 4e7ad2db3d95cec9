// Text helpers of the importer (importer.h): event ids, short titles, slugs.

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "clients/cli/importer.h"

namespace wijkboek::importer {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Number of code points (UTF-8 text; a stray byte counts as one).
std::size_t CodePoints(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += IsContinuationByte(c) ? 0 : 1;
  return n;
}

// The byte offset after the first `n` code points (or the end).
std::size_t PrefixBytes(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < text.size(); ++i) {
    if (!IsContinuationByte(text[i]) && seen++ == n) break;
  }
  return i;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// True when the word that ends just before `dot` (text[dot] == '.') is an abbreviation such as
// "o.a", "i.o.v" or "bijv", after which a full stop does not end the sentence.
bool EndsAbbreviation(std::string_view text, std::size_t dot) {
  std::size_t start = dot;
  while (start > 0 && !IsSpace(text[start - 1]) && text[start - 1] != '(') --start;
  std::string_view word = text.substr(start, dot - start);
  if (word.find('.') != std::string_view::npos) return true;  // o.a. i.o.v. m.b.t.
  for (std::string_view abbreviation : {"bijv", "ca", "evt", "incl", "nav", "nr", "zgn", "vs"}) {
    if (word == abbreviation) return true;
  }
  return word.size() <= 1;  // an initial, e.g. "J. de Vries"
}

// The first sentence of `line` (with its full stop), or the whole line. A sentence ends at ".",
// "!" or "?" followed by a space and an uppercase letter or digit.
std::string_view FirstSentence(std::string_view line) {
  for (std::size_t i = 0; i + 2 < line.size(); ++i) {
    char c = line[i];
    if ((c != '.' && c != '!' && c != '?') || line[i + 1] != ' ') continue;
    char next = line[i + 2];
    bool starts_sentence = (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9');
    if (starts_sentence && !(c == '.' && EndsAbbreviation(line, i))) return line.substr(0, i + 1);
  }
  return line;
}

// ASCII for a Latin-1 letter U+00C0..U+00FF ("ë" -> 'e'), 0 for anything else.
char FoldLatin1(unsigned code_point) {
  // Indexed by code_point - 0xC0; '\0' for ×, ÷ and letters without an ASCII base.
  static constexpr char kFold[] =
      "aaaaaaaceeeeiiii"     // C0-CF: ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ
      "dnooooo\0ouuuuy\0s"   // D0-DF: ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß
      "aaaaaaaceeeeiiii"     // E0-EF
      "dnooooo\0ouuuuy\0y";  // F0-FF
  if (code_point < 0xC0 || code_point > 0xFF) return 0;
  return kFold[code_point - 0xC0];
}

}  // namespace

std::string ImportEventId(std::string_view stream, std::string_view key) {
  std::string input = "wijkboek-import";
  input.push_back('\0');
  input.append(stream);
  input.push_back('\0');
  input.append(key);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5 (name-based)
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

std::string ShortTitle(std::string_view text, std::size_t max_chars) {
  text = Trim(text);
  std::string_view line = Trim(text.substr(0, text.find('\n')));
  if (CodePoints(line) <= max_chars) return std::string(line);
  std::string_view sentence = FirstSentence(line);
  if (CodePoints(sentence) <= max_chars) return std::string(sentence);
  // Cut at the last space that leaves room for the ellipsis, then drop trailing punctuation.
  std::string_view head = line.substr(0, PrefixBytes(line, max_chars - 1));
  std::size_t space = head.rfind(' ');
  if (space != std::string_view::npos && space > head.size() / 2) head = head.substr(0, space);
  // Do not end on a parenthesis that the cut leaves open: "… Fonds (€…".
  space = head.rfind(' ');
  if (space != std::string_view::npos && space > head.size() / 2 && head[space + 1] == '(' &&
      head.find(')', space) == std::string_view::npos) {
    head = head.substr(0, space);
  }
  while (!head.empty() && (IsSpace(head.back()) || head.back() == ',' || head.back() == ';' ||
                           head.back() == ':' || head.back() == '(' || head.back() == '-')) {
    head.remove_suffix(1);
  }
  return std::string(head) + "…";
}

std::string Slugify(std::string_view text, std::size_t max_chars) {
  std::string slug;
  bool pending_hyphen = false;
  auto add = [&](char c) {
    if (pending_hyphen && !slug.empty()) slug.push_back('-');
    pending_hyphen = false;
    slug.push_back(c);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      add(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      add(static_cast<char>(c - 'A' + 'a'));
    } else if ((c & 0xE0) == 0xC0 && i + 1 < text.size() && IsContinuationByte(text[i + 1])) {
      unsigned code_point = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      ++i;
      if (char folded = FoldLatin1(code_point); folded != 0) {
        add(folded);
      } else {
        pending_hyphen = true;
      }
    } else if (!IsContinuationByte(static_cast<char>(c))) {
      pending_hyphen = true;  // a separator, or the first byte of a character we do not fold
    }
  }
  if (slug.size() > max_chars) {
    std::size_t cut = slug.rfind('-', max_chars);
    slug.resize(cut == std::string::npos || cut == 0 ? max_chars : cut);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug;
}

}  // namespace wijkboek::importer
