// Internals shared by the structure analysis files (see docs/structure.md):
//   parse.cc           a language resolved to symbol ids (each capability part by its own file below), the
//                      per-thread parser, the parse budget
//   detect.cc          the detection part: the language of untagged blocks and bare responses
//   items.cc           the items part: coding items, core logic ranges, prose ranges, ERROR / MISSING ranges
//                      (items_braced.cc: bodies opened by a token)
//   defuse_resolve.cc  the def-use part resolved; defuse.cc / defuse_lexical.cc: item-level def-use edges
//   inject.cc          the injections part: ranges of a host tree holding another language's code
//   structure.cc       analyze_structure(): segments, flags, whole-line spans, output in code points;
//                      parse_only(): the same segments and parses, nothing else
// Not part of the addon's interface: only native/core includes this.
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/structure.h"
#include "core/utf.h"
#include "core/work.h"
#include "lang/language.h"

namespace codeblock {
namespace structure {

// ---- Language tables resolved to symbol ids (parse.cc) ----

// Class bits of a node type (Resolved::cls), from the tables in native/lang/ (see docs/languages.md).
enum : uint16_t {
  kSimple = 1 << 0,
  kCompound = 1 << 1,
  kClause = 1 << 2,
  kBody = 1 << 3,
  kDefinition = 1 << 4,
  kString = 1 << 5,
  kComment = 1 << 6,
  kDelim = 1 << 7,
  kNonCore = 1 << 8,
  kTargetContainer = 1 << 9,
  kParamContainer = 1 << 10,
  kHeaderEnd = 1 << 11,
  kPatKeyword = 1 << 12,
  kPatClass = 1 << 13,
};

// The symbol of ERROR nodes (tree-sitter's ts_builtin_sym_error; ts_node_is_error compares with it).
constexpr TSSymbol kErrorSymbol = static_cast<TSSymbol>(-1);

struct Resolved {
  const LanguageTables* t = nullptr;
  const TSLanguage* lang = nullptr;
  std::vector<uint16_t> cls;  // by symbol
  std::vector<DuRole> role;   // by symbol
  std::vector<uint8_t> is_decorated, is_expr_stmt, is_else, is_finally, is_dotted, is_aliased;
  // brace languages (see LanguageTables): by symbol
  std::vector<uint8_t> is_body_open, is_clause_kw, is_block_lambda, is_wrapper, is_fn_scoped, is_hoisted, is_param_list;
  std::vector<uint8_t> is_local_name;  // LanguageTables::local_names
  std::vector<uint8_t> scope_kind;     // 0: opens no scope, else 1 + LexScope
  std::vector<uint8_t> is_declare_after, is_redeclare_reuse, is_import_path, is_no_uses;  // Go / Rust rules
  std::vector<uint8_t> is_member_term, is_leading, is_stmt_wrapper, is_pattern_pair, is_type_name;
  struct Decl {
    TSFieldId field;  // 0: every named child
    DeclTarget target;
    TSFieldId when;  // 0: always; else only when the node has a child in this field
  };
  struct Member {
    TSFieldId field;
    bool only_with_object;
  };
  std::vector<std::vector<Decl>> decls;
  std::vector<std::vector<Member>> members;
  std::vector<std::vector<TSFieldId>> function_names;    // by symbol: fields naming a function (own namespace)
  std::vector<uint8_t> is_qualified;                     // by symbol: named children after the first are members
  std::vector<uint8_t> is_paren_header, is_close_paren;  // by symbol: ItemsPart::paren_headers, the `)` token
  std::vector<uint8_t> is_first_name;                    // by symbol: DefUsePart::first_name_binds
  std::vector<TSFieldId> header_fields;
  BindsRule binds = nullptr;  // DefUsePart::binds_rule
  // detection (detect.cc): DetectionPart's rules
  AcceptRule accept = nullptr;
  PrefilterRule prefilter = nullptr;
  ScoreRule score = nullptr;
  // injections (inject.cc): by symbol, 1 + the index of the host's InjectionEntry (0: not a host)
  std::vector<uint16_t> injection_host;
  HostedRule hosted = nullptr;               // InjectionPart::hosted_rule
  CostRule cost = nullptr;                   // LanguageTables::parse_cost_rule (parse.cc)
  const LanguageTables* hosted_L = nullptr;  // InjectionPart::hosted_language (a host-only language)
  TSFieldId f_declarator = 0, f_pattern = 0, f_path = 0;
  bool braced() const { return t->items.body_open != nullptr; }
  bool is_header_field(TSFieldId f) const {
    for (TSFieldId h : header_fields)
      if (h == f) return true;
    return false;
  }
  TSFieldId f_decorated = 0, f_left = 0, f_right = 0, f_name = 0, f_value = 0, f_alias = 0, f_parameters = 0,
            f_body = 0, f_object = 0, f_receiver = 0, f_type = 0, f_return_type = 0, f_superclasses = 0;

