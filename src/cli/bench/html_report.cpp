#include "bench/html_report.hpp"
#include "bench/results.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdio>
#include <string_view>

namespace dynomite::cli::bench {
namespace {

namespace json = boost::json;

// The checks of the results' fields. Each names the field by its path ("series[3].p99_ms")
// in `why` and returns false on the first problem.
class field_checker {
public:
    explicit field_checker(std::string& why) : why_(why) {}

    const json::value* find(const json::object& o, const std::string& path, std::string_view key)
    {
        const json::value* v = o.if_contains(key);
        if (!v) {
            why_ = "the results have no field \"" + join(path, key) + "\"";
        }
        return v;
    }

    const json::object* object(const json::object& o, const std::string& path,
                               std::string_view key)
    {
        return typed(o, path, key, &json::value::if_object, "an object");
    }

    const json::array* array(const json::object& o, const std::string& path, std::string_view key)
    {
        return typed(o, path, key, &json::value::if_array, "an array");
    }

    const json::string* string(const json::object& o, const std::string& path,
                               std::string_view key)
    {
        return typed(o, path, key, &json::value::if_string, "a string");
    }

    // A finite number, integer or not; with `allow_null`, null reads as NaN.
    bool number(const json::object& o, const std::string& path, std::string_view key,
                double& out, bool allow_null = false)
    {
        const json::value* v = find(o, path, key);
        if (!v) {
            return false;
        }
        if (allow_null && v->is_null()) {
            out = std::nan("");
            return true;
        }
        if (v->is_int64()) {
            out = static_cast<double>(v->get_int64());
        } else if (v->is_uint64()) {
            out = static_cast<double>(v->get_uint64());
        } else if (v->is_double() && std::isfinite(v->get_double())) {
            out = v->get_double();
        } else {
            return mistyped(path, key, allow_null ? "a number or null" : "a number") != nullptr;
        }
        return true;
    }

    // A count: a non-negative integer.
    bool count(const json::object& o, const std::string& path, std::string_view key,
               double& out)
    {
        const json::value* v = find(o, path, key);
        if (!v) {
            return false;
        }
        if (v->is_uint64() || (v->is_int64() && v->get_int64() >= 0)) {
            out = v->is_uint64() ? static_cast<double>(v->get_uint64())
                                 : static_cast<double>(v->get_int64());
            return true;
        }
        return mistyped(path, key, "a non-negative integer") != nullptr;
    }

    // Each element of `path`, an array, must be an object; `check` checks one.
    template <class Check>
    bool each_object(const json::array& a, const std::string& path, Check check)
    {
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string at = path + "[" + std::to_string(i) + "]";
            if (!a[i].is_object()) {
                why_ = "the results' field \"" + at + "\" must be an object";
                return false;
            }
            if (!check(a[i].get_object(), at)) {
                return false;
            }
        }
        return true;
    }

