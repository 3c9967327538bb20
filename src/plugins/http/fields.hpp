// The host object behind wasi:http `fields` (headers and trailers): an ordered multimap from
// lower-cased field names to byte values, with the validation and mutability rules of the WIT
// (names are tokens, values have no CR/LF/NUL, some names are forbidden, headers that belong to
// a request or response the guest received are immutable).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wasi/p2/table.hpp"

namespace kumo::plugins::http {

// wasi:http header-error (case indices as in the WIT).
enum class HeaderError : uint8_t { InvalidSyntax = 0, Forbidden = 1, Immutable = 2 };

using FieldList = std::vector<std::pair<std::string, std::string>>;  // values are bytes

bool valid_field_name(std::string_view name);
bool valid_field_value(std::string_view value);
// Hop-by-hop and framing fields the host owns (connection, transfer-encoding, ...).
bool forbidden_field(std::string_view lower_name);
std::string lower_ascii(std::string_view s);

class Fields : public wasi::p2::HostObject {
 public:
  Fields() = default;
  explicit Fields(FieldList list, bool immutable = false)
      : list_(std::move(list)), immutable_(immutable) {}
  // A handle onto another object's fields (outgoing-request.headers): reads and writes go to
  // `target`, shared, so the handle may outlive the request (handle() takes the request while
  // the guest still holds its headers).
  static Fields view_of(std::shared_ptr<Fields> target, bool immutable) {
    Fields f;
    f.target_ = std::move(target);
    f.immutable_ = immutable;
    return f;
  }

  // from-list: every entry validated; names lower-cased.
  static Expected<Fields, HeaderError> from_list(FieldList entries);

  std::vector<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const;
  Expected<void, HeaderError> set(std::string_view name, std::vector<std::string> values);
  Expected<void, HeaderError> remove(std::string_view name);
  Expected<void, HeaderError> append(std::string_view name, std::string value);
  const FieldList& entries() const { return target_ ? target_->list_ : list_; }
  bool immutable() const { return immutable_; }
  Fields clone() const { return Fields(entries(), false); }  // a clone is always mutable

 private:
  FieldList& data() { return target_ ? target_->list_ : list_; }
  Expected<std::string, HeaderError> check(std::string_view name) const;
  FieldList list_;
  std::shared_ptr<Fields> target_;
  bool immutable_ = false;
};

}  // namespace kumo::plugins::http
