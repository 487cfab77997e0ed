/* Shared chart helper: ECharts (static/vendor/echarts, from npm at set-up) with the platform's look.
 *
 *   var chart = CityCharts.init(element, option, {dark: false, print: false});
 *
 * - Always the SVG renderer: sharp on paper and at any zoom; printed bulletins stay vector.
 * - Two themes, "citymgmt" (console, white) and "citymgmt-dark" ({dark: true}: the big screen, readable from afar).
 * - CityCharts.number(n): Chinese grouping — 9,876 / 1.2万 / 3.45亿; CityCharts.percent(v): "97.25%";
 *   CityCharts.axisNumber / CityCharts.axisPercent as axis-label formatters; CityCharts.tooltip(unit) a tooltip
 *   formatter that writes each series' value with its unit ("件", "%").
 * - Charts follow their box's size (window resize) and are redrawn at the paper's width before printing
 *   ({print: true} also turns animation off, so a printout never catches a chart half-drawn).
 * - CityCharts.data(id) reads a json_script block; CityCharts.charts lists the live charts (tests read it).
 * No inline script anywhere (CSP): pages load this file and their own, and pass data through json_script.
 */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0d9488", "#db2777", "#64748b", "#ea580c",
    "#0891b2"];
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif';

  function theme(dark) {
    var text = dark ? "#e2e8f0" : "#1f2937";
    var muted = dark ? "#94a3b8" : "#6b7280";
    var line = dark ? "#334155" : "#e5e7eb";
    var axis = { axisLine: { lineStyle: { color: muted } }, axisTick: { lineStyle: { color: muted } },
      axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } }, nameTextStyle: { color: muted } };
    return {
      color: dark ? ["#38bdf8", "#4ade80", "#facc15", "#f87171", "#c084fc", "#2dd4bf", "#f472b6", "#cbd5e1"] : PALETTE,
      backgroundColor: dark ? "#0b1220" : "transparent",
      textStyle: { fontFamily: FONT, color: text, fontSize: dark ? 18 : 12 },
      title: { textStyle: { color: text }, subtextStyle: { color: muted } },
      legend: { textStyle: { color: text } },
      tooltip: { backgroundColor: dark ? "#1e293b" : "#fff", borderColor: line, textStyle: { color: text } },
      categoryAxis: axis, valueAxis: axis, timeAxis: axis,
    };
  }

  var registered = false;
  function register() {
    if (registered || !window.echarts) return;
    window.echarts.registerTheme("citymgmt", theme(false));
    window.echarts.registerTheme("citymgmt-dark", theme(true));
    registered = true;
  }

  function number(value) {
    if (value === null || value === undefined || value === "") return "—";
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    var abs = Math.abs(n);
    if (abs >= 1e8) return trim((n / 1e8).toFixed(2)) + "亿";
    if (abs >= 1e4) return trim((n / 1e4).toFixed(abs >= 1e5 ? 1 : 2)) + "万";
    return n.toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }
  function trim(text) { return text.replace(/\.?0+$/, ""); }

  function percent(value) {
    if (value === null || value === undefined || value === "") return "—";
    return Number(value).toFixed(2).replace(/\.00$/, "") + "%";
  }

  function tooltip(units) {
    // units: one unit for all series, or {seriesName: unit}; "%" values are written as percentages.
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      if (!list.length) return "";
      var lines = [list[0].axisValueLabel || list[0].name];
      list.forEach(function (p) {
        var unit = typeof units === "object" && units ? (units[p.seriesName] || "") : (units || "");
        var raw = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        var text = unit === "%" ? percent(raw) : number(raw) + (unit ? " " + unit : "");
        lines.push(p.marker + " " + p.seriesName + "：" + text);
      });
      return lines.join("<br>");
    };
  }

  var charts = [];

  function init(element, option, settings) {
    settings = settings || {};
    register();
    if (!window.echarts || !element) return null;
    var chart = window.echarts.init(element, settings.dark ? "citymgmt-dark" : "citymgmt", { renderer: "svg" });
    if (settings.print) option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function resizeAll() { charts.forEach(function (c) { if (!c.isDisposed()) c.resize(); }); }
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  window.CityCharts = {
    init: init,
    theme: theme,
    number: number,
    percent: percent,
    axisNumber: function (v) { return number(v); },
    axisPercent: function (v) { return v + "%"; },
    tooltip: tooltip,
    data: data,
    charts: charts,
    resizeAll: resizeAll,
  };
})();