    bool fail(const std::string& path, std::string_view key, std::string_view problem)
    {
        why_ = "the results' field \"" + join(path, key) + "\" " + std::string(problem);
        return false;
    }

private:
    static std::string join(const std::string& path, std::string_view key)
    {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

    // The field `key` as the type `if_type` gives, which `type` names.
    template <class T>
    const T* typed(const json::object& o, const std::string& path, std::string_view key,
                   const T* (json::value::*if_type)() const noexcept, std::string_view type)
    {
        const json::value* v = find(o, path, key);
        if (!v) return nullptr;
        if (const T* typed_value = (v->*if_type)()) return typed_value;
        return mistyped(path, key, type);
    }

    std::nullptr_t mistyped(const std::string& path, std::string_view key, std::string_view type)
    {
        fail(path, key, "must be " + std::string(type));
        return nullptr;
    }

    std::string& why_;
};

bool check_percentile(field_checker& check, const json::object& o, const std::string& path,
                      double& percentile)
{
    if (!check.number(o, path, "percentile", percentile)) {
        return false;
    }
    if (percentile < 0 || percentile > 100) {
        return check.fail(path, "percentile", "must be between 0 and 100");
    }
    return true;
}

bool check_environment(field_checker& check, const json::object& env, const std::string& path)
{
    for (std::string_view key : {"version", "endpoint", "endpoint_kind", "layer", "workload",
                                 "operations", "mode", "started_at"}) {
        if (!check.string(env, path, key)) {
            return false;
        }
    }
    double value = 0;
    return check.number(env, path, "rate", value, /*allow_null=*/true) &&
           check.count(env, path, "threads", value) &&
           check.count(env, path, "connections", value);
}

bool check_summary(field_checker& check, const json::object& summary, const std::string& path)
{
    double value = 0;
    for (std::string_view key : {"requests", "errors", "throttles", "late_requests"}) {
        if (!check.count(summary, path, key, value)) {
            return false;
        }
    }
    for (std::string_view key :
         {"duration_s", "throughput", "max_lateness_ms", "cpu_us_per_request"}) {
        if (!check.number(summary, path, key, value)) {
            return false;
        }
    }
    return true;
}

bool check_results(const json::object& results, std::string& why)
{
    field_checker check(why);
    const std::string top;
    const json::string* format = check.string(results, top, "format");
    if (!format) {
        return false;
    }
    if (*format != results_format) {
        return check.fail(top, "format",
                          "is \"" + std::string(*format) + "\", not \"" +
                              std::string(results_format) + "\"");
    }
    const json::array* command = check.array(results, top, "command");
    if (!command) {
        return false;
    }
    for (std::size_t i = 0; i < command->size(); ++i) {
        if (!(*command)[i].is_string()) {
            return check.fail(top, "command[" + std::to_string(i) + "]", "must be a string");
        }
    }
    const json::object* env = check.object(results, top, "environment");
    const json::object* summary = env ? check.object(results, top, "summary") : nullptr;
    if (!summary || !check_environment(check, *env, "environment") ||
        !check_summary(check, *summary, "summary")) {
        return false;
    }
    double value = 0;
    const json::array* percentiles = check.array(results, top, "percentiles");
    if (!percentiles ||
        !check.each_object(*percentiles, "percentiles",
                           [&](const json::object& o, const std::string& at) {
                               return check_percentile(check, o, at, value) &&
                                      check.number(o, at, "latency_ms", value);
                           })) {
        return false;
    }
    const json::array* spectrum = check.array(results, top, "spectrum");
    if (!spectrum || !check.each_object(*spectrum, "spectrum",
                                        [&](const json::object& o, const std::string& at) {
                                            return check_percentile(check, o, at, value) &&
                                                   check.number(o, at, "latency_ms", value) &&
                                                   check.count(o, at, "count", value);
                                        })) {
        return false;
    }
    const json::array* series = check.array(results, top, "series");
    if (!series ||
        !check.each_object(*series, "series", [&](const json::object& o, const std::string& at) {
            return check.count(o, at, "second", value) && check.count(o, at, "requests", value) &&
                   check.number(o, at, "throughput", value) &&
                   check.number(o, at, "p50_ms", value) && check.number(o, at, "p99_ms", value) &&
                   check.count(o, at, "errors", value) && check.count(o, at, "throttles", value);
        })) {
        return false;
    }
    return check.string(results, top, "histogram") != nullptr;
}

void append_escaped_html(std::string& out, std::string_view text)
{
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
}

// One argument as a POSIX shell reads it back: bare when it has only safe characters, else
// in single quotes.
std::string shell_quoted(std::string_view arg)
{
    constexpr std::string_view safe =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
    if (!arg.empty() && arg.find_first_not_of(safe) == std::string_view::npos) {
        return std::string(arg);
    }
    std::string quoted = "'";
    for (char c : arg) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

// JSON inside a <script> element: "<" as \u003c, so that neither "</script" nor "<!--" can end
// or change the element, and U+2028/U+2029 escaped as JavaScript before ES2019 requires.
std::string json_for_script(const json::value& v)
{
    const std::string text = json::serialize(v);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<') {
            out += "\\u003c";
        } else if (text.compare(i, 3, "\xE2\x80\xA8") == 0) {
            out += "\\u2028";
            i += 2;
        } else if (text.compare(i, 3, "\xE2\x80\xA9") == 0) {
            out += "\\u2029";
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

double number_of(const json::value& v)
{
    if (v.is_int64()) {
        return static_cast<double>(v.get_int64());
    }
    if (v.is_uint64()) {
        return static_cast<double>(v.get_uint64());
    }
    return v.is_double() ? v.get_double() : std::nan("");
}

std::string formatted(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

void append_row(std::string& out, std::string_view name, std::string_view value)
{
    out += "<tr><th>";
    append_escaped_html(out, name);
    out += "</th><td>";
    append_escaped_html(out, value);
    out += "</td></tr>\n";
}

void append_header(std::string& out, const json::object& results)
{
    const json::object& env = results.at("environment").get_object();
    auto text = [&](std::string_view key) { return std::string(env.at(key).get_string()); };
    out += "<h1>dynomite bench: ";
    append_escaped_html(out, text("workload"));
    out += ", ";
    append_escaped_html(out, text("mode"));
    out += "</h1>\n<pre class=\"command\" id=\"command\">";
    std::string command;
    for (const json::value& arg : results.at("command").get_array()) {
        command += (command.empty() ? "" : " ") + shell_quoted(arg.get_string());
    }
    append_escaped_html(out, command);
    out += "</pre>\n<div class=\"tables\"><table id=\"environment\">\n";
    const double rate = number_of(env.at("rate"));
    for (std::string_view key : {"version", "endpoint", "endpoint_kind", "layer", "workload",
                                 "operations", "mode", "started_at"}) {
        append_row(out, key, text(key));
    }
    append_row(out, "rate", std::isnan(rate) ? "none (closed loop)" : formatted(rate, 0) + "/s");
    append_row(out, "threads", formatted(number_of(env.at("threads")), 0));
    append_row(out, "connections", formatted(number_of(env.at("connections")), 0));
    out += "</table>\n<table id=\"summary\">\n";
    const json::object& summary = results.at("summary").get_object();
    auto value = [&](std::string_view key, int decimals) {
        return formatted(number_of(summary.at(key)), decimals);
    };
    append_row(out, "requests", value("requests", 0));
    append_row(out, "errors", value("errors", 0));
    append_row(out, "throttles", value("throttles", 0));
    append_row(out, "duration", value("duration_s", 3) + " s");
    append_row(out, "throughput", value("throughput", 1) + " requests/s");
    append_row(out, "late requests", value("late_requests", 0));
    append_row(out, "max lateness", value("max_lateness_ms", 3) + " ms");
    append_row(out, "client CPU", value("cpu_us_per_request", 1) + " \xC2\xB5s/request");
    out += "</table>\n<table id=\"percentiles\">\n<tr><th>percentile</th><td>latency</td></tr>\n";
    for (const json::value& row : results.at("percentiles").get_array()) {
        const json::object& o = row.get_object();
        char percentile[32];
        std::snprintf(percentile, sizeof percentile, "%g", number_of(o.at("percentile")));
        append_row(out, percentile, formatted(number_of(o.at("latency_ms")), 3) + " ms");
    }
    out += "</table></div>\n";
}

constexpr std::string_view page_head = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>dynomite bench report</title>
<style>
body { font: 14px sans-serif; margin: 20px 40px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin: 18px 0 4px; }
pre.command { background: #f3f3f3; padding: 8px; white-space: pre-wrap; word-break: break-all; }
.tables { display: flex; gap: 32px; align-items: flex-start; }
table { border-collapse: collapse; } th, td { padding: 2px 8px; text-align: left; }
th { font-weight: normal; color: #666; }
svg.chart { display: block; } svg text { font: 11px sans-serif; fill: #333; }
.axis line, .grid line { stroke: #ccc; } .grid line { stroke-dasharray: 2 3; }
#report-error { color: #b00; }
</style>
</head>
<body>
)html";

// Draws each chart from the embedded results. Every data point is an SVG element with the
// class "point" and data-series, so that the points can be counted in the page.
constexpr std::string_view page_script = R"js(
(function () {
  'use strict';
  var results = JSON.parse(document.getElementById('results').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var W = 1180, H = 300, L = 70, R = 130, T = 16, B = 40;
  var colours = {throughput: '#1f77b4', p50: '#2ca02c', p99: '#d62728', errors: '#d62728',
                 throttles: '#ff7f0e', spectrum: '#9467bd'};
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(parent, x, y, s, anchor) {
    el('text', {x: x, y: y, 'text-anchor': anchor || 'middle'}, parent).textContent = s;
  }
  function ticks(hi) {
    var step = Math.pow(10, Math.floor(Math.log10(hi / 5)));
    if (hi / step > 25) step *= 5; else if (hi / step > 10) step *= 2;
    var out = [];
    for (var v = 0; v <= hi + step / 1e6; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }
  function top(values) {
    var hi = Math.max.apply(null, values.concat([0]));
    return hi > 0 ? hi * 1.05 : 1;
  }
  // An SVG in section `id` with axes over [0, xHi] x [0, yHi]; xTicks lists [value, text].
  function chart(id, xHi, yHi, xTicks, xTitle, yTitle, legend) {
    var section = document.getElementById(id);
    var svg = el('svg', {'class': 'chart', 'data-chart': id, width: W, height: H,
                         viewBox: '0 0 ' + W + ' ' + H}, section);
    var c = {svg: svg,
             x: function (v) { return L + (W - L - R) * v / xHi; },
             y: function (v) { return H - B - (H - T - B) * v / yHi; }};
    var grid = el('g', {'class': 'grid'}, svg), axis = el('g', {'class': 'axis'}, svg);
    ticks(yHi).forEach(function (v) {
      if (v > yHi) return;
      el('line', {x1: L, x2: W - R, y1: c.y(v), y2: c.y(v)}, grid);
      label(axis, L - 6, c.y(v) + 4, String(v), 'end');
    });
    xTicks.forEach(function (t) {
      el('line', {x1: c.x(t[0]), x2: c.x(t[0]), y1: T, y2: H - B}, grid);
      label(axis, c.x(t[0]), H - B + 16, t[1]);
    });
    el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B}, axis);
    el('line', {x1: L, x2: L, y1: T, y2: H - B}, axis);
    label(axis, L + (W - L - R) / 2, H - 6, xTitle);
    var yt = el('text', {x: 14, y: T + (H - T - B) / 2, 'text-anchor': 'middle',
                         transform: 'rotate(-90 14 ' + (T + (H - T - B) / 2) + ')'}, axis);
    yt.textContent = yTitle;
    legend.forEach(function (name, i) {
      el('rect', {x: W - R + 14, y: T + 18 * i, width: 12, height: 12, fill: colours[name]}, svg);
      label(svg, W - R + 32, T + 18 * i + 10, name, 'start');
    });
    return c;
  }
  function point(c, name, cx, cy, data, tip) {
    var p = el('circle', {'class': 'point', 'data-series': name, cx: cx, cy: cy, r: 2,
                          fill: colours[name]}, c.svg);
    Object.keys(data).forEach(function (k) { p.setAttribute('data-' + k, data[k]); });
    el('title', {}, p).textContent = tip;
  }
  // A line through (x, y) pairs with a point on each, in series `name`.
  function line(c, name, xs, ys, data, tips) {
    el('polyline', {'class': 'line', 'data-series': name, fill: 'none', stroke: colours[name],
                    'stroke-width': 1.5,
                    points: xs.map(function (x, i) { return c.x(x) + ',' + c.y(ys[i]); }).join(' ')},
       c.svg);
    xs.forEach(function (x, i) { point(c, name, c.x(x), c.y(ys[i]), data[i], tips[i]); });
  }
  function secondTicks(last) {
    return ticks(last).map(function (s) { return [s, s + ' s']; });
  }

  var series = results.series;
  var seconds = series.map(function (s) { return s.second; });
  var lastSecond = Math.max(1, top(seconds) / 1.05);
  var field = function (key) { return series.map(function (s) { return s[key]; }); };

  var throughput = chart('throughput', lastSecond, top(field('throughput')),
                         secondTicks(lastSecond), 'time', 'requests/s', ['throughput']);
  line(throughput, 'throughput', seconds, field('throughput'),
       series.map(function (s) { return {second: s.second, value: s.throughput}; }),
       series.map(function (s) { return s.second + ' s: ' + s.throughput + ' requests/s'; }));

  var latency = chart('latency', lastSecond, top(field('p99_ms').concat(field('p50_ms'))),
                      secondTicks(lastSecond), 'time', 'latency (ms)', ['p50', 'p99']);
  ['p50', 'p99'].forEach(function (name) {
    line(latency, name, seconds, field(name + '_ms'),
         series.map(function (s) { return {second: s.second, value: s[name + '_ms']}; }),
         series.map(function (s) { return s.second + ' s: ' + name + ' ' + s[name + '_ms'] + ' ms'; }));
  });

  var failures = chart('failures', lastSecond + 1,
                       top(series.map(function (s) { return s.errors + s.throttles; })),
                       secondTicks(lastSecond), 'time', 'requests', ['errors', 'throttles']);
  var barWidth = Math.max(1, failures.x(1) - failures.x(0) - 1);
  series.forEach(function (s) {
    var base = 0;
    ['errors', 'throttles'].forEach(function (name) {
      var bar = el('rect', {'class': 'point', 'data-series': name, 'data-second': s.second,
                            'data-value': s[name], x: failures.x(s.second),
                            y: failures.y(base + s[name]), width: barWidth,
                            height: failures.y(base) - failures.y(base + s[name]),
                            fill: colours[name]}, failures.svg);
      el('title', {}, bar).textContent = s.second + ' s: ' + s[name] + ' ' + name;
      base += s[name];
    });
  });

  // HdrHistogram's plot: x is 1/(1-percentile) on a log scale; the 100th percentile, whose x
  // is infinite, goes at the right edge.
  var spectrum = results.spectrum;
  var logX = spectrum.map(function (s) {
    return s.percentile < 100 ? Math.log10(100 / (100 - s.percentile)) : NaN;
  });
  var finite = logX.filter(function (x) { return !isNaN(x); });
  var decades = Math.max(1, Math.ceil(Math.max.apply(null, finite.concat([0])) + 1e-9));
  var spectrumTicks = [];
  for (var d = 0; d <= decades; d++) {
    spectrumTicks.push([d, d === 0 ? '0%' : (100 - 100 / Math.pow(10, d)).toFixed(Math.max(0, d - 2)) + '%']);
  }
  var spectrumChart = chart('spectrum', decades, top(spectrum.map(function (s) { return s.latency_ms; })),
                            spectrumTicks, 'percentile (log scale of 1/(1-percentile))',
                            'latency (ms)', ['spectrum']);
  line(spectrumChart, 'spectrum', logX.map(function (x) { return isNaN(x) ? decades : x; }),
       spectrum.map(function (s) { return s.latency_ms; }),
       spectrum.map(function (s) {
         return {percentile: s.percentile, value: s.latency_ms, count: s.count};
       }),
       spectrum.map(function (s) {
         return s.percentile + '%: ' + s.latency_ms + ' ms (' + s.count + ' requests)';
       }));
  document.body.setAttribute('data-drawn', 'true');
})();
)js";

}  // namespace

error_code write_html_report(const json::object& results, std::string& html, std::string& why)
{
    if (!check_results(results, why)) {
        return make_error_code(errc::invalid_argument);
    }
    json::object embedded = results;
    embedded.erase("histogram");  // not drawn; the results file keeps it

    html.clear();
    html += page_head;
    append_header(html, results);
    for (auto [id, title] : {std::pair{"throughput", "Throughput over time"},
                             std::pair{"latency", "Latency over time (p50, p99)"},
                             std::pair{"failures", "Errors and throttles over time"},
                             std::pair{"spectrum", "Latency by percentile"}}) {
        html += std::string("<section id=\"") + id + "\"><h2>" + title + "</h2></section>\n";
    }
    html += "<p id=\"report-error\"><noscript>The charts need JavaScript.</noscript></p>\n"
            "<script type=\"application/json\" id=\"results\">";
    html += json_for_script(embedded);
    html += "</script>\n<script>";
    html += page_script;
    html += "</script>\n</body>\n</html>\n";
    return {};
}

}  // namespace dynomite::cli::bench
