// wasi:http/types: fields, method and scheme values.
#include "plugins/http/vals.hpp"

namespace kumo::plugins::http {

static constexpr std::string_view kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};

Val method_val(std::string_view m) {
  for (uint32_t i = 0; i < 9; i++)
    if (kMethods[i] == m) return Val::variant(i);
  return Val::variant(9, Val::string(std::string(m)));
}

std::string method_name(const Val& v) {
  if (v.index < 9) return std::string(kMethods[v.index]);
  return v.has_payload() ? v.payload().str : std::string();
}

bool valid_method(const Val& v) { return v.index < 9 || valid_field_name(method_name(v)); }

Val scheme_val(std::string_view s) {
  if (s == "http") return Val::variant(0);
  if (s == "https") return Val::variant(1);
  return Val::variant(2, Val::string(std::string(s)));
}

static Val entries_val(const FieldList& list) {
  std::vector<Val> items;
  items.reserve(list.size());
  for (const auto& [n, v] : list) items.push_back(Val::tuple({Val::string(n), bytes_val(v)}));
  return Val::list(std::move(items));
}

static Val unit_result(Expected<void, HeaderError> r) {
  return r ? Val::ok() : header_error(r.error());
}

void add_fields(rt::LinkerInstance& li, const p2::WasiTypes&, const WasiHttpTypes& t) {
  rt::ResourceType* fields = t.fields.get();

  li.func(
      "[constructor]fields", KUMO_HTTP_FN {
        (void)p;
        out.push_back(own_val(fields, table_of(call).push(std::make_unique<Fields>())));
        return {};
      });
  li.func(
      "[static]fields.from-list", KUMO_HTTP_FN {
        FieldList list;
        list.reserve(p[0].items.size());
        for (const Val& e : p[0].items)
          list.emplace_back(e.items[0].str, val_string_bytes(e.items[1]));
        auto f = Fields::from_list(std::move(list));
        if (!f)
          out.push_back(header_error(f.error()));
        else
          out.push_back(Val::ok(
              own_val(fields, table_of(call).push(std::make_unique<Fields>(std::move(*f))))));
        return {};
      });
  li.func(
      "[method]fields.get", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        std::vector<Val> items;
        for (const auto& v : f->get(p[1].str)) items.push_back(bytes_val(v));
        out.push_back(Val::list(std::move(items)));
        return {};
      });
  li.func(
      "[method]fields.has", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        out.push_back(Val::boolean(f->has(p[1].str)));
        return {};
      });
  li.func(
      "[method]fields.set", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        std::vector<std::string> values;
        for (const Val& v : p[2].items) values.push_back(val_string_bytes(v));
        out.push_back(unit_result(f->set(p[1].str, std::move(values))));
        return {};
      });
  li.func(
      "[method]fields.delete", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        out.push_back(unit_result(f->remove(p[1].str)));
        return {};
      });
  li.func(
      "[method]fields.append", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        out.push_back(unit_result(f->append(p[1].str, val_string_bytes(p[2]))));
        return {};
      });
  li.func(
      "[method]fields.entries", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        out.push_back(entries_val(f->entries()));
        return {};
      });
  li.func(
      "[method]fields.clone", KUMO_HTTP_FN {
        KUMO_TRY(Fields * f, p2::self<Fields>(call, p[0], "fields"));
        out.push_back(own_val(fields, table_of(call).push(std::make_unique<Fields>(f->clone()))));
        return {};
      });
}

}  // namespace kumo::plugins::http
