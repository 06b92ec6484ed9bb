// The report as headless Chromium draws it (one run for all the tests): a screenshot that is
// not blank and shows each series' colour, and a DOM whose charts hold one element per data
// point of the results.
// Skipped when /usr/bin/chromium (Debian's chromium, installed by scripts/setup) is absent.
#include "bench/html_report.hpp"
#include "sample_results.hpp"

#include <boost/beast/zlib/inflate_stream.hpp>
#include <boost/json/array.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const char* const chromium = "/usr/bin/chromium";

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The sample report as headless Chromium draws it: its DOM after the script ran and a
// screenshot, both from one Chromium run (starting Chromium takes most of the time) shared by
// the tests, in a folder of its own removed at the end.
class BrowserTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (!fs::exists(chromium)) return;
        dir_ = fs::temp_directory_path() /
               ("dynomite-report-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::create_directories(dir_);
    }
    static void TearDownTestSuite()
    {
        std::error_code ignored;
        if (!dir_.empty()) fs::remove_all(dir_, ignored);
    }
    void SetUp() override
    {
        if (!fs::exists(chromium)) {
            GTEST_SKIP() << chromium << " is missing: scripts/setup installs Debian's chromium";
        }
    }

    struct rendered {
        json::object results;
        std::string html;
        std::string dom;
        std::string png;
        std::string log;
        int status = 0;
    };

    // The sample of 300 seconds and 150 spectrum points, drawn once.
    static const rendered& sample_page();

    static fs::path dir_;
};

fs::path BrowserTest::dir_;

std::string report_of(const json::object& results);

const BrowserTest::rendered& BrowserTest::sample_page()
{
    static const rendered page = [] {
        rendered r;
        r.results = dynomite::test::sample_results(300, 150);
        r.html = report_of(r.results);
        const fs::path html = dir_ / "report.html", png = dir_ / "report.png";
        const fs::path out = dir_ / "stdout", log = dir_ / "stderr";
        std::ofstream(html, std::ios::binary) << r.html;
        // Its stderr (D-Bus complaints in a container) goes to a log shown on failure.
        const std::string command =
            std::string(chromium) + " --headless --disable-gpu --no-sandbox --user-data-dir=" +
            (dir_ / "profile").string() + " --dump-dom --screenshot=" + png.string() +
            " --window-size=1280,2000 file://" + html.string() + " >" + out.string() + " 2>" +
            log.string();
        const auto start = std::chrono::steady_clock::now();
        r.status = std::system(command.c_str());
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::printf("chromium: %.2f s\n", took.count());
        r.dom = read_file(out);
        r.png = read_file(png);
        r.log = command + "\n" + read_file(log);
        return r;
    }();
    return page;
}

std::string report_of(const json::object& results)
{
    std::string html, why;
    EXPECT_FALSE(dynomite::cli::bench::write_html_report(results, html, why)) << why;
    return html;
}

std::size_t occurrences(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++n;
    }
    return n;
}

// The data points of each series, as the page's script drew them.
std::map<std::string, std::size_t> points_by_series(const std::string& dom)
{
    std::map<std::string, std::size_t> points;
    const std::regex point(R"re(<(circle|rect) class="point" data-series="([a-z0-9]+)")re");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), point);
         it != std::sregex_iterator(); ++it) {
        ++points[(*it)[2]];
    }
    return points;
}

// The src and href attributes that name something on a network rather than in the page.
std::set<std::string> network_references(const std::string& dom)
{
    std::set<std::string> found;
    const std::regex reference(R"re(\b(src|href|action|srcset)\s*=\s*["']?\s*((https?:)?//[^"' >]*))re",
                               std::regex::icase);
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), reference);
         it != std::sregex_iterator(); ++it) {
        found.insert((*it)[2]);
    }
    return found;
}

struct rgb_image {
    std::uint32_t width = 0, height = 0;
    std::vector<std::array<std::uint8_t, 3>> pixels;
};

