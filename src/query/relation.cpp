// Relations: building them, by conditions and options, each step a new relation.
#include "core/enum_text.hpp"
#include "query/relation_data.hpp"

#include <dynomite/expr/field_operator.hpp>
#include <dynomite/query/relation.hpp>

namespace dynomite {
namespace {

constexpr std::int32_t max_segments = 1000000;

}  // namespace

std::string_view to_string(scan_policy policy) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"allow", "warn", "error"};
    return detail::enum_name(policy, names, "unknown");
}

relation::relation(std::shared_ptr<const detail::relation_data> data) : data_(std::move(data)) {}

template <class Change>
relation relation::with(Change&& change) const
{
    auto copy = std::make_shared<detail::relation_data>(*data_);
    change(*copy);
    return relation(std::move(copy));
}

relation relation::keyed(join how, std::string_view key,
                         std::span<const attribute_value> values) const
{
    std::string why;
    field_operator parsed;
    const error_code parse_ec = parse_field_operator(key, parsed, &why);
    throw_on_error(parse_ec, why);
    condition c;
    const error_code ec = make_condition(parsed, values, c, &why);
    throw_on_error(ec, why);
    relation out = combine(how, c);
    if (key.find('.') != std::string_view::npos) {
        out = out.with([&](detail::relation_data& d) {
            d.key_readings.push_back(detail::describe_key_reading(key, parsed));
        });
    }
    return out;
}

relation relation::keyed(
    join how, std::initializer_list<std::pair<std::string_view, attribute_value>> fields) const
{
    // All of the fields, as one condition: or_() and not_() apply to them together.
    detail::relation_data fresh;
    fresh.db = data_->db;
    fresh.table = data_->table;
    relation all = detail::relation_access::make(std::move(fresh));
    for (const auto& [key, value] : fields) all = all.keyed(join::and_, key, std::span(&value, 1));
    relation out = combine(how, all.spec().where);
    const auto& readings = all.data_->key_readings;
    if (readings.empty()) return out;
    return out.with([&](detail::relation_data& d) {
        d.key_readings.insert(d.key_readings.end(), readings.begin(), readings.end());
    });
}

condition relation::field(std::string_view path, std::string_view op,
                          std::span<const attribute_value> values)
{
    std::string why;
    document_path parsed_path;
    const error_code parse_ec = document_path::parse(path, parsed_path, &why);
    throw_on_error(parse_ec, why);
    // The operator alone, after a one-name path: when it is not an operator, the parser takes
    // it for a longer path.
    const std::string probe_key = "x." + std::string(op);
    field_operator probe;
    if (parse_field_operator(probe_key, probe) || probe.path != document_path("x")) {
        throw error(errc::invalid_argument,
                    "unknown operator " + detail::quoted(op) + " for " + detail::quoted(path) +
                        ": expected eq, ne, lt, lte, gt, gte, in, between or begins_with, "
                        "possibly after \"not_\"");
    }
    const field_operator parsed{std::string(path) + "." + std::string(op), std::move(parsed_path),
                                probe.op, probe.negated};
    condition out;
    const error_code ec = make_condition(parsed, values, out, &why);
    throw_on_error(ec, why);
    return out;
}

relation relation::combine(join how, const condition& c) const
{
    if (c.empty()) return *this;
    return with([&](detail::relation_data& d) {
        switch (how) {
            case join::and_:
                d.branch = d.branch && c;
                break;
            case join::or_:
                d.alternatives = d.alternatives || d.branch;
                d.branch = c;
                break;
            case join::and_not:
                d.branch = d.branch && !c;
                break;
        }
        d.spec.where = d.scope && (d.alternatives || d.branch);
    });
}

relation relation::attribute_exists(const document_path& path) const
{
    return combine(join::and_, dynomite::attribute_exists(path));
}

relation relation::attribute_not_exists(const document_path& path) const
{
    return combine(join::and_, dynomite::attribute_not_exists(path));
}

