#include "wit/parser.hpp"

#include "wit/lexer.hpp"

namespace kumo::wit {

namespace {

using namespace ast;

// Namespace and package names are plain lowercase words (`words` in the component model's
// interface-name grammar), stricter than labels.
bool is_lowercase_words(std::string_view s) {
  if (!is_valid_label(s)) return false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

bool is_typedef_start(Tok k) {
  return k == Tok::KwType || k == Tok::KwRecord || k == Tok::KwVariant || k == Tok::KwEnum || k == Tok::KwFlags ||
         k == Tok::KwResource;
}

class Parser {
 public:
  Parser(const SourceMap& sources, std::vector<Token> toks) : src_(sources), toks_(std::move(toks)) {}

  Expected<File> parse_file(uint32_t file) {
    File f;
    f.file = file;
    f.decls.file = file;
    bool first = true;
    while (!at(Tok::Eof)) {
      if (at(Tok::KwPackage)) {
        std::string docs = peek().docs;
        Span kw = next().span;
        KUMO_TRY(PackageName name, parse_package_name());
        if (eat(Tok::Semicolon)) {
          if (!first) {
            return fail(kw, "the `package` declaration must come before any other item in the file");
          }
          f.package = std::move(name);
          f.package_docs = std::move(docs);
        } else {
          KUMO_CHECK(expect(Tok::LBrace, "`;` or `{` after the package name"));
          NestedPackage nested{std::move(docs), std::move(name), DeclList{file, {}}};
          while (!eat(Tok::RBrace)) {
            if (at(Tok::KwPackage)) return fail(peek().span, "package blocks cannot be nested");
            if (at(Tok::Eof)) return fail(peek().span, "expected `}` to close the package block");
            KUMO_TRY(PackageItem item, parse_package_item());
            nested.decls.items.push_back(std::move(item));
          }
          f.nested.push_back(std::move(nested));
        }
      } else {
        KUMO_TRY(PackageItem item, parse_package_item());
        f.decls.items.push_back(std::move(item));
      }
      first = false;
    }
    return f;
  }

 private:
  // ---- token helpers ----
  const Token& peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  bool at(Tok k) const { return peek().kind == k; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool eat(Tok k) {
    if (!at(k)) return false;
    next();
    return true;
  }
  Span prev_span() const { return toks_[pos_ > 0 ? pos_ - 1 : 0].span; }
  Unexpected<Error> fail(Span s, std::string_view msg) const { return Unexpected<Error>{Error{src_.format(s, msg)}}; }
  Unexpected<Error> unexpected(std::string_view wanted) const {
    return fail(peek().span, fmt::format("expected {}, found {}", wanted, describe(peek())));
  }
  Expected<Span> expect(Tok k, std::string_view wanted = {}) {
    if (!at(k)) return unexpected(wanted.empty() ? describe(k) : std::string(wanted));
    return next().span;
  }
  Expected<Id> expect_id(std::string_view what = "an identifier") {
    if (!at(Tok::Id)) {
      if (peek().kind >= Tok::KwAs) {
        return fail(peek().span, fmt::format("expected {}, found {} (write `%{}` to use a keyword as a name)", what,
                                             describe(peek()), src_.slice(peek().span)));
      }
      return unexpected(what);
    }
    const Token& t = next();
    return Id{t.text, t.span};
  }
  static bool adjacent(const Token& a, const Token& b) { return a.span.end == b.span.begin; }

  // ---- names and versions ----
  Expected<Version> parse_version() {
    if (!at(Tok::Number)) return unexpected("a semantic version such as `1.0.0`");
    const Token& t = next();
    auto v = Version::parse(t.text);
    if (!v) return fail(t.span, fmt::format("`{}` is not a valid semantic version", t.text));
    return *v;
  }

  Expected<Id> parse_package_word(std::string_view what) {
    KUMO_TRY(Id id, expect_id(what));
    if (!is_lowercase_words(id.name)) {
      return fail(id.span, fmt::format("`{}` is not a valid {}: use lowercase kebab-case words", id.name, what));
    }
    return id;
  }

  // `ns:name@version` (package headers; nested namespaces are not supported).
  Expected<PackageName> parse_package_name() {
    PackageName p;
    KUMO_TRY(p.ns, parse_package_word("package namespace"));
    KUMO_CHECK(expect(Tok::Colon, "`:` between the package namespace and name"));
    KUMO_TRY(p.name, parse_package_word("package name"));
    if (at(Tok::Colon) || at(Tok::Slash)) {
      return fail(peek().span, "nested namespaces and packages (`a:b:c`, `a:b/c` in package names) are not supported");
    }
    if (eat(Tok::At)) {
      KUMO_TRY(p.version, parse_version());
    }
    p.span = cover(p.ns.span, prev_span());
    return p;
  }

  // `id` or `ns:pkg/id@version`.
  Expected<UsePath> parse_use_path() {
    UsePath u;
    KUMO_TRY(Id first, expect_id("an interface or world name"));
    if (!at(Tok::Colon)) {
      u.name = std::move(first);
      u.span = u.name.span;
      return u;
    }
    PackageName p;
    if (!is_lowercase_words(first.name)) {
      return fail(first.span, fmt::format("`{}` is not a valid package namespace: use lowercase kebab-case words", first.name));
    }
    p.ns = std::move(first);
    next();
    KUMO_TRY(p.name, parse_package_word("package name"));
    if (at(Tok::Colon)) return fail(peek().span, "nested namespaces (`a:b:c/d`) are not supported");
    if (!at(Tok::Slash)) {
      return fail(peek().span, fmt::format("expected `/` and an interface or world name after package `{}:{}`, found {}",
                                           p.ns.name, p.name.name, describe(peek())));
    }
    next();
    KUMO_TRY(u.name, expect_id("an interface or world name"));
    if (at(Tok::Slash)) return fail(peek().span, "nested packages (`a:b/c/d`) are not supported");
    if (eat(Tok::At)) {
      KUMO_TRY(p.version, parse_version());
    }
    p.span = cover(p.ns.span, prev_span());
    u.span = p.span;
    u.package = std::move(p);
    return u;
  }

  // ---- gates ----
  Expected<Attrs> parse_attrs() {
    Attrs a;
    a.docs = peek().docs;
    bool deprecated_seen = false;
    while (at(Tok::At)) {
      Span at_span = next().span;
      KUMO_TRY(Id kind, expect_id("`since`, `unstable`, `deprecated` or `external-id`"));
      Span gate_span = cover(at_span, kind.span);
      KUMO_CHECK(expect(Tok::LParen));
      if (kind.name == "external-id") {
        if (a.external_id) return fail(gate_span, "duplicate `@external-id`");
        if (!at(Tok::String)) return unexpected("a string literal");
        a.external_id = next().text;
      } else if (kind.name == "since" || kind.name == "deprecated") {
        bool since = kind.name == "since";
        if (since ? a.gate.kind != Gate::Kind::None : deprecated_seen) {
          return fail(gate_span, since && a.gate.kind == Gate::Kind::Unstable
                                     ? "an item cannot be both `@since` and `@unstable`"
                                     : fmt::format("duplicate `@{}` gate", kind.name));
        }
        KUMO_CHECK(expect_field("version"));
        KUMO_TRY(Version v, parse_version());
        if (since) {
          a.gate.kind = Gate::Kind::Since;
          a.gate.since = std::move(v);
          // Early WASI 0.2 drafts wrote `@since(version = x, feature = y)`; accept and ignore it.
          if (eat(Tok::Comma)) {
            KUMO_CHECK(expect_field("feature"));
            KUMO_CHECK(expect_id("a feature name"));
          }
        } else {
          a.gate.deprecated = std::move(v);
          deprecated_seen = true;
        }
      } else if (kind.name == "unstable") {
        if (a.gate.kind != Gate::Kind::None) {
          return fail(gate_span, a.gate.kind == Gate::Kind::Since ? "an item cannot be both `@since` and `@unstable`"
                                                                  : "duplicate `@unstable` gate");
        }
        KUMO_CHECK(expect_field("feature"));
        a.gate.kind = Gate::Kind::Unstable;
        KUMO_TRY(a.gate.feature, expect_id("a feature name"));
      } else {
        return fail(kind.span, fmt::format("unknown attribute `@{}` (expected `@since`, `@unstable`, `@deprecated` or "
                                           "`@external-id`)", kind.name));
      }
      KUMO_CHECK(expect(Tok::RParen));
      if (kind.name != "external-id") a.gate.span = cover(a.gate.span.valid() ? a.gate.span : at_span, prev_span());
    }
    if (deprecated_seen && a.gate.kind == Gate::Kind::None) {
      return fail(a.gate.span, "`@deprecated` must be paired with `@since` or `@unstable`");
    }
    return a;
  }

  Expected<void> expect_field(std::string_view field) {
    if (!at(Tok::Id) || peek().text != field) return unexpected(fmt::format("`{}`", field));
    next();
    KUMO_CHECK(expect(Tok::Equals));
    return {};
  }

  // ---- top level ----
  Expected<PackageItem> parse_package_item() {
    KUMO_TRY(Attrs attrs, parse_attrs());
    if (at(Tok::KwInterface)) {
      KUMO_TRY(Interface i, parse_interface(std::move(attrs)));
      return PackageItem{std::move(i)};
    }
    if (at(Tok::KwWorld)) {
      KUMO_TRY(World w, parse_world(std::move(attrs)));
      return PackageItem{std::move(w)};
    }
    if (at(Tok::KwUse)) {
      TopUse u;
      u.attrs = std::move(attrs);
      Span start = next().span;
      KUMO_TRY(u.path, parse_use_path());
      if (eat(Tok::KwAs)) {
        KUMO_TRY(u.as, expect_id());
      }
      KUMO_CHECK(expect(Tok::Semicolon));
      u.span = cover(start, prev_span());
      return PackageItem{std::move(u)};
    }
    if (at(Tok::KwPackage)) return fail(peek().span, "`package` cannot be gated or annotated");
    return unexpected("`interface`, `world`, `use` or `package`");
  }

  Expected<Interface> parse_interface(Attrs attrs) {
    Interface i;
    i.attrs = std::move(attrs);
    Span start = next().span;
    KUMO_TRY(i.name, expect_id("an interface name"));
    KUMO_CHECK(parse_interface_body(i.items));
    i.span = cover(start, prev_span());
    return i;
  }

  Expected<void> parse_interface_body(std::vector<InterfaceItem>& items) {
    KUMO_CHECK(expect(Tok::LBrace));
    while (!eat(Tok::RBrace)) {
      KUMO_TRY(Attrs attrs, parse_attrs());
      if (at(Tok::KwUse)) {
        KUMO_TRY(Use u, parse_use(std::move(attrs)));
        items.emplace_back(std::move(u));
      } else if (is_typedef_start(peek().kind) && peek(1).kind != Tok::Colon) {
        KUMO_TRY(TypeDef t, parse_typedef(std::move(attrs)));
        items.emplace_back(std::move(t));
      } else if (at(Tok::Id) || (peek().kind >= Tok::KwAs && peek(1).kind == Tok::Colon)) {
        Func f;
        f.attrs = std::move(attrs);
        KUMO_TRY(f.name, expect_id("a function name"));
        KUMO_CHECK(expect(Tok::Colon));
        KUMO_TRY(f.type, parse_func_type());
        KUMO_CHECK(expect(Tok::Semicolon));
        items.emplace_back(std::move(f));
      } else {
        return unexpected("`use`, a type definition, a function or `}`");
      }
    }
    return {};
  }

  Expected<Use> parse_use(Attrs attrs) {
    Use u;
    u.attrs = std::move(attrs);
    Span start = next().span;
    KUMO_TRY(u.path, parse_use_path());
    KUMO_CHECK(expect(Tok::Period, "`.{` after the interface name of a `use`"));
    KUMO_CHECK(expect(Tok::LBrace));
    do {
      if (at(Tok::RBrace)) break;  // `use x.{};` is accepted like wasm-tools does
      UseName n;
      KUMO_TRY(n.name, expect_id("a type name"));
      if (eat(Tok::KwAs)) {
        KUMO_TRY(n.as, expect_id());
      }
      u.names.push_back(std::move(n));
    } while (eat(Tok::Comma));
    KUMO_CHECK(expect(Tok::RBrace, "`,` or `}`"));
    KUMO_CHECK(expect(Tok::Semicolon));
    u.span = cover(start, prev_span());
    return u;
  }

  // ---- functions ----
  Expected<std::vector<Param>> parse_params() {
    KUMO_CHECK(expect(Tok::LParen));
    std::vector<Param> params;
    while (!eat(Tok::RParen)) {
      Param p;
      KUMO_TRY(p.name, expect_id("a parameter name"));
      KUMO_CHECK(expect(Tok::Colon));
      KUMO_TRY(p.type, parse_type());
      params.push_back(std::move(p));
      if (!eat(Tok::Comma)) {
        KUMO_CHECK(expect(Tok::RParen, "`,` or `)`"));
        break;
      }
    }
    return params;
  }

  Expected<void> parse_result(FuncType& f) {
    if (!eat(Tok::Arrow)) return {};
    if (at(Tok::LParen)) return fail(peek().span, "named or multiple results are not supported; return a tuple or record");
    KUMO_TRY(f.result, parse_type());
    return {};
  }

  Expected<FuncType> parse_func_type() {
    FuncType f;
    Span start = peek().span;
    f.async = eat(Tok::KwAsync);
    KUMO_CHECK(expect(Tok::KwFunc, f.async ? "`func` after `async`" : "`func`"));
    KUMO_TRY(f.params, parse_params());
    KUMO_CHECK(parse_result(f));
    f.span = cover(start, prev_span());
    return f;
  }

  // ---- type definitions ----
  Expected<TypeDef> parse_typedef(Attrs attrs) {
    TypeDef t;
    t.attrs = std::move(attrs);
    Tok kw = peek().kind;
    Span start = next().span;
    KUMO_TRY(t.name, expect_id("a type name"));
    switch (kw) {
      case Tok::KwType: {
        t.kind = TypeDef::Kind::Alias;
        KUMO_CHECK(expect(Tok::Equals));
        KUMO_TRY(t.alias, parse_type());
        KUMO_CHECK(expect(Tok::Semicolon));
        break;
      }
      case Tok::KwRecord:
        t.kind = TypeDef::Kind::Record;
        KUMO_CHECK(parse_braced_list([&]() -> Expected<void> {
          Field f;
          f.docs = peek().docs;
          KUMO_TRY(f.name, expect_id("a field name"));
          KUMO_CHECK(expect(Tok::Colon));
          KUMO_TRY(f.type, parse_type());
          t.fields.push_back(std::move(f));
          return {};
        }));
        break;
      case Tok::KwVariant:
      case Tok::KwEnum:
      case Tok::KwFlags: {
        t.kind = kw == Tok::KwVariant ? TypeDef::Kind::Variant : kw == Tok::KwEnum ? TypeDef::Kind::Enum : TypeDef::Kind::Flags;
        const char* what = kw == Tok::KwVariant ? "variant case" : kw == Tok::KwEnum ? "enum case" : "flag";
        KUMO_CHECK(parse_braced_list([&]() -> Expected<void> {
          Case c;
          c.docs = peek().docs;
          KUMO_TRY(c.name, expect_id(fmt::format("a {} name", what)));
          if (at(Tok::LParen)) {
            if (kw != Tok::KwVariant) {
              return fail(peek().span, fmt::format("{} cases cannot have payloads", kw == Tok::KwEnum ? "enum" : "flags"));
            }
            next();
            KUMO_TRY(c.type, parse_type());
            KUMO_CHECK(expect(Tok::RParen));
          }
          t.cases.push_back(std::move(c));
          return {};
        }));
        // Unlike empty records and flags (which wasm-tools accepts), a case-less enum or variant has
        // no values at all.
        if (t.cases.empty() && kw != Tok::KwFlags) {
          return fail(t.name.span, fmt::format("{} `{}` must have at least one case", kw == Tok::KwEnum ? "enum" : "variant",
                                               t.name.name));
        }
        break;
      }
      case Tok::KwResource:
        t.kind = TypeDef::Kind::Resource;
        if (!eat(Tok::Semicolon)) {
          KUMO_CHECK(expect(Tok::LBrace, "`;` or `{`"));
          while (!eat(Tok::RBrace)) {
            KUMO_TRY(ResourceFunc f, parse_resource_func());
            t.funcs.push_back(std::move(f));
          }
        }
        break;
      default:
        break;
    }
    t.span = cover(start, prev_span());
    return t;
  }

  // `{ item, item, }` with a trailing comma allowed. The grammar asks for at least one item but
  // wasm-tools accepts empty bodies (the component encoding rejects them later), and so do we.
  template <typename F>
  Expected<void> parse_braced_list(F&& item) {
    KUMO_CHECK(expect(Tok::LBrace));
    if (eat(Tok::RBrace)) return {};
    for (;;) {
      KUMO_CHECK(item());
      if (eat(Tok::RBrace)) return {};
      KUMO_CHECK(expect(Tok::Comma, "`,` or `}`"));
      if (eat(Tok::RBrace)) return {};
    }
  }

  Expected<ResourceFunc> parse_resource_func() {
    ResourceFunc f;
    KUMO_TRY(f.attrs, parse_attrs());
    if (at(Tok::KwConstructor)) {
      f.kind = ResourceFunc::Kind::Constructor;
      f.name = Id{"constructor", peek().span};
      f.type.span = next().span;
      KUMO_TRY(f.type.params, parse_params());
      KUMO_CHECK(parse_result(f.type));
      f.type.span = cover(f.type.span, prev_span());
    } else {
      KUMO_TRY(f.name, expect_id("a method name, `constructor` or `}`"));
      KUMO_CHECK(expect(Tok::Colon));
      if (eat(Tok::KwStatic)) f.kind = ResourceFunc::Kind::Static;
      KUMO_TRY(f.type, parse_func_type());
    }
    KUMO_CHECK(expect(Tok::Semicolon));
    return f;
  }

  // ---- types ----
  // Bounds recursion so that hostile input cannot exhaust the stack (wasm-tools uses the same limit).
  static constexpr int kMaxTypeDepth = 100;

  Expected<TypeExpr> parse_type() {
    if (type_depth_ >= kMaxTypeDepth) return fail(peek().span, "types are nested too deeply");
    ++type_depth_;
    auto result = parse_type_inner();
    --type_depth_;
    return result;
  }

  Expected<TypeExpr> parse_type_inner() {
    TypeExpr t;
    const Token& tok = peek();
    Span start = tok.span;
    auto prim = [&](TypeExprKind k) {
      next();
      t.kind = k;
    };
    auto open = [&]() { return expect(Tok::Less); };
    auto close = [&]() { return expect(Tok::Greater, "`>`"); };
    switch (tok.kind) {
      case Tok::KwBool: prim(TypeExprKind::Bool); break;
      case Tok::KwU8: prim(TypeExprKind::U8); break;
      case Tok::KwU16: prim(TypeExprKind::U16); break;
      case Tok::KwU32: prim(TypeExprKind::U32); break;
      case Tok::KwU64: prim(TypeExprKind::U64); break;
      case Tok::KwS8: prim(TypeExprKind::S8); break;
      case Tok::KwS16: prim(TypeExprKind::S16); break;
      case Tok::KwS32: prim(TypeExprKind::S32); break;
      case Tok::KwS64: prim(TypeExprKind::S64); break;
      case Tok::KwF32: prim(TypeExprKind::F32); break;
      case Tok::KwF64: prim(TypeExprKind::F64); break;
      case Tok::KwChar: prim(TypeExprKind::Char); break;
      case Tok::KwString: prim(TypeExprKind::String); break;
      case Tok::KwErrorContext: prim(TypeExprKind::ErrorContext); break;
      case Tok::Id:
        t.kind = TypeExprKind::Named;
        t.name = Id{tok.text, tok.span};
        next();
        break;
      case Tok::KwTuple:
        next();
        t.kind = TypeExprKind::Tuple;
        KUMO_CHECK(open());
        while (!at(Tok::Greater)) {  // `tuple<>` is accepted like wasm-tools does
          KUMO_TRY(TypeExpr e, parse_type());
          t.args.push_back(std::move(e));
          if (!eat(Tok::Comma) || at(Tok::Greater)) break;
        }
        KUMO_CHECK(close());
        break;
      case Tok::KwList: {
        next();
        t.kind = TypeExprKind::List;
        KUMO_CHECK(open());
        KUMO_TRY(TypeExpr e, parse_type());
        t.args.push_back(std::move(e));
        if (eat(Tok::Comma)) {
          const Token& n = peek();
          bool ok = n.kind == Tok::Number && n.text.find_first_not_of("0123456789") == std::string::npos &&
                    n.text[0] != '0' && n.text.size() <= 9;
          if (!ok) return unexpected("a list length (a positive integer)");
          t.fixed_size = static_cast<uint32_t>(std::stoul(n.text));
          next();
        }
        KUMO_CHECK(close());
        break;
      }
      case Tok::KwOption: {
        next();
        t.kind = TypeExprKind::Option;
        KUMO_CHECK(open());
        KUMO_TRY(TypeExpr e, parse_type());
        t.args.push_back(std::move(e));
        KUMO_CHECK(close());
        break;
      }
      case Tok::KwResult: {
        next();
        t.kind = TypeExprKind::Result;
        if (eat(Tok::Less)) {
          if (eat(Tok::Underscore)) {
            KUMO_CHECK(expect(Tok::Comma, "`,` and an error type after `_`"));
          } else {
            KUMO_TRY(TypeExpr ok, parse_type());
            t.args.push_back(std::move(ok));
            t.has_ok = true;
            if (!eat(Tok::Comma)) {
              KUMO_CHECK(close());
              break;
            }
          }
          KUMO_TRY(TypeExpr e, parse_type());
          t.args.push_back(std::move(e));
          t.has_err = true;
          KUMO_CHECK(close());
        }
        break;
      }
      case Tok::KwMap: {
        next();
        t.kind = TypeExprKind::Map;
        KUMO_CHECK(open());
        KUMO_TRY(TypeExpr k, parse_type());
        using K = TypeExprKind;
        bool key_ok = k.kind == K::Bool || k.kind == K::Char || k.kind == K::String ||
                      (k.kind >= K::U8 && k.kind <= K::S64);
        if (!key_ok) return fail(k.span, "map keys must be an integer, `char`, `bool` or `string` type");
        t.args.push_back(std::move(k));
        KUMO_CHECK(expect(Tok::Comma));
        KUMO_TRY(TypeExpr v, parse_type());
        t.args.push_back(std::move(v));
        KUMO_CHECK(close());
        break;
      }
      case Tok::KwBorrow:
      case Tok::KwOwn: {
        t.kind = next().kind == Tok::KwBorrow ? TypeExprKind::Borrow : TypeExprKind::Own;
        KUMO_CHECK(open());
        KUMO_TRY(t.name, expect_id("a resource name"));
        KUMO_CHECK(close());
        break;
      }
      case Tok::KwFuture:
      case Tok::KwStream: {
        t.kind = next().kind == Tok::KwFuture ? TypeExprKind::Future : TypeExprKind::Stream;
        if (eat(Tok::Less)) {
          KUMO_TRY(TypeExpr e, parse_type());
          t.args.push_back(std::move(e));
          KUMO_CHECK(close());
        }
        break;
      }
      default:
        return unexpected("a type");
    }
    t.span = cover(start, prev_span());
    return t;
  }

  // ---- worlds ----
  Expected<World> parse_world(Attrs attrs) {
    World w;
    w.attrs = std::move(attrs);
    Span start = next().span;
    KUMO_TRY(w.name, expect_id("a world name"));
    KUMO_CHECK(expect(Tok::LBrace));
    while (!eat(Tok::RBrace)) {
      KUMO_TRY(Attrs item_attrs, parse_attrs());
      if (at(Tok::KwImport) || at(Tok::KwExport)) {
        KUMO_TRY(Extern e, parse_extern(std::move(item_attrs)));
        w.items.emplace_back(std::move(e));
      } else if (at(Tok::KwUse)) {
        KUMO_TRY(Use u, parse_use(std::move(item_attrs)));
        w.items.emplace_back(std::move(u));
      } else if (is_typedef_start(peek().kind)) {
        KUMO_TRY(TypeDef t, parse_typedef(std::move(item_attrs)));
        w.items.emplace_back(std::move(t));
      } else if (at(Tok::KwInclude)) {
        KUMO_TRY(Include inc, parse_include(std::move(item_attrs)));
        w.items.emplace_back(std::move(inc));
      } else {
        return unexpected("`import`, `export`, `use`, `include`, a type definition or `}`");
      }
    }
    w.span = cover(start, prev_span());
    return w;
  }

  Expected<Extern> parse_extern(Attrs attrs) {
    Extern e;
    e.attrs = std::move(attrs);
    e.is_export = at(Tok::KwExport);
    Span start = next().span;
    // `a:b/c` (no spaces) is a package path, `a: b` is a label followed by its type; the spec
    // settles the ambiguity by treating `id:id` written without whitespace as one token.
    bool label = (at(Tok::Id) || peek().kind >= Tok::KwAs) && peek(1).kind == Tok::Colon &&
                 !(peek(2).kind == Tok::Id && adjacent(peek(), peek(1)) && adjacent(peek(1), peek(2)));
    if (!label) {
      e.kind = Extern::Kind::Path;
      KUMO_TRY(e.path, parse_use_path());
      KUMO_CHECK(expect(Tok::Semicolon));
    } else {
      KUMO_TRY(e.name, expect_id(e.is_export ? "an export name" : "an import name"));
      next();  // ':'
      if (at(Tok::KwFunc) || at(Tok::KwAsync)) {
        e.kind = Extern::Kind::Func;
        KUMO_TRY(e.func, parse_func_type());
        KUMO_CHECK(expect(Tok::Semicolon));
      } else if (at(Tok::KwInterface)) {
        e.kind = Extern::Kind::Interface;
        e.iface.span = next().span;
        KUMO_CHECK(parse_interface_body(e.iface.items));
        e.iface.span = cover(e.iface.span, prev_span());
        e.iface.attrs.docs = e.attrs.docs;
      } else if (at(Tok::Id)) {
        e.kind = Extern::Kind::NamedPath;
        KUMO_TRY(e.path, parse_use_path());
        KUMO_CHECK(expect(Tok::Semicolon));
      } else {
        return unexpected("`func`, `interface` or an interface path");
      }
    }
    e.span = cover(start, prev_span());
    return e;
  }

  Expected<Include> parse_include(Attrs attrs) {
    Include inc;
    inc.attrs = std::move(attrs);
    Span start = next().span;
    KUMO_TRY(inc.path, parse_use_path());
    if (eat(Tok::KwWith)) {
      KUMO_CHECK(expect(Tok::LBrace));
      do {
        if (at(Tok::RBrace) && !inc.with.empty()) break;
        IncludeName n;
        KUMO_TRY(n.name, expect_id("a name to rename"));
        KUMO_CHECK(expect(Tok::KwAs));
        KUMO_TRY(n.as, expect_id("the new name"));
        inc.with.push_back(std::move(n));
      } while (eat(Tok::Comma));
      KUMO_CHECK(expect(Tok::RBrace, "`,` or `}`"));
      eat(Tok::Semicolon);  // optional after the braces
    } else {
      KUMO_CHECK(expect(Tok::Semicolon, "`;` or `with`"));
    }
    inc.span = cover(start, prev_span());
    return inc;
  }

  const SourceMap& src_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int type_depth_ = 0;
};

}  // namespace

Expected<ast::File> parse_file(const SourceMap& sources, uint32_t file) {
  KUMO_TRY(std::vector<Token> toks, tokenize(sources, file));
  return Parser(sources, std::move(toks)).parse_file(file);
}

}  // namespace kumo::wit