  uint16_t c(TSNode n) const { return c_of(ts_node_symbol(n)); }
  DuRole r(TSNode n) const { return r_of(ts_node_symbol(n)); }
  bool flag(const std::vector<uint8_t>& v, TSNode n) const { return flag_of(v, ts_node_symbol(n)); }
  // The same by symbol (ts_node_symbol), for a visit that reads several tables of one node.
  uint16_t c_of(TSSymbol s) const { return s < cls.size() ? cls[s] : 0; }
  DuRole r_of(TSSymbol s) const { return s < role.size() ? role[s] : DuRole::None; }
  static bool flag_of(const std::vector<uint8_t>& v, TSSymbol s) { return s < v.size() && v[s]; }
};

// Resolution helpers for the capability parts: node-type and field names of R.lang to ids.
struct PartResolver {
  Resolved& R;
  uint32_t count;  // symbols of R.lang
  // OR `bit` into R.cls of every symbol named in names.
  void mark(const std::vector<const char*>& names, uint16_t bit) const;
  // Set v[symbol] = 1 for every symbol of that name (nullptr: none); v has `count` entries.
  void flag(const char* name, std::vector<uint8_t>& v) const;
  void flags(const std::vector<const char*>& names, std::vector<uint8_t>& v) const;
  // Every symbol of that node-type name.
  template <class F>
  void each_symbol(const char* type, F&& fn) const {
    for (uint32_t s = 0; s < count; s++) {
      const char* nm = ts_language_symbol_name(R.lang, static_cast<TSSymbol>(s));
      if (nm && std::strcmp(nm, type) == 0) fn(s);
    }
  }
  TSFieldId field(const char* f) const;  // 0: the grammar has no such field
  // The function of the named rule (lang/rules.h) of the kind `member` (&NamedRule::accept, ...); nullptr for
  // a nullptr name. Aborts on an unregistered name or a rule of another kind (a registry bug).
  template <class F>
  F rule(const char* name, F NamedRule::*member) const {
    if (!name) return nullptr;
    const NamedRule* r = find_rule(name);
    if (!r || !(r->*member)) bad_rule(name);
    return r->*member;
  }
  [[noreturn]] void bad_rule(const char* name) const;
};

// Each capability part resolved by its own engine file into R (called once per language by parse.cc).
void resolve_items(const PartResolver& P, const ItemsPart& part);           // items.cc
void resolve_defuse(const PartResolver& P, const DefUsePart& part);         // defuse_resolve.cc
void resolve_detection(const PartResolver& P, const DetectionPart& part);   // detect.cc
void resolve_injections(const PartResolver& P, const InjectionPart& part);  // inject.cc

// The resolved tables of a registered language (built once for all of them, thread-safe).
const Resolved& resolved(const LanguageTables* t);

// ---- Parsing under the per-record budget (parse.cc) ----

// The work itself is charged to this thread's WorkMeter (core/work.h); the parse stops when it stops.
struct Budget {
  // Language detection of untagged blocks: give up as soon as every parse stack version is in
  // error recovery (the block cannot be accepted, and recovery is the slow part of parsing).
  bool abort_on_error = false;
  bool aborted_on_error = false;
};

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

// Parses text with this thread's parser. nullptr when the work meter stopped or, with
// budget.abort_on_error, when the text has a syntax error (budget.aborted_on_error).
TreePtr parse(const Resolved& R, std::string_view text, Budget& budget);

// ---- Detection of untagged blocks (detect.cc) ----

// The language of an untagged fence / fence-less response `body` among the languages allowed (by registry
// index), with its tree in `tree`; nullptr when none. timed_out: the work meter stopped (the caller stops).
const LanguageTables* detect_language(std::string_view body, const std::vector<bool>& allowed, Budget& budget,
                                      TreePtr& tree, bool& timed_out);

// ---- Injections (inject.cc) ----

// A range of a host segment's tree holding code of another registered language (lang/parts/injections.h).
struct Injection {
  uint32_t b, e;            // absolute raw bytes
  const LanguageTables* L;  // the embedded language (registered; not checked against --languages here)
};

// The injected ranges of one host tree (root, parsed from text[base, ...)), appended to out in tree order.
// Does nothing (and walks nothing) for a language with no injection entries.
void find_injections(const Resolved& R, TSNode root, uint32_t base, std::string_view text, std::vector<Injection>& out);

// ---- The segments of a record, parsed (structure.cc) ----

struct ParsedSegment {
  uint32_t b, e;            // raw bytes of the content (fence lines excluded)
  std::string lang;         // as SegmentOut::lang
  const LanguageTables* L;  // nullptr: not itemized (unregistered, not allowed, or untagged non-code)
  TreePtr tree;             // set for every itemized segment once parse_segments returns true
  int32_t host = -1;        // an injection: the index of the host-only segment it lies in (inject_segments)
};

// Injections in a record's segments (inject.cc), in two steps.
// split_hosted, before parsing: a segment of a language with hosted text (PHP's inline HTML) is cut into pieces
// of its language and pieces of the host-only language; `itemized` gives a language as itemized here (nullptr:
// left out of --languages: the piece is unitemized code).
// inject_segments, after parsing: each host-only segment (HTML) is never itemized and is followed by its
// injected segments, parsed when `itemized` returns their language (else unitemized code). Segments stay in
// text order, each host followed by the injections inside it. false when the budget ran out.
void split_hosted(std::string_view text, const std::function<const LanguageTables*(const char*)>& itemized,
                  std::vector<ParsedSegment>& segs);
bool inject_segments(std::string_view text, const std::function<const LanguageTables*(const char*)>& itemized,
                     Budget& budget, std::vector<ParsedSegment>& segs);

// Segments of a record (find_fenced_blocks; untagged blocks detected among the allowed languages,
// which parses them) with every itemized one parsed: the whole tree-sitter share of
// analyze_structure, shared with parse_only. false when the budget ran out (segs then partial).
bool parse_segments(std::string_view text, const StructureOptions& opt, Budget& budget,
                    std::vector<ParsedSegment>& segs);

// The first step of analyze_structure and parse_only alike: NoCode for a text too long for 32-bit
// offsets, WorkBudget / WallTimeout when the work meter (started here for the record) stopped while
// parsing, else Ok with `segs` parsed.
RecordStatus parse_record(std::string_view text, const StructureOptions& opt, std::vector<ParsedSegment>& segs);

// WorkBudget or WallTimeout: why the meter stopped.
RecordStatus stop_status(const WorkMeter& meter);

// ---- Coding items and the ranges found with them (items.cc) ----

struct RawItem {
  uint32_t b, e;  // absolute raw bytes (node range; header: through the terminator)
  ItemKind kind;
  const char* type;
  TSNode node;  // the node whose leaves make the core ranges (limited to [b, e))
  int32_t segment;
  uint32_t flags;
};

using ByteRanges = std::vector<std::pair<uint32_t, uint32_t>>;

// Items of one segment's tree (root), appended to out in walk order (not sorted). base: the
// segment's first byte in text; seg: its index.
void extract_items(const Resolved& R, TSNode root, uint32_t base, int32_t seg, std::string_view text,
                   const CodePointMap& cpm, const StructureOptions& opt, std::vector<RawItem>& out);

// The same for brace languages (items_braced.cc; extract_items dispatches to it).
void extract_items_braced(const Resolved& R, TSNode root, uint32_t base, int32_t seg, std::string_view text,
                          const CodePointMap& cpm, const StructureOptions& opt, std::vector<RawItem>& out);

// Comments and docstrings of one tree (absolute bytes).
void collect_prose(const Resolved& R, TSNode root, uint32_t base, ByteRanges& out);

// ERROR ranges and MISSING points of one tree (absolute bytes).
void collect_errors(TSNode root, uint32_t base, ByteRanges& errs, std::vector<uint32_t>& missing);

// Core logic leaves of `node` inside [b, e) (absolute bytes), merged when adjacent.
void core_ranges(const Resolved& R, TSNode node, uint32_t base, uint32_t b, uint32_t e, ByteRanges& out);

// ---- Def-use (defuse.cc) ----

struct SegmentTree {
  TSNode root;
  uint32_t base;  // the segment's first byte in text
};

// Def-use edges (def item, use item) over one language's segments, in order, appended to edges
// (unsorted, may repeat). items: every item of the record, sorted by position.
// Python scoping (defuse.cc) or lexical binding (defuse_lexical.cc), by R.t->defuse.scoping.
void def_use_edges(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                   const std::vector<SegmentTree>& segments, std::vector<std::pair<int32_t, int32_t>>& edges);
void lexical_def_use_edges(const Resolved& R, std::string_view text, const std::vector<RawItem>& items,
                           const std::vector<SegmentTree>& segments, std::vector<std::pair<int32_t, int32_t>>& edges);

}  // namespace structure
}  // namespace codeblock