std::uint32_t big_endian(const std::string& s, std::size_t at)
{
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at])) << 24 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 1])) << 16 |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 2])) << 8 |
           static_cast<std::uint8_t>(s[at + 3]);
}

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes): the IDAT chunks
// inflated, each scanline unfiltered (PNG specification, section 9).
::testing::AssertionResult decode_png(const std::string& png, rgb_image& image)
{
    if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
        png.compare(12, 4, "IHDR") != 0) {
        return ::testing::AssertionFailure() << "not a PNG";
    }
    image.width = big_endian(png, 16);
    image.height = big_endian(png, 20);
    const int depth = png[24], colour = png[25], interlace = png[28];
    if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
        return ::testing::AssertionFailure() << "PNG of depth " << depth << ", colour type "
                                             << colour << ", interlace " << interlace;
    }
    const std::size_t channels = colour == 6 ? 4 : 3;
    std::string compressed;
    for (std::size_t at = 8; at + 12 <= png.size();) {
        const std::uint32_t length = big_endian(png, at);
        if (png.compare(at + 4, 4, "IDAT") == 0) {
            compressed += png.substr(at + 8, length);
        }
        at += 12 + length;
    }
    const std::size_t stride = image.width * channels;
    std::vector<std::uint8_t> raw(image.height * (stride + 1));
    boost::beast::zlib::inflate_stream inflater;
    boost::beast::zlib::z_params params;
    params.next_in = compressed.data() + 2;  // past the zlib header: the stream is raw deflate
    params.avail_in = compressed.size() - 2;
    params.next_out = raw.data();
    params.avail_out = raw.size();
    boost::system::error_code ec;
    inflater.write(params, boost::beast::zlib::Flush::finish, ec);
    if (params.avail_out != 0) {
        return ::testing::AssertionFailure() << "PNG data short by " << params.avail_out
                                             << " bytes: " << ec.message();
    }
    std::vector<std::uint8_t> previous(stride, 0), line(stride);
    for (std::uint32_t y = 0; y < image.height; ++y) {
        const std::uint8_t* row = raw.data() + y * (stride + 1);
        for (std::size_t i = 0; i < stride; ++i) {
            const int a = i >= channels ? line[i - channels] : 0, b = previous[i],
                      c = i >= channels ? previous[i - channels] : 0;
            const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b),
                      pc = std::abs(p - c);
            const int predictors[] = {0, a, b, (a + b) / 2,
                                      pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)};
            if (row[0] > 4) {
                return ::testing::AssertionFailure() << "PNG filter " << int(row[0]);
            }
            line[i] = static_cast<std::uint8_t>(row[1 + i] + predictors[row[0]]);
        }
        for (std::size_t x = 0; x < image.width; ++x) {
            image.pixels.push_back(
                {line[x * channels], line[x * channels + 1], line[x * channels + 2]});
        }
        std::swap(previous, line);
    }
    return ::testing::AssertionSuccess();
}

TEST(NetworkReferences, FindsLinksToTheNetwork)
{
    EXPECT_EQ(network_references(R"(<img src="https://cdn.example/x.png"><a href='//h/p'>)"),
              (std::set<std::string>{"https://cdn.example/x.png", "//h/p"}));
    EXPECT_TRUE(network_references(R"(<a href="#spectrum"><p>http://text</p>)").empty());
}

TEST_F(BrowserTest, DrawsEachChartWithOnePointPerSecondAndPerSpectrumPoint)
{
    const rendered& page = sample_page();
    ASSERT_EQ(page.status, 0) << page.log;
    const json::object& results = page.results;
    const std::string& html = page.html;
    const std::string& dom = page.dom;
    EXPECT_NE(dom.find("data-drawn=\"true\""), std::string::npos) << dom.substr(0, 2000);
    EXPECT_EQ(occurrences(dom, "<svg class=\"chart\""), 4u);
    for (const char* chart : {"throughput", "latency", "failures", "spectrum"}) {
        EXPECT_EQ(occurrences(dom, std::string("data-chart=\"") + chart + "\""), 1u) << chart;
    }
    const std::size_t seconds = results.at("series").as_array().size();
    const std::size_t spectrum = results.at("spectrum").as_array().size();
    EXPECT_EQ(points_by_series(dom),
              (std::map<std::string, std::size_t>{{"throughput", seconds},
                                                   {"p50", seconds},
                                                   {"p99", seconds},
                                                   {"errors", seconds},
                                                   {"throttles", seconds},
                                                   {"spectrum", spectrum}}));
    // Nothing to fetch, and a policy that would refuse any fetch.
    EXPECT_TRUE(network_references(dom).empty());
    EXPECT_TRUE(network_references(html).empty());
    EXPECT_NE(dom.find("content=\"default-src 'none';"), std::string::npos);
}

// The points counted come from the script's drawing: the page as written has none.
TEST(ReportPage, HasNoPointsUntilItsScriptRuns)
{
    const std::string html = report_of(dynomite::test::sample_results(30, 10));
    EXPECT_NE(html.find("<section id=\"spectrum\">"), std::string::npos);
    EXPECT_TRUE(points_by_series(html).empty());
    EXPECT_EQ(occurrences(html, "<svg class=\"chart\""), 0u);
}

TEST_F(BrowserTest, ScreenshotShowsEverySeriesColour)
{
    const rendered& page = sample_page();
    ASSERT_EQ(page.status, 0) << page.log;
    const std::string& bytes = page.png;
    std::printf("screenshot: %zu bytes\n", bytes.size());
    EXPECT_GT(bytes.size(), 20000u);
    rgb_image image;
    ASSERT_TRUE(decode_png(bytes, image));
    EXPECT_EQ(image.width, 1280u);
    EXPECT_EQ(image.height, 2000u);
    std::map<std::array<std::uint8_t, 3>, std::size_t> colours;
    for (const auto& pixel : image.pixels) {
        ++colours[pixel];
    }
    EXPECT_GT(colours.size(), 50u) << "a nearly blank page";
    // The colours the page's script gives the series (throughput, p50, p99 and errors,
    // throttles, spectrum), each drawn on enough pixels to be a line, bars or points.
    for (const std::array<std::uint8_t, 3> series : {std::array<std::uint8_t, 3>{0x1f, 0x77, 0xb4},
                                                     {0x2c, 0xa0, 0x2c},
                                                     {0xd6, 0x27, 0x28},
                                                     {0xff, 0x7f, 0x0e},
                                                     {0x94, 0x67, 0xbd}}) {
        EXPECT_GT(colours[series], 200u) << int(series[0]) << "," << int(series[1]) << ","
                                         << int(series[2]);
    }
}

}  // namespace
