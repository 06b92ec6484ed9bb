// The report's checks of the results it is given, and the page it writes, read as text.
#include "bench/html_report.hpp"
#include "sample_results.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using dynomite::cli::bench::write_html_report;
using dynomite::test::sample_results;

std::string refusal(const json::object& results)
{
    std::string html = "unchanged";
    std::string why;
    const auto ec = write_html_report(results, html, why);
    EXPECT_EQ(ec, make_error_code(dynomite::errc::invalid_argument)) << json::serialize(results);
    EXPECT_EQ(html, "unchanged");
    return why;
}

std::string page(const json::object& results)
{
    std::string html;
    std::string why;
    EXPECT_FALSE(write_html_report(results, html, why)) << why;
    return html;
}

// The text between `open` and the next "</script>", which ends a script element.
std::string script_text(const std::string& html, const std::string& open)
{
    const auto start = html.find(open);
    EXPECT_NE(start, std::string::npos) << open;
    const auto end = html.find("</script>", start);
    return html.substr(start + open.size(), end - start - open.size());
}

// Every field, at each level: where it lives, an object holding it, its name.
struct field_place {
    std::string path;
    json::object* holder;
    std::string key;
};

std::vector<field_place> every_field(json::object& results)
{
    std::vector<field_place> places;
    for (auto& [key, value] : results) {
        places.push_back({std::string(key), &results, std::string(key)});
    }
    for (std::string_view nested : {"environment", "summary"}) {
        for (auto& [key, value] : results[nested].as_object()) {
            places.push_back({std::string(nested) + "." + std::string(key),
                              &results[nested].as_object(), std::string(key)});
        }
    }
    for (std::string_view list : {"percentiles", "spectrum", "series"}) {
        json::object& second = results[list].as_array().at(1).as_object();
        for (auto& [key, value] : second) {
            places.push_back(
                {std::string(list) + "[1]." + std::string(key), &second, std::string(key)});
        }
    }
    return places;
}

TEST(HtmlReport, RefusesEachMissingField)
{
    const json::object valid = sample_results(4, 5);
    json::object probe = valid;
    const auto places = every_field(probe);
    ASSERT_EQ(places.size(), 8u + 11 + 8 + 2 + 3 + 7);
    for (const field_place& place : places) {
        json::object results = valid;
        auto copy = every_field(results);
        const auto it = std::find_if(copy.begin(), copy.end(),
                                     [&](const field_place& p) { return p.path == place.path; });
        it->holder->erase(it->key);
        EXPECT_EQ(refusal(results), "the results have no field \"" + place.path + "\"");
    }
}

TEST(HtmlReport, RefusesEachMistypedField)
{
    const json::object valid = sample_results(4, 5);
    json::object probe = valid;
    for (const field_place& place : every_field(probe)) {
        json::object results = valid;
        for (const field_place& p : every_field(results)) {
            if (p.path == place.path) {
                (*p.holder)[p.key] = true;  // of no type the format uses
            }
        }
        const std::string why = refusal(results);
        EXPECT_EQ(why.rfind("the results' field \"" + place.path + "\" must be ", 0), 0u) << why;
    }
}