relation relation::attribute_type(const document_path& path, attribute_value::kind type) const
{
    return combine(join::and_, dynomite::attribute_type(path, type));
}

relation relation::begins_with(const document_path& path, attribute_value prefix) const
{
    return combine(join::and_, dynomite::begins_with(path, std::move(prefix)));
}

relation relation::contains(const document_path& path, attribute_value value) const
{
    return combine(join::and_, dynomite::contains(path, std::move(value)));
}

relation relation::size_fn(std::string_view key, attribute_value value) const
{
    return size_fn(key, {std::move(value)});
}

relation relation::size_fn(std::string_view key,
                           std::initializer_list<attribute_value> values) const
{
    std::string why;
    field_operator parsed;
    const error_code parse_ec = parse_field_operator(key, parsed, &why);
    throw_on_error(parse_ec, why);
    condition c;
    const error_code ec =
        make_size_condition(parsed, std::span(values.begin(), values.size()), c, &why);
    throw_on_error(ec, why);
    return combine(join::and_, c);
}

relation relation::limit(std::int64_t n) const
{
    if (n < 0)
        throw error(errc::invalid_argument, "limit must not be negative, got " + std::to_string(n));
    return with([n](detail::relation_data& d) { d.spec.limit = n; });
}

relation relation::scan_index_forward(bool forward) const
{
    return with([forward](detail::relation_data& d) { d.spec.scan_forward = forward; });
}

relation relation::project(std::initializer_list<document_path> paths) const
{
    return project(std::vector<document_path>(paths));
}

relation relation::project(std::vector<document_path> paths) const
{
    return with([&](detail::relation_data& d) { d.spec.projection = std::move(paths); });
}

relation relation::consistent_read(bool on) const
{
    return with([on](detail::relation_data& d) { d.spec.consistent_read = on; });
}

relation relation::index_name(std::string name) const
{
    return with([&](detail::relation_data& d) { d.spec.index_name = std::move(name); });
}

relation relation::start_from(attribute_map key) const
{
    return with([&](detail::relation_data& d) {
        if (key.empty())
            d.spec.exclusive_start_key.reset();
        else
            d.spec.exclusive_start_key = std::move(key);
    });
}

relation relation::start_from(std::string_view cursor_string) const
{
    return start_from(decode_cursor(cursor_string));
}

relation relation::force_scan(bool on) const
{
    return with([on](detail::relation_data& d) { d.spec.force_scan = on; });
}

relation relation::with_scan_policy(dynomite::scan_policy policy) const
{
    return with([policy](detail::relation_data& d) { d.options.scan_policy = policy; });
}

relation relation::page_size(std::int32_t n) const
{
    if (n < 1)
        throw error(errc::invalid_argument,
                    "page_size must be at least 1, got " + std::to_string(n));
    return with([n](detail::relation_data& d) { d.spec.page_size = n; });
}

relation relation::read_ahead(std::size_t pages) const
{
    return with([pages](detail::relation_data& d) { d.options.read_ahead = pages; });
}

relation relation::segments(std::int32_t n) const
{
    if (n < 1 || n > max_segments) {
        throw error(errc::invalid_argument, "segments must be 1 to " +
                                                std::to_string(max_segments) + ", got " +
                                                std::to_string(n));
    }
    return with([n](detail::relation_data& d) { d.options.segments = n; });
}

const std::string& relation::table_name() const noexcept
{
    return data_->table;
}
boost::asio::any_io_executor relation::get_executor() const
{
    return data_->db->cl.get_executor();
}
const relation_spec& relation::spec() const noexcept
{
    return data_->spec;
}
const relation_options& relation::options() const noexcept
{
    return data_->options;
}

dynomite::cursor relation::cursor() const
{
    dynomite::cursor c(detail::make_cursor_state(data_));
    c.parallel_ = data_->options.segments > 1;
    c.key_ = data_->spec.exclusive_start_key;
    return c;
}

}  // namespace dynomite
