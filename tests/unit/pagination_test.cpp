// The paging state machine, cursor strings, and exact sums.
#include "query/decimal_sum.hpp"
#include "query/page_fetch.hpp"
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/query/pagination.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace dynomite {
namespace {

attribute_map key(std::string pk, std::string sk)
{
    return attribute_map{{"pk", attribute_value(std::move(pk))},
                         {"sk", attribute_value(std::move(sk))}};
}

attribute_map item(std::string pk, std::string sk, int value)
{
    auto out = key(std::move(pk), std::move(sk));
    out.set("value", value);
    return out;
}

std::vector<attribute_map> items(int first, int count)
{
    std::vector<attribute_map> out;
    for (int i = first; i < first + count; ++i)
        out.push_back(item("p", std::to_string(100 + i), i));
    return out;
}

pagination_options options_with(std::optional<std::int64_t> limit,
                                std::optional<std::int32_t> page_limit = std::nullopt,
                                bool filtered = false)
{
    pagination_options options;
    options.limit = limit;
    options.page_limit = page_limit;
    options.filtered = filtered;
    options.key_attributes = {"pk", "sk"};
    return options;
}

// --- Following LastEvaluatedKey -------------------------------------------------------------

TEST(Pagination, follows_last_evaluated_key_until_there_is_none)
{
    pagination pages(options_with(std::nullopt, 3));
    EXPECT_FALSE(pages.done());
    EXPECT_FALSE(pages.next_start_key().has_value());
    EXPECT_EQ(pages.next_limit(), 3);
    EXPECT_FALSE(pages.remaining().has_value());

    auto page = items(0, 3);
    pages.on_page(page, key("p", "102"));
    EXPECT_EQ(page.size(), 3u);
    EXPECT_FALSE(pages.done());
    EXPECT_EQ(pages.next_start_key(), key("p", "102"));
    EXPECT_EQ(pages.resume_key(), key("p", "102"));

    page = items(3, 2);
    pages.on_page(page, std::nullopt);
    EXPECT_TRUE(pages.done());
    EXPECT_TRUE(pages.exhausted());
    EXPECT_FALSE(pages.resume_key().has_value());
    EXPECT_EQ(pages.yielded(), 5);
    EXPECT_EQ(pages.pages(), 2);
    EXPECT_TRUE(pages.resumable());
}

TEST(Pagination, empty_pages_with_a_key_move_on)
{
    pagination pages(options_with(std::nullopt));
    std::vector<attribute_map> empty;
    pages.on_page(empty, key("p", "500"));
    EXPECT_FALSE(pages.done());
    EXPECT_EQ(pages.next_start_key(), key("p", "500"));
    EXPECT_EQ(pages.yielded(), 0);
}

TEST(Pagination, starts_from_the_start_key)
{
    auto options = options_with(std::nullopt);
    options.start_key = key("p", "050");
    pagination pages(options);
    EXPECT_EQ(pages.next_start_key(), key("p", "050"));
    EXPECT_EQ(pages.resume_key(), key("p", "050"));

    query_request query;
    pages.prepare(query);
    EXPECT_EQ(query.exclusive_start_key, key("p", "050"));
    scan_request scan;
    pages.prepare(scan);
    EXPECT_EQ(scan.exclusive_start_key, key("p", "050"));
}

TEST(Pagination, the_empty_start_key_is_the_beginning)
{
    auto options = options_with(std::nullopt);
    options.start_key = attribute_map{};
    pagination pages(options);
    EXPECT_FALSE(pages.next_start_key().has_value());
    scan_request scan;
    scan.exclusive_start_key = key("x", "y");
    pages.prepare(scan);
    EXPECT_FALSE(scan.exclusive_start_key.has_value());
}

// --- Limits ------------------------------------------------------------------------------------

TEST(Pagination, trims_the_page_that_passes_the_limit_and_resumes_after_its_last_kept_item)
{
    pagination pages(options_with(5, 3));
    auto page = items(0, 3);
    pages.on_page(page, key("p", "102"));
    EXPECT_EQ(pages.remaining(), 2);
    EXPECT_FALSE(pages.done());

    page = items(3, 3);
    pages.on_page(page, key("p", "105"));
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page.back(), item("p", "104", 4));
    EXPECT_TRUE(pages.done());
    EXPECT_FALSE(pages.exhausted());
    EXPECT_EQ(pages.remaining(), 0);
    EXPECT_EQ(pages.yielded(), 5);
    // Not the page's LastEvaluatedKey, which would skip item 105.
    EXPECT_EQ(pages.resume_key(), key("p", "104"));
}

TEST(Pagination, a_limit_reached_at_a_page_end_resumes_at_the_last_evaluated_key)
{
    pagination pages(options_with(3));
    auto page = items(0, 3);
    pages.on_page(page, key("p", "102"));
    EXPECT_EQ(page.size(), 3u);
    EXPECT_TRUE(pages.done());
    EXPECT_FALSE(pages.exhausted());
    EXPECT_EQ(pages.resume_key(), key("p", "102"));
}

TEST(Pagination, a_limit_of_zero_is_done_before_any_request)
{
    pagination pages(options_with(0, 10));
    EXPECT_TRUE(pages.done());
    EXPECT_FALSE(pages.exhausted());
    EXPECT_EQ(pages.remaining(), 0);
}

TEST(Pagination, a_page_after_the_limit_keeps_nothing_and_the_position)
{
    pagination pages(options_with(2));
    auto page = items(0, 2);
    pages.on_page(page, key("p", "101"));
    ASSERT_TRUE(pages.done());
    auto extra = items(2, 2);
    pages.on_page(extra, key("p", "103"));
    EXPECT_TRUE(extra.empty());
    EXPECT_EQ(pages.resume_key(), key("p", "101"));
    EXPECT_EQ(pages.yielded(), 2);
}

TEST(Pagination, without_a_filter_the_request_limit_shrinks_to_the_items_still_wanted)
{
    pagination pages(options_with(25, 10));
    EXPECT_EQ(pages.next_limit(), 10);
    auto page = items(0, 10);
    pages.on_page(page, key("p", "109"));
    page = items(10, 10);
    pages.on_page(page, key("p", "119"));
    EXPECT_EQ(pages.next_limit(), 5);

    query_request query;
    pages.prepare(query);
    EXPECT_EQ(query.limit, 5);
    EXPECT_EQ(query.exclusive_start_key, key("p", "119"));
}

TEST(Pagination, without_a_page_limit_the_request_limit_is_the_items_still_wanted)
{
    pagination pages(options_with(7));
    EXPECT_EQ(pages.next_limit(), 7);
    pagination unlimited(options_with(std::nullopt));
    EXPECT_FALSE(unlimited.next_limit().has_value());
}

TEST(Pagination, a_huge_limit_is_capped_to_what_dynamodb_takes)
{
    pagination pages(options_with(std::int64_t{1} << 40));
    EXPECT_EQ(pages.next_limit(), std::numeric_limits<std::int32_t>::max());
}

TEST(Pagination, with_a_filter_the_request_limit_stays_the_page_limit)
{
    // DynamoDB's Limit counts items before the filter: asking for 2 could return none.
    pagination pages(options_with(12, 10, true));
    auto page = items(0, 10);
    pages.on_page(page, key("p", "109"));
    EXPECT_EQ(pages.remaining(), 2);
    EXPECT_EQ(pages.next_limit(), 10);

    pagination no_page_limit(options_with(12, std::nullopt, true));
    EXPECT_FALSE(no_page_limit.next_limit().has_value());
}

TEST(Pagination, a_trimmed_page_without_key_attributes_is_not_resumable)
{
    pagination pages(options_with(1));
    std::vector<attribute_map> page{{{"title", "a"}}, {{"title", "b"}}};
    pages.on_page(page, key("p", "1"));
    ASSERT_EQ(page.size(), 1u);
    EXPECT_TRUE(pages.done());
    EXPECT_FALSE(pages.resume_key().has_value());
    std::string why;
    EXPECT_FALSE(pages.resumable(&why));
    EXPECT_NE(why.find("\"pk\""), std::string::npos) << why;
}

// --- Select=COUNT ------------------------------------------------------------------------------

TEST(Pagination, counts_add_up_over_pages)
{
    pagination pages(options_with(std::nullopt));
    EXPECT_EQ(pages.on_count(40, key("p", "1")), 40);
    EXPECT_FALSE(pages.done());
    EXPECT_EQ(pages.on_count(2, std::nullopt), 2);
    EXPECT_TRUE(pages.done());
    EXPECT_TRUE(pages.exhausted());
    EXPECT_EQ(pages.yielded(), 42);
}

TEST(Pagination, counts_stop_at_the_limit)
{
    pagination pages(options_with(50));
    EXPECT_EQ(pages.on_count(30, key("p", "1")), 30);
    EXPECT_EQ(pages.on_count(30, key("p", "2")), 20);
    EXPECT_TRUE(pages.done());
    EXPECT_FALSE(pages.exhausted());
    EXPECT_EQ(pages.yielded(), 50);
}

// --- key_of ------------------------------------------------------------------------------------

TEST(KeyOf, picks_the_key_attributes_in_order)
{
    attribute_map out;
    ASSERT_FALSE(key_of(item("a", "b", 3), {"sk", "pk"}, out));
    EXPECT_EQ(out, key("a", "b"));
    EXPECT_EQ(out.begin()->first, "sk");
}

TEST(KeyOf, names_the_missing_attribute_and_leaves_the_output)
{
    attribute_map out = key("untouched", "x");
    std::string why;
    EXPECT_EQ(key_of(item("a", "b", 3), {"pk", "gsk"}, out, &why), errc::invalid_argument);
    EXPECT_NE(why.find("\"gsk\""), std::string::npos) << why;
    EXPECT_EQ(out, key("untouched", "x"));
}

// --- Cursor strings ----------------------------------------------------------------------------

TEST(CursorString, round_trips_keys_of_every_key_type)
{
    const attribute_map keys[] = {
        key("p", "s"),
        attribute_map{{"id", 12345}, {"when", number("-1.5e-3")}},
        attribute_map{{"blob", to_bytes(std::string("\xff\xfe\x00\x01", 4))}},
        attribute_map{{"pk", "with \"quotes\", slashes / and unicode \xc3\xa9"}},
    };
    for (const auto& k : keys) {
        const std::string text = encode_cursor(k);
        EXPECT_EQ(text.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos)
            << text;
        attribute_map back;
        std::string why;
        ASSERT_FALSE(decode_cursor(text, back, &why)) << why;
        EXPECT_EQ(back, k);
        EXPECT_EQ(decode_cursor(text), k);
    }
}

TEST(CursorString, uses_the_url_safe_alphabet_without_padding)
{
    // "?>?" in a value makes standard base64 produce '+' and '/'.
    std::string value;
    for (int i = 0; i < 30; ++i) value += "?>~";
    const std::string text = encode_cursor(attribute_map{{"pk", value}});
    EXPECT_NE(text.find_first_of("-_"), std::string::npos) << text;
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
    EXPECT_EQ(decode_cursor(text), (attribute_map{{"pk", value}}));
}

TEST(CursorString, the_beginning_is_the_empty_key)
{
    const std::string text = encode_cursor(attribute_map{});
    EXPECT_EQ(text, "e30");  // "{}"
    EXPECT_TRUE(decode_cursor(text).empty());
}

std::string decode_failure(std::string_view text)
{
    attribute_map out = key("untouched", "x");
    std::string why;
    EXPECT_EQ(decode_cursor(text, out, &why), errc::invalid_argument) << text;
    EXPECT_EQ(out, key("untouched", "x")) << "changed on failure";
    EXPECT_EQ(why.rfind("invalid cursor string: ", 0), 0u) << why;
    return why;
}

std::string base64url(std::string_view json)
{
    std::string text = base64_encode(json);
    while (!text.empty() && text.back() == '=') text.pop_back();
    for (char& c : text) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return text;
}

TEST(CursorString, refuses_what_is_not_a_cursor)
{
    EXPECT_NE(decode_failure("").find("empty"), std::string::npos);
    EXPECT_NE(decode_failure(std::string(max_cursor_length + 1, 'A')).find("allowed"),
              std::string::npos);
    EXPECT_NE(decode_failure("e30=").find("position 3"), std::string::npos);
    EXPECT_NE(decode_failure("ab+c").find("position 2"), std::string::npos);
    EXPECT_NE(decode_failure("ab c").find("base64url"), std::string::npos);
    EXPECT_NE(decode_failure("abcde").find("length"), std::string::npos);
    EXPECT_NE(decode_failure(base64url("{\"pk\":")).find("JSON"), std::string::npos);
    EXPECT_NE(decode_failure(base64url("[1,2]")).find("object"), std::string::npos);
    const std::string bad_value = decode_failure(base64url(R"({"pk":{"X":"1"}})"));
    EXPECT_NE(bad_value.find("pk"), std::string::npos) << bad_value;
    EXPECT_NE(decode_failure(base64url(R"({"pk":{"N":"12x"}})")).find("pk"), std::string::npos);
}

TEST(CursorString, the_throwing_form_throws_the_same_error)
{
    try {
        decode_cursor("not a cursor");
        ADD_FAILURE() << "no exception";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(e.diag().message.find("position 3"), std::string::npos) << e.diag().message;
    }
}

// --- Exact sums --------------------------------------------------------------------------------

std::string sum_of(std::initializer_list<const char*> terms)
{
    detail::decimal_sum sum;
    for (const char* t : terms) sum.add(number(t));
    number total;
    std::string why;
    EXPECT_FALSE(sum.total(total, &why)) << why;
    return total.text();
}

std::string mean_of(std::initializer_list<const char*> terms)
{
    detail::decimal_sum sum;
    for (const char* t : terms) sum.add(number(t));
    number mean;
    std::string why;
    EXPECT_FALSE(sum.mean(mean, &why)) << why;
    return mean.text();
}

TEST(DecimalSum, adds_exactly)
{
    EXPECT_EQ(sum_of({}), "0");
    EXPECT_EQ(sum_of({"0.1", "0.2"}), "0.3");
    EXPECT_EQ(sum_of({"1E+2", "1", "0.01"}), "101.01");
    EXPECT_EQ(sum_of({"99999999999999999999999999999999999999", "-1"}),
              "99999999999999999999999999999999999998");
    EXPECT_EQ(sum_of({"5", "-5", "0", "-0"}), "0");
    EXPECT_EQ(sum_of({"-2.5", "1"}), "-1.5");
    EXPECT_EQ(sum_of({"1e-130", "1e-130"}), "2E-130");
    EXPECT_EQ(sum_of({"9.5e100", "5e99"}), "1E101");
}

TEST(DecimalSum, counts_every_term)
{
    detail::decimal_sum sum;
    sum.add(number("0"));
    sum.add(number("3"));
    EXPECT_EQ(sum.count(), 2);
}

TEST(DecimalSum, refuses_a_sum_beyond_38_digits)
{
    detail::decimal_sum sum;
    sum.add(number("1e20"));
    sum.add(number("1e-20"));
    number total("7");
    std::string why;
    EXPECT_EQ(sum.total(total, &why), errc::number_precision_loss);
    EXPECT_NE(why.find("41 significant digits"), std::string::npos) << why;
    EXPECT_EQ(total.text(), "7");
}

TEST(DecimalSum, refuses_a_sum_beyond_the_range)
{
    detail::decimal_sum sum;
    sum.add(number("9.9e125"));
    sum.add(number("9.9e125"));
    number total;
    std::string why;
    EXPECT_EQ(sum.total(total, &why), errc::number_out_of_range);
    EXPECT_NE(why.find("range"), std::string::npos) << why;
}

TEST(DecimalSum, means_round_half_away_from_zero_to_38_digits)
{
    EXPECT_EQ(mean_of({"1", "2"}), "1.5");
    EXPECT_EQ(mean_of({"7"}), "7");
    EXPECT_EQ(mean_of({"-1", "-2"}), "-1.5");
    EXPECT_EQ(mean_of({"1", "0", "0"}), "0.33333333333333333333333333333333333333");
    EXPECT_EQ(mean_of({"2", "0", "0"}), "0.66666666666666666666666666666666666667");
    EXPECT_EQ(mean_of({"-2", "0", "0"}), "-0.66666666666666666666666666666666666667");
    EXPECT_EQ(mean_of({"5", "-5"}), "0");
    EXPECT_EQ(mean_of({"1e100", "1e100"}), "1E100");
}

TEST(DecimalSum, a_mean_rounding_up_carries)
{
    // Half of 1.99...9 (38 nines) is 0.99...95 (38 nines, then 5): it rounds up to 1.
    detail::decimal_sum sum;
    sum.add(number("1"));
    sum.add(number("0.99999999999999999999999999999999999999"));
    number mean;
    ASSERT_FALSE(sum.mean(mean));
    EXPECT_EQ(mean.text(), "1");
}

TEST(DecimalSum, the_mean_of_nothing_is_an_error)
{
    detail::decimal_sum sum;
    number mean;
    std::string why;
    EXPECT_EQ(sum.mean(mean, &why), errc::invalid_argument);
    EXPECT_FALSE(why.empty());
}

TEST(DecimalSum, refuses_a_mean_beyond_the_range)
{
    detail::decimal_sum sum;
    sum.add(number("1e-130"));
    sum.add(number("0"));
    sum.add(number("0"));
    number mean;
    std::string why;
    EXPECT_EQ(sum.mean(mean, &why), errc::number_out_of_range);
    EXPECT_NE(why.find("mean"), std::string::npos) << why;
}

// --- One page of a plan ---------------------------------------------------------------------

TEST(PageFetch, the_next_request_carries_the_position_and_limit_and_leaves_the_plan_alone)
{
    query_request planned;
    planned.table_name = "T";
    planned.key_condition_expression = "#k = :k";
    planned.limit = 10;
    pagination pages(options_with(4, 10));
    std::vector<attribute_map> page = items(0, 3);
    pages.on_page(page, key("p", "102"));

    const auto next = detail::next_page_request(detail::page_request(planned), pages);
    const auto& query = std::get<query_request>(next);
    EXPECT_EQ(query.key_condition_expression, "#k = :k");
    EXPECT_EQ(query.exclusive_start_key, key("p", "102"));
    EXPECT_EQ(query.limit, 1) << "one item is still wanted and no filter applies";
    EXPECT_FALSE(planned.exclusive_start_key.has_value());

    scan_request scan;
    scan.table_name = "T";
    scan.segment = 1;
    scan.total_segments = 2;
    const auto first = detail::next_page_request(detail::page_request(scan), pagination());
    EXPECT_FALSE(std::get<scan_request>(first).exclusive_start_key.has_value());
    EXPECT_EQ(std::get<scan_request>(first).segment, 1);
}

TEST(PageFetch, a_page_keeps_the_items_the_residual_accepts_up_to_the_limit_without_its_own_attributes)
{
    query_plan plan;
    plan.residual = gt(document_path("value"), attribute_value(0));
    plan.residual_only_attributes = {"value"};
    pagination pages(options_with(2));
    page_response response;
    response.items = items(0, 4);  // values 0, 1, 2, 3: the first fails the residual
    response.last_evaluated_key = key("p", "103");

    const std::vector<attribute_map> kept = detail::take_page_items(plan, pages, response);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0], key("p", "101"));
    EXPECT_EQ(kept[1], key("p", "102"));
    EXPECT_TRUE(pages.done());
    EXPECT_EQ(pages.resume_key(), key("p", "102")) << "after the last item kept, not the page";
}

TEST(PageFetch, counting_takes_select_count_or_the_items_the_residual_accepts)
{
    query_plan plain;
    pagination plain_pages(options_with(5));
    page_response counted;
    counted.count = 7;
    counted.last_evaluated_key = key("p", "106");
    EXPECT_EQ(detail::take_page_count(plain, plain_pages, counted), 5) << "within the limit";
    EXPECT_TRUE(plain_pages.done());

    query_plan residual;
    residual.residual = gt(document_path("value"), attribute_value(1));
    pagination residual_pages(options_with(std::nullopt));
    page_response read;
    read.items = items(0, 4);
    EXPECT_EQ(detail::take_page_count(residual, residual_pages, read), 2);
    EXPECT_TRUE(residual_pages.exhausted());
}

}  // namespace
}  // namespace dynomite