TEST(HtmlReport, RefusesValuesOfTheRightTypeOutOfRange)
{
    auto refused = [](auto change) {
        json::object results = sample_results(4, 5);
        change(results);
        return refusal(results);
    };
    EXPECT_EQ(refused([](json::object& r) { r["format"] = "dynomite-bench/1"; }),
              "the results' field \"format\" is \"dynomite-bench/1\", not \"dynomite-bench/2\"");
    EXPECT_EQ(refused([](json::object& r) { r["command"].as_array().at(2) = 7; }),
              "the results' field \"command[2]\" must be a string");
    EXPECT_EQ(refused([](json::object& r) { r["series"].as_array().at(3) = 7; }),
              "the results' field \"series[3]\" must be an object");
    EXPECT_EQ(refused([](json::object& r) {
                  r["spectrum"].as_array().at(2).as_object()["percentile"] = 100.5;
              }),
              "the results' field \"spectrum[2].percentile\" must be between 0 and 100");
    EXPECT_EQ(refused([](json::object& r) {
                  r["percentiles"].as_array().at(0).as_object()["percentile"] = -1;
              }),
              "the results' field \"percentiles[0].percentile\" must be between 0 and 100");
    EXPECT_EQ(refused([](json::object& r) { r["summary"].as_object()["errors"] = -1; }),
              "the results' field \"summary.errors\" must be a non-negative integer");
    EXPECT_EQ(refused([](json::object& r) { r["summary"].as_object()["requests"] = 2.5; }),
              "the results' field \"summary.requests\" must be a non-negative integer");
    EXPECT_EQ(refused([](json::object& r) { r["environment"].as_object()["rate"] = "fast"; }),
              "the results' field \"environment.rate\" must be a number or null");
    EXPECT_EQ(refused([](json::object& r) { r["summary"].as_object()["duration_s"] = nullptr; }),
              "the results' field \"summary.duration_s\" must be a number");
}

TEST(HtmlReport, AcceptsAClosedLoopRunWithoutRateAndAnEmptyRun)
{
    json::object results = sample_results(0, 0);
    results["environment"].as_object()["rate"] = nullptr;
    results["environment"].as_object()["mode"] = "closed-loop";
    results["spectrum"].as_array().clear();
    const std::string html = page(results);
    EXPECT_NE(html.find("<tr><th>rate</th><td>none (closed loop)</td></tr>"), std::string::npos);
    EXPECT_NE(html.find("<h1>dynomite bench: a, closed-loop</h1>"), std::string::npos);
}

TEST(HtmlReport, EmbedsTheResultsSoThatAScriptElementCannotEndEarly)
{
    const json::object results = sample_results(30, 20);
    const std::string html = page(results);
    const std::string embedded = script_text(html, "<script type=\"application/json\" id=\"results\">");
    EXPECT_EQ(embedded.find('<'), std::string::npos);
    EXPECT_EQ(embedded.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(embedded.find("\xE2\x80\xA9"), std::string::npos);
    EXPECT_NE(embedded.find("bench\\u003c/script>\\u003c!--"), std::string::npos);
    EXPECT_NE(embedded.find("\\u2028\\u2029"), std::string::npos);
    // Read back by an independent parser: the results, less the histogram no chart draws.
    json::object expected = results;
    expected.erase("histogram");
    EXPECT_EQ(json::parse(embedded), json::value(expected));
    // Two script elements, each closed once: the data and the drawing script.
    std::size_t closes = 0;
    for (auto at = html.find("</script>"); at != std::string::npos;
         at = html.find("</script>", at + 1)) {
        ++closes;
    }
    EXPECT_EQ(closes, 2u);
}

TEST(HtmlReport, ShowsTheCommandAsAShellReadsItAndTheEnvironmentEscaped)
{
    json::object results = sample_results(3, 3);
    results["command"] = json::array{"dynomite", "bench", "--table", "it's", "", "a b",
                                     "--endpoint=http://h:1/x?y=1"};
    results["environment"].as_object()["workload"] = "<b>custom</b>";
    const std::string html = page(results);
    EXPECT_NE(html.find("<pre class=\"command\" id=\"command\">dynomite bench --table "
                        "&#39;it&#39;\\&#39;&#39;s&#39; &#39;&#39; &#39;a b&#39; "
                        "&#39;--endpoint=http://h:1/x?y=1&#39;</pre>"),
              std::string::npos)
        << html.substr(0, 3000);
    EXPECT_NE(html.find("<tr><th>workload</th><td>&lt;b&gt;custom&lt;/b&gt;</td></tr>"),
              std::string::npos);
    EXPECT_NE(html.find("<tr><th>endpoint_kind</th><td>local</td></tr>"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>layer</th><td>client</td></tr>"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>version</th><td>0.1.0</td></tr>"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>99.9</th><td>"), std::string::npos);
}

}  // namespace
