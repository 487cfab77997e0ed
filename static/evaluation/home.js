/* Home page charts (static/core/charts.js): the 30-day intake trend and today's intake by channel. */
(function () {
  "use strict";
  var data = CityCharts.data("home-charts");
  var text = CityCharts.data("home-chart-text") || {};
  if (!data) return;

  var trendBox = document.getElementById("chart-trend");
  if (trendBox && data.trend) {
    CityCharts.init(trendBox, {
      tooltip: { trigger: "axis", formatter: CityCharts.tooltip(text.unit) },
      legend: { data: [text.reported, text.closed], top: 0 },
      grid: { left: 56, right: 20, top: 36, bottom: 30 },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: "value", name: text.unit, minInterval: 1, axisLabel: { formatter: CityCharts.axisNumber } },
      series: [
        { name: text.reported, type: "line", smooth: true, data: data.trend.map(function (d) { return d.reported; }) },
        { name: text.closed, type: "line", smooth: true, data: data.trend.map(function (d) { return d.closed; }) },
      ],
    });
  }

  var channelBox = document.getElementById("chart-channels");
  if (channelBox && data.channels && data.channels.length) {
    var rows = data.channels.slice().reverse();
    CityCharts.init(channelBox, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: CityCharts.tooltip(text.unit) },
      legend: { data: [text.received], top: 0 },
      grid: { left: 110, right: 30, top: 30, bottom: 30 },
      xAxis: { type: "value", name: text.unit, minInterval: 1, axisLabel: { formatter: CityCharts.axisNumber } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: [{ name: text.received, type: "bar", data: rows.map(function (r) { return r.count; }),
        label: { show: true, position: "right" } }],
    });
  }
})();
