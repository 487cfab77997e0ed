/* The monthly bulletin's charts (static/core/charts.js: ECharts, SVG renderer, no animation so a printout is never
 * caught half-drawn): the twelve-month trend — cases reported (bars, count axis) and the disposal and closure rates
 * (lines, 0–100 % axis) — and the department and street rankings by composite score (horizontal bars, 0–100 points).
 * Axes, legends, units and tooltips on all three. The boxes have a fixed width that fits A4 (bulletin.css), so the
 * screen and the paper show the same drawing. */
(function () {
  "use strict";
  var data = CityCharts.data("bulletin-charts");
  if (!data) return;
  var text = data.text;

  var trendBox = document.getElementById("trend-chart");
  if (trendBox && data.trend.months.length) {
    var units = {};
    units[text.reported] = text.cases;
    var series = [{ name: text.reported, type: "bar", yAxisIndex: 0, data: data.trend.reported, barMaxWidth: 22,
      itemStyle: { color: "#cbd5e1" } }];
    data.trend.rates.forEach(function (rate) {
      units[rate.label] = "%";
      series.push({ name: rate.label, type: "line", yAxisIndex: 1, data: rate.values, connectNulls: false,
        symbolSize: 5 });
    });
    CityCharts.init(trendBox, {
      tooltip: { trigger: "axis", formatter: CityCharts.tooltip(units) },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 60, right: 56, top: 56, bottom: 30 },
      // Every month labelled (26-03 for 2026-03: twelve fit the A4 width).
      xAxis: { type: "category", data: data.trend.months.map(function (m) { return m.slice(2); }),
        axisLabel: { interval: 0 } },
      yAxis: [
        { type: "value", name: text.cases, minInterval: 1, axisLabel: { formatter: CityCharts.axisNumber } },
        { type: "value", name: text.rate, min: 0, max: 100, axisLabel: { formatter: CityCharts.axisPercent },
          splitLine: { show: false } },
      ],
      series: series,
    }, { print: true });
  }

  function ranking(id, rows, color) {
    var box = document.getElementById(id);
    if (!box || !rows.length) return;
    box.style.height = Math.max(140, rows.length * 26 + 70) + "px";
    var ordered = rows.slice().reverse(); // the first ranked at the top
    var units = {};
    units[text.score] = text.points;
    CityCharts.init(box, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: CityCharts.tooltip(units) },
      legend: { top: 0, data: [text.score] },
      grid: { left: 150, right: 48, top: 34, bottom: 36 },
      xAxis: { type: "value", name: text.points, min: 0, max: 100 },
      yAxis: { type: "category", data: ordered.map(function (r) { return r.name; }),
        axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ name: text.score, type: "bar", data: ordered.map(function (r) { return r.score; }),
        itemStyle: { color: color }, barMaxWidth: 16, label: { show: true, position: "right" } }],
    }, { print: true });
  }
  ranking("department-chart", data.departments, "#2563eb");
  ranking("street-chart", data.streets, "#0d9488");
})();
